/** Every deployment, with its state and schedule (next run in the schedule's own time zone); pause and resume for data scientists. */
import { Alert, Box, Button, Chip, Link, Typography } from "@mui/material";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link as RouterLink, useLocation, useSearchParams } from "react-router";
import { listDeployments, pauseDeployment, resumeDeployment } from "../api/client";
import type { Deployment } from "../api/types";
import { Can, useCan } from "../auth/session";
import { QueryTable } from "../components/DataTable";
import { InlineError } from "../components/States";
import { describeCron, formatRunTimes } from "../lib/cron";
import { useI18n, useT } from "../i18n";
import { DeploymentLink } from "./DeploymentLink";
import { servesLabel, stateLabel } from "./labels";

function PauseResume({ d }: { d: Deployment }) {
  const t = useT();
  const client = useQueryClient();
  const paused = d.state === "paused";
  const mutation = useMutation({
    mutationFn: () => (paused ? resumeDeployment(d.id) : pauseDeployment(d.id)),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["deployments"] }),
  });
  return (
    <>
      <Button size="small" onClick={() => mutation.mutate()} disabled={mutation.isPending}>
        {paused ? t("deployments.resume") : t("deployments.pause")}
      </Button>
      <InlineError error={mutation.error} />
    </>
  );
}

function Schedule({ d }: { d: Deployment }) {
  const { t, locale } = useI18n();
  if (!d.schedule) return t("deployments.noSchedule");
  const zone = d.schedule.timezone;
  return (
    <>
      {`${describeCron(d.schedule.cron, t)} (${zone})`}
      {d.next_run_at && d.state !== "paused" && (
        <Typography variant="body2" color="text.secondary">
          {t("deployments.nextRun", { when: `${formatRunTimes([d.next_run_at], zone, locale)[0]} (${zone})` })}
        </Typography>
      )}
    </>
  );
}

export function DeploymentsPage() {
  const t = useT();
  const [params] = useSearchParams();
  const created = params.get("created");
  const flash = (useLocation().state as { flash?: string } | null)?.flash;
  const canRun = useCan("business_user");
  const q = useQuery({ queryKey: ["deployments", "all"], queryFn: () => listDeployments() });
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("deployments.title")}
      </Typography>
      {flash && (
        <Alert severity="success" sx={{ mb: 2 }} data-testid="flash">
          {flash}
        </Alert>
      )}
      {created && (
        <Alert severity="success" sx={{ mb: 2 }}>
          {created.includes(",") ? t("deploy.doneMany", { names: created }) : t("deploy.done", { name: created })}
        </Alert>
      )}
      <QueryTable
        query={q}
        empty={t("deployments.empty")}
        testId="deployments-table"
        rows={(data) => data.items}
        rowKey={(d) => d.id}
        columns={[
          { label: t("common.name"), cell: (d) => <DeploymentLink name={d.name} /> },
          {
            label: t("deployments.model"),
            cell: (d) => (
              <Link component={RouterLink} to={`/models/${d.model}`}>
                {d.model}
              </Link>
            ),
          },
          { label: t("common.market"), cell: (d) => d.market },
          { label: t("deployments.serves"), cell: servesLabel },
          { label: t("deployments.schedule"), cell: (d) => <Schedule d={d} /> },
          {
            label: t("common.status"),
            cell: (d) => <Chip size="small" label={stateLabel(d, t)} color={d.state === "paused" ? "default" : "success"} variant="outlined" />,
          },
          {
            label: t("common.actions"),
            cell: (d) => (
              <>
                {canRun && (
                  <Button size="small" component={RouterLink} to={`/models/${d.model}/run?deployment=${d.id}`}>
                    {t("model.run")}
                  </Button>
                )}
                <Can role="data_scientist">
                  <PauseResume d={d} />
                </Can>
                <Button size="small" component={RouterLink} to={`/runs?deployment=${d.id}`}>
                  {t("nav.runs")}
                </Button>
              </>
            ),
          },
        ]}
      />
    </Box>
  );
}
