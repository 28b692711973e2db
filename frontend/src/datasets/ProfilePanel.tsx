/**
 * A dataset version's profile. When it has none, the page asks for one (once) and follows the
 * execution computing it until it is there; then the warnings, the suggested targets, and a card per
 * column with its statistics and distribution.
 */
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Grid,
  InputAdornment,
  LinearProgress,
  Link,
  List,
  ListItem,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import SearchIcon from "@mui/icons-material/Search";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { Link as RouterLink } from "react-router";
import { getExecution, profileDataset } from "../api/client";
import { roleAllows, TERMINAL_STATUSES, type ColumnKind, type Dataset, type DatasetProfile, type Execution } from "../api/types";
import { Can, useMe } from "../auth/session";
import { Facts } from "../components/Facts";
import { Pager } from "../components/Pager";
import { Section } from "../components/Section";
import { ErrorAlert, Loading } from "../components/States";
import { useI18n, type MessageKey } from "../i18n";
import { ColumnCard, columnAnchor } from "./ColumnCard";
import { trainPath } from "./links";
import { filterColumns, sortedWarnings, warningSeverity } from "./profile";

export const COLUMNS_PAGE_SIZE = 12;
const KINDS: ColumnKind[] = ["number", "integer", "boolean", "category", "date", "text", "id"];

/**
 * The execution computing the version's profile: the one the dataset names, or the one this page
 * asked for. A version without a profile nor an execution gets one asked for, once, when the user
 * may; when the execution succeeds, the dataset is read again (it then holds the profile).
 */
function useProfileExecution(d: Dataset) {
  const client = useQueryClient();
  const me = useMe();
  const canRequest = roleAllows(me.data?.role, "business_user");
  const requested = useRef<string | null>(null);
  const request = useMutation({ mutationFn: () => profileDataset(d.name, d.version) });
  const { mutate } = request;
  const id = request.data?.id ?? d.profile_execution ?? null;
  const key = `${d.name}@${d.version}`;
  useEffect(() => {
    if (!d.profile && d.profile_execution == null && canRequest && requested.current !== key) {
      requested.current = key;
      mutate();
    }
  }, [key, d.profile, d.profile_execution, canRequest, mutate]);
  const execution = useQuery({
    queryKey: ["executions", id],
    queryFn: () => getExecution(id as number),
    enabled: !d.profile && id != null,
    refetchInterval: (q) => (q.state.data && TERMINAL_STATUSES.includes(q.state.data.status) ? false : 1000),
  });
  const succeeded = execution.data?.status === "succeeded";
  useEffect(() => {
    if (succeeded) void client.invalidateQueries({ queryKey: ["datasets", d.name] });
  }, [succeeded, client, d.name]);
  return { request, execution: execution.data, canRequest, knowsRole: !me.isPending, retry: () => mutate() };
}

function Progress({ e }: { e: Execution | undefined }) {
  const { t } = useI18n();
  const pct = Math.round((e?.progress ?? 0) * 100);
  const queued = !e || e.status === "queued";
  return (
    <Box data-testid="profile-progress">
      <Typography sx={{ mb: 1 }}>{queued ? t("datasets.profile.queued") : t("datasets.profile.running", { pct })}</Typography>
      <LinearProgress
        variant={queued ? "indeterminate" : "determinate"}
        value={pct}
        aria-label={t("datasets.profile.progress", { pct })}
      />
      {e && (
        <Link component={RouterLink} to={`/runs/${e.id}`} variant="body2" sx={{ mt: 1, display: "inline-block" }}>
          {t("datasets.profile.execution", { id: e.id })}
        </Link>
      )}
    </Box>
  );
}

function Pending({ d }: { d: Dataset }) {
  const { t } = useI18n();
  const { request, execution, canRequest, knowsRole, retry } = useProfileExecution(d);
  if (!knowsRole) return <Loading />;
  if (request.isError) {
    return (
      <>
        <ErrorAlert error={request.error} />
        <Button sx={{ mt: 1 }} onClick={retry}>
          {t("common.retry")}
        </Button>
      </>
    );
  }
  if (execution && (execution.status === "failed" || execution.status === "cancelled")) {
    return (
      <Alert
        severity="error"
        data-testid="profile-failed"
        action={
          canRequest ? (
            <Button color="inherit" size="small" onClick={retry} disabled={request.isPending}>
              {t("datasets.profile.again")}
            </Button>
          ) : undefined
        }
      >
        <AlertTitle>{t("datasets.profile.failed")}</AlertTitle>
        {execution.error}
      </Alert>
    );
  }
  if (!canRequest && d.profile_execution == null) {
    return <Typography color="text.secondary">{t("datasets.profile.none")}</Typography>;
  }
  return <Progress e={execution} />;
}

function Warnings({ profile, onColumn }: { profile: DatasetProfile; onColumn: (name: string) => void }) {
  const { t } = useI18n();
  if (profile.warnings.length === 0) {
    return <Alert severity="success">{t("datasets.profile.noWarnings")}</Alert>;
  }
  return (
    <Stack spacing={1} data-testid="profile-warnings">
      {sortedWarnings(profile.warnings).map((w, i) => (
        <Alert key={i} severity={warningSeverity(w.code)} data-testid="profile-warning" data-code={w.code}>
          <strong>{t(`datasets.warning.${w.code}` as MessageKey)}</strong>
          {w.column && (
            <>
              {" · "}
              <Link component="button" type="button" onClick={() => onColumn(w.column as string)} sx={{ verticalAlign: "baseline" }}>
                {w.column}
              </Link>
            </>
          )}
          <Typography variant="body2">{w.message}</Typography>
        </Alert>
      ))}
    </Stack>
  );
}

function Targets({ d, profile }: { d: Dataset; profile: DatasetProfile }) {
  const { t } = useI18n();
  if (profile.suggested_targets.length === 0) {
    return <Typography color="text.secondary">{t("datasets.profile.noTargets")}</Typography>;
  }
  return (
    <List dense disablePadding data-testid="suggested-targets">
      {profile.suggested_targets.map((target) => (
        <ListItem key={target} disableGutters sx={{ gap: 2, flexWrap: "wrap" }}>
          <Typography sx={{ fontWeight: 600, minWidth: 120 }}>{target}</Typography>
          <Can role="data_scientist">
            <Button size="small" variant="outlined" component={RouterLink} to={trainPath(d.name, d.version, target)}>
              {t("datasets.trainOn", { target })}
            </Button>
          </Can>
        </ListItem>
      ))}
    </List>
  );
}

function Columns({ profile, filter, setFilter }: { profile: DatasetProfile; filter: string; setFilter: (s: string) => void }) {
  const { t, tn } = useI18n();
  const [kind, setKind] = useState<ColumnKind | "">("");
  const [page, setPage] = useState(1);
  const shown = filterColumns(profile.columns, filter, kind);
  const pageItems = shown.slice((page - 1) * COLUMNS_PAGE_SIZE, page * COLUMNS_PAGE_SIZE);
  const kinds = KINDS.filter((k) => profile.columns.some((c) => c.kind === k));
  return (
    <>
      <Stack direction={{ xs: "column", sm: "row" }} spacing={2} sx={{ mb: 2 }}>
        <TextField
          label={t("datasets.profile.findColumn")}
          value={filter}
          onChange={(e) => {
            setFilter(e.target.value);
            setPage(1);
          }}
          type="search"
          size="small"
          sx={{ flexGrow: 1 }}
          slotProps={{
            input: {
              startAdornment: (
                <InputAdornment position="start">
                  <SearchIcon aria-hidden />
                </InputAdornment>
              ),
            },
          }}
        />
        <TextField
          select
          size="small"
          label={t("datasets.profile.kind")}
          value={kind}
          onChange={(e) => {
            setKind(e.target.value as ColumnKind | "");
            setPage(1);
          }}
          sx={{ minWidth: 180 }}
        >
          <MenuItem value="">{t("datasets.profile.allKinds")}</MenuItem>
          {kinds.map((k) => (
            <MenuItem key={k} value={k}>
              {t(`datasets.kind.${k}` as MessageKey)}
            </MenuItem>
          ))}
        </TextField>
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {tn("datasets.profile.columnsShown", shown.length, { total: profile.columns.length })}
      </Typography>
      <Grid container spacing={2}>
        {pageItems.map((c) => (
          <Grid key={c.name} size={{ xs: 12, md: 6, lg: 4 }}>
            <ColumnCard column={c} isTarget={profile.target === c.name} />
          </Grid>
        ))}
      </Grid>
      <Pager total={shown.length} pageSize={COLUMNS_PAGE_SIZE} page={page} onChange={setPage} />
    </>
  );
}

export function ProfilePanel({ d }: { d: Dataset }) {
  const { t, tn, locale } = useI18n();
  const [filter, setFilter] = useState("");
  const profile = d.profile;
  if (!profile) {
    return (
      <Section title={t("datasets.profile.title")}>
        <Pending d={d} />
      </Section>
    );
  }
  const showColumn = (name: string) => {
    setFilter(name);
    // After the filter has re-rendered the cards, bring the column's into view.
    setTimeout(() => document.getElementById(columnAnchor(name))?.scrollIntoView?.({ behavior: "smooth", block: "start" }), 0);
  };
  return (
    <>
      <Grid container spacing={2} sx={{ mb: 2 }}>
        <Grid size={{ xs: 12, md: 8 }}>
          <Section title={tn("datasets.profile.warnings", profile.warnings.length)} fill>
            <Warnings profile={profile} onColumn={showColumn} />
          </Section>
        </Grid>
        <Grid size={{ xs: 12, md: 4 }}>
          <Section title={t("datasets.profile.targets")} fill>
            <Facts
              items={[
                [t("datasets.rows"), profile.rows.toLocaleString(locale)],
                [t("datasets.columns"), profile.columns.length.toLocaleString(locale)],
                [t("datasets.profile.duplicated"), profile.duplicated_rows.toLocaleString(locale)],
              ]}
            />
            <Typography variant="body2" color="text.secondary" sx={{ mt: 2, mb: 1 }}>
              {t("datasets.profile.targetsHelp")}
            </Typography>
            <Targets d={d} profile={profile} />
          </Section>
        </Grid>
      </Grid>
      <Section title={t("datasets.profile.columns")}>
        <Columns profile={profile} filter={filter} setFilter={setFilter} />
      </Section>
    </>
  );
}
