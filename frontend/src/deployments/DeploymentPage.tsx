/**
 * One deployment (/deployments/:name): what it serves and answers now, its input, its schedule with
 * the next runs in the schedule's own time zone, its runs, its logged online predictions; follow it;
 * for its owner, edit, replace the stored dataset, pause or resume, delete.
 */
import DownloadIcon from "@mui/icons-material/Download";
import { Alert, Box, Button, ButtonGroup, Chip, Grid, Link, Stack, Typography } from "@mui/material";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink, useLocation, useNavigate, useParams } from "react-router";
import {
  deleteDeployment,
  getDeployment,
  listExecutions,
  pauseDeployment,
  resumeDeployment,
  setDeploymentInput,
  templateDownloadUrl,
  updateDeployment,
} from "../api/client";
import { describeError } from "../api/errors";
import { roleAllows, TERMINAL_STATUSES, type Deployment } from "../api/types";
import { Can, useUser } from "../auth/session";
import { CronHelper } from "../components/CronHelper";
import { QueryTable } from "../components/DataTable";
import { Facts } from "../components/Facts";
import { FileDrop } from "../components/FileDrop";
import { FormDialog } from "../components/FormDialog";
import { Pager } from "../components/Pager";
import { Section } from "../components/Section";
import { ErrorAlert, InlineError, QueryState } from "../components/States";
import { useI18n, useT } from "../i18n";
import { describeCron, formatRunTimes } from "../lib/cron";
import { FollowButton } from "../notifications/FollowButton";
import { StatusChip } from "../runs/statusChip";
import { INPUT_FILES } from "./DatasetUpload";
import { isStored } from "./deployForm";
import { EditDeploymentDialog } from "./EditDeploymentDialog";
import { badRowsLabel, inputLabel, rejectedRows, servesLabel, stateLabel } from "./labels";
import { PredictionHistory } from "./PredictionHistory";

const RUNS_PAGE = 10;

export function DeploymentPage() {
  const { name = "" } = useParams();
  const q = useQuery({ queryKey: ["deployment", name], queryFn: () => getDeployment(name) });
  return <QueryState query={q}>{(d) => <DeploymentView d={d} />}</QueryState>;
}

function DeploymentView({ d }: { d: Deployment }) {
  const { t, when, locale } = useI18n();
  const user = useUser();
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  const mayChange = !!user && (user.role === "admin" || (roleAllows(user.role, "data_scientist") && user.username === d.owner));
  const [editing, setEditing] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const nextRun = d.next_run_at && d.schedule ? formatRunTimes([d.next_run_at], d.schedule.timezone, locale)[0] : null;
  return (
    <Box>
      {flash && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
          {flash}
        </Alert>
      )}
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "flex-start", mb: 2, gap: 2, flexWrap: "wrap" }}>
        <Box>
          <Typography variant="h1">{d.name}</Typography>
          <Typography color="text.secondary">
            <Link component={RouterLink} to={`/models/${d.model}`}>
              {d.model_title}
            </Link>{" "}
            · {t("common.market")} {d.market} · {t("common.owner")}: {d.owner}{" "}
            <Chip
              size="small"
              label={stateLabel(d, t)}
              color={d.state === "paused" ? "default" : "success"}
              variant="outlined"
              data-testid="deployment-state"
            />
          </Typography>
        </Box>
        <Stack direction="row" spacing={1} sx={{ flexShrink: 0, alignItems: "flex-start" }}>
          <Can role="business_user">
            <Button variant="contained" component={RouterLink} to={`/models/${d.model}/run?deployment=${d.id}`}>
              {t("model.run")}
            </Button>
          </Can>
          <FollowButton deployment={d.name} owner={user?.username === d.owner} />
          {mayChange && (
            <>
              <Button variant="outlined" onClick={() => setEditing(true)}>
                {t("deployment.edit")}
              </Button>
              <PauseResume d={d} />
              <Button variant="outlined" color="error" onClick={() => setDeleting(true)}>
                {t("deployment.delete")}
              </Button>
            </>
          )}
        </Stack>
      </Stack>
      <Grid container spacing={2}>
        <Grid size={{ xs: 12, lg: 7 }}>
          <Section title={t("deployment.runs")}>
            <Runs name={d.name} />
          </Section>
          <Section title={t("deployment.predictions")}>
            <PredictionHistory deployment={d.name} />
          </Section>
        </Grid>
        <Grid size={{ xs: 12, lg: 5 }}>
          <Section title={t("model.info")}>
            <Facts
              testId="deployment-facts"
              items={[
                [t("deployments.serves"), servesLabel(d)],
                [t("deployment.answersNow"), d.resolved_version ? `v${d.resolved_version}` : "–"],
                [t("deployment.traffic"), d.state === "paused" ? t("deployment.trafficPaused") : t("deployment.trafficAll", { v: d.resolved_version ?? "?" })],
                [t("deploy.badRows"), badRowsLabel(d.on_bad_rows, t)],
                [t("deploy.engine"), d.engine],
                [t("deploy.outputFormat"), d.output.table ? `${d.output.format} + ${d.output.connection}.${d.output.table}` : d.output.format],
                [t("common.created"), when(d.created_at)],
                [t("common.updated"), when(d.updated_at)],
              ]}
            />
            {d.description && (
              <Typography variant="body2" sx={{ mt: 1 }}>
                {d.description}
              </Typography>
            )}
          </Section>
          <Section title={t("deployments.schedule")}>
            {d.schedule ? (
              <Box data-testid="deployment-schedule">
                <Typography sx={{ fontWeight: 600 }}>
                  {describeCron(d.schedule.cron, t)} ({d.schedule.timezone})
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  <code>{d.schedule.cron}</code>
                </Typography>
                {d.state === "paused" ? (
                  <Alert severity="info" sx={{ mt: 1 }}>
                    {t("deployment.pausedSchedule")}
                  </Alert>
                ) : (
                  <>
                    {nextRun && (
                      <Typography sx={{ mt: 1 }} data-testid="next-run">
                        {t("deployments.nextRun", { when: `${nextRun} (${d.schedule.timezone})` })}
                      </Typography>
                    )}
                    <Box sx={{ mt: 1 }}>
                      <CronHelper cron={d.schedule.cron} timezone={d.schedule.timezone} />
                    </Box>
                  </>
                )}
              </Box>
            ) : (
              <Typography color="text.secondary">
                {t("deployments.noSchedule")}
                {!isStored(d.input.kind) && ` — ${t("deploy.scheduleNeedsStored")}`}
              </Typography>
            )}
          </Section>
          <Section title={t("deploy.input")}>
            <InputPanel d={d} mayChange={mayChange} />
          </Section>
        </Grid>
      </Grid>
      {editing && <EditDeploymentDialog deployment={d} onClose={() => setEditing(false)} />}
      {deleting && <DeleteDialog d={d} onClose={() => setDeleting(false)} />}
    </Box>
  );
}

function PauseResume({ d }: { d: Deployment }) {
  const t = useT();
  const client = useQueryClient();
  const paused = d.state === "paused";
  const mutation = useMutation({
    mutationFn: () => (paused ? resumeDeployment(d.id) : pauseDeployment(d.id)),
    onSuccess: (updated) => {
      client.setQueryData(["deployment", d.name], updated);
      void client.invalidateQueries({ queryKey: ["deployments"] });
    },
  });
  return (
    <Box>
      <Button variant="outlined" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        {paused ? t("deployments.resume") : t("deployments.pause")}
      </Button>
      <InlineError error={mutation.error} />
    </Box>
  );
}

function DeleteDialog({ d, onClose }: { d: Deployment; onClose: () => void }) {
  const t = useT();
  const navigate = useNavigate();
  const client = useQueryClient();
  const mutation = useMutation({
    mutationFn: () => deleteDeployment(d.name),
    onSuccess: () => {
      client.removeQueries({ queryKey: ["deployment", d.name] });
      void client.invalidateQueries({ queryKey: ["deployments"] });
      void navigate("/deployments", { state: { flash: t("deployment.deleted", { name: d.name }) } });
    },
  });
  return (
    <FormDialog title={t("deployment.deleteTitle", { name: d.name })} onClose={onClose} action={mutation} submitLabel={t("deployment.delete")} danger>
      <Typography>{t("deployment.deleteConfirm", { name: d.name })}</Typography>
    </FormDialog>
  );
}

/** Where runs read their rows; the template to fill in; for the owner, a newer dataset or a file per run. */
function InputPanel({ d, mayChange }: { d: Deployment; mayChange: boolean }) {
  const t = useT();
  const client = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const saved = (updated: Deployment) => {
    client.setQueryData(["deployment", d.name], updated);
    void client.invalidateQueries({ queryKey: ["deployments"] });
  };
  const replace = useMutation({
    mutationFn: (f: File) => setDeploymentInput(d.name, f),
    onSuccess: (updated) => {
      setFile(null);
      saved(updated);
    },
  });
  const perRun = useMutation({ mutationFn: () => updateDeployment(d.name, { input: { kind: "upload" } }), onSuccess: saved });
  return (
    <Box data-testid="deployment-input">
      <Typography sx={{ fontWeight: 600 }}>{inputLabel(d.input, t)}</Typography>
      {d.input.kind === "sql" && d.input.query && (
        <Box component="pre" sx={{ fontSize: 12, whiteSpace: "pre-wrap", bgcolor: "action.hover", p: 1, borderRadius: 1 }}>
          {d.input.query}
        </Box>
      )}
      <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: "center" }}>
        <Typography variant="body2">{t("deployment.template")}</Typography>
        <ButtonGroup size="small" aria-label={t("deployment.template")}>
          <Button href={templateDownloadUrl(d.name, "csv")} startIcon={<DownloadIcon />}>
            CSV
          </Button>
          <Button href={templateDownloadUrl(d.name, "xlsx")} startIcon={<DownloadIcon />}>
            Excel
          </Button>
        </ButtonGroup>
      </Stack>
      {mayChange && d.input.kind !== "sql" && (
        <Box sx={{ mt: 2 }}>
          <FileDrop
            label={d.input.kind === "dataset" ? t("deployment.replaceDataset") : t("deployment.storeDataset")}
            prompt={t("run.fileDrop")}
            browse={t("register.browse")}
            help={t("deployment.replaceHelp")}
            accept={INPUT_FILES}
            file={file}
            onFile={(f) => {
              setFile(f);
              replace.reset();
              if (f) replace.mutate(f);
            }}
            error={replace.isError ? describeError(replace.error, t) : null}
            testId="replace-dataset"
          />
          {replace.isSuccess && (
            <Alert severity="success" sx={{ mt: 1 }}>
              {t("deployment.datasetReplaced", { name: d.input.filename ?? "" })}
            </Alert>
          )}
        </Box>
      )}
      {mayChange && d.input.kind === "dataset" && (
        <Box sx={{ mt: 1 }}>
          <Button size="small" onClick={() => perRun.mutate()} disabled={perRun.isPending}>
            {t("deployment.switchToUpload")}
          </Button>
          <ErrorAlert error={perRun.error} sx={{ mt: 1 }} />
        </Box>
      )}
    </Box>
  );
}

function Runs({ name }: { name: string }) {
  const { t, when } = useI18n();
  const [page, setPage] = useState(1);
  const q = useQuery({
    queryKey: ["executions", { deployment: name, page, pageSize: RUNS_PAGE }],
    queryFn: () => listExecutions({ deployment: name, page, page_size: RUNS_PAGE }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((e) => !TERMINAL_STATUSES.includes(e.status)) ? 3000 : false),
  });
  return (
    <QueryTable
      query={q}
      empty={t("runs.empty")}
      testId="deployment-runs"
      rows={(data) => data.items}
      rowKey={(e) => e.id}
      footer={(data) => (
        <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center" }}>
          <Pager total={data.total} pageSize={RUNS_PAGE} page={page} onChange={setPage} />
          {data.total > 0 && (
            <Button size="small" component={RouterLink} to={`/runs?deployment=${encodeURIComponent(name)}`} sx={{ mt: 1 }}>
              {t("deployment.allRuns")}
            </Button>
          )}
        </Stack>
      )}
      columns={[
        {
          label: t("runs.id"),
          cell: (e) => (
            <Link component={RouterLink} to={`/runs/${e.id}`}>
              #{e.id}
            </Link>
          ),
        },
        { label: t("common.status"), cell: (e) => <StatusChip status={e.status} /> },
        { label: t("runs.trigger"), cell: (e) => e.triggered_by ?? e.trigger },
        { label: t("runs.rowsWritten"), align: "right", cell: (e) => e.rows_written },
        {
          label: t("runs.warnings"),
          align: "right",
          cell: (e) => (rejectedRows(e.summary) ? <Chip size="small" color="warning" label={rejectedRows(e.summary)} /> : ""),
        },
        { label: t("common.created"), cell: (e) => when(e.scheduled_for ?? e.created_at) },
        {
          label: t("runs.error"),
          cell: (e) =>
            e.error ? (
              <Typography variant="body2" color="error" sx={{ maxWidth: 280, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={e.error}>
                {e.error}
              </Typography>
            ) : (
              ""
            ),
        },
      ]}
    />
  );
}
