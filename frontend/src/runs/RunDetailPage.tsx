/** One run: live status and progress, streaming logs, results as a paginated table, a chart, downloads. */
import DownloadIcon from "@mui/icons-material/Download";
import { Alert, Box, Button, Grid, LinearProgress, Stack, Typography } from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import { DataGrid, type GridColDef } from "@mui/x-data-grid";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useParams } from "react-router";
import { cancelExecution, errorsDownloadUrl, executionResults, getExecution } from "../api/client";
import { TERMINAL_STATUSES, type Execution } from "../api/types";
import { Can } from "../auth/session";
import { Facts } from "../components/Facts";
import { Section } from "../components/Section";
import { DeploymentLink } from "../deployments/DeploymentLink";
import { rejectedRows } from "../deployments/labels";
import { ErrorAlert, ErrorState, Loading } from "../components/States";
import { barsFromSummary, distribution, predictionColumn } from "../lib/distribution";
import { useI18n } from "../i18n";
import { formatPrediction } from "../lib/numbers";
import { LiveLog } from "./LiveLog";
import { ResultDownloads } from "./ResultDownloads";
import { StatusChip } from "./statusChip";

function Results({ id, summary }: { id: number; summary?: Record<string, unknown> | null }) {
  const { t, locale } = useI18n();
  const [model, setModel] = useState({ page: 0, pageSize: 25 });
  const page = useQuery({
    queryKey: ["executions", id, "results", model],
    queryFn: () => executionResults(id, model.page + 1, model.pageSize),
    placeholderData: keepPreviousData,
  });
  const fromSummary = barsFromSummary(summary);
  // Without a summary (older runs), the chart counts the first 1,000 rows.
  const sample = useQuery({
    queryKey: ["executions", id, "results", "sample"],
    queryFn: () => executionResults(id, 1, 1000),
    enabled: fromSummary.length === 0,
  });
  if (page.isPending) return <Loading />;
  if (page.isError) return <ErrorState error={page.error} onRetry={() => void page.refetch()} />;
  // Predictions first: they are what the user came for; the input columns follow.
  const isOutput = (c: string) => /^(prediction|probability)/i.test(c);
  const ordered = [...page.data.columns.filter(isOutput), ...page.data.columns.filter((c) => !isOutput(c))];
  const columns: GridColDef[] = ordered.map((c) => ({
    field: c,
    headerName: c,
    flex: 1,
    minWidth: 120,
    cellClassName: isOutput(c) ? "prediction-cell" : undefined,
    // Predictions rounded for display; the downloads keep every digit.
    ...(isOutput(c) ? { valueFormatter: (v: unknown) => formatPrediction(v, locale) } : {}),
  }));
  const rows = page.data.rows.map((r, i) => ({ __id: model.page * model.pageSize + i, ...r }));
  const col = predictionColumn(page.data.columns) ?? "prediction";
  const bars = fromSummary.length
    ? fromSummary
    : sample.data
      ? distribution(sample.data.rows.map((r) => r[col]))
      : [];
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, lg: 8 }}>
        <Box sx={{ height: 480 }} data-testid="results-grid">
          <DataGrid
            rows={rows}
            columns={columns}
            getRowId={(r) => r.__id as number}
            paginationMode="server"
            rowCount={page.data.total}
            paginationModel={model}
            onPaginationModelChange={setModel}
            pageSizeOptions={[25, 50, 100]}
            density="compact"
            loading={page.isFetching}
            disableRowSelectionOnClick
            sx={{ "& .prediction-cell": { fontWeight: 700 } }}
          />
        </Box>
      </Grid>
      <Grid size={{ xs: 12, lg: 4 }}>
        <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
          {t("runs.distribution")}
        </Typography>
        {bars.length > 0 ? (
          <Box data-testid="results-chart" role="img" aria-label={`${t("runs.distribution")}: ${bars.map((b) => `${b.label} ${b.count}`).join(", ")}`}>
            <BarChart
              height={300}
              xAxis={[{ scaleType: "band", data: bars.map((b) => b.label), tickLabelStyle: { fontSize: 11 } }]}
              series={[{ data: bars.map((b) => b.count), label: col, color: "#1f4e79" }]}
              hideLegend
            />
          </Box>
        ) : (
          <Typography color="text.secondary">–</Typography>
        )}
      </Grid>
    </Grid>
  );
}

function Summary({ e }: { e: Execution }) {
  const { t, when } = useI18n();
  return (
    <Facts
      perRow={3}
      items={[
        [t("common.status"), <StatusChip status={e.status} />],
        [t("deployments.model"), e.version ? `${e.model} v${e.version}` : e.model],
        [t("run.deployment"), e.deployment ? <DeploymentLink name={e.deployment} /> : "—"],
        [t("runs.trigger"), e.triggered_by ?? e.trigger],
        [t("runs.rowsRead"), e.rows_read],
        [t("runs.rowsWritten"), e.rows_written],
        [t("common.created"), when(e.created_at)],
        [t("runs.started"), when(e.started_at)],
        [t("runs.finished"), when(e.finished_at)],
      ]}
    />
  );
}

export function RunDetailPage() {
  const { t, tn } = useI18n();
  const { id: idParam = "" } = useParams();
  const id = Number(idParam);
  const client = useQueryClient();
  const execution = useQuery({
    queryKey: ["executions", id],
    queryFn: () => getExecution(id),
    refetchInterval: (q) => (q.state.data && TERMINAL_STATUSES.includes(q.state.data.status) ? false : 1000),
  });
  const cancel = useMutation({
    mutationFn: () => cancelExecution(id),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["executions"] }),
  });
  if (execution.isPending) return <Loading />;
  if (execution.isError) return <ErrorState error={execution.error} onRetry={() => void execution.refetch()} />;
  const e = execution.data;
  const live = !TERMINAL_STATUSES.includes(e.status);
  const pct = Math.round(e.progress * 100);
  return (
    <Box>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 2 }}>
        <Typography variant="h1">{t("runs.detailTitle", { id: e.id })}</Typography>
        {live && (
          <Can role="business_user">
            <Button color="warning" variant="outlined" onClick={() => cancel.mutate()} disabled={cancel.isPending}>
              {t("runs.cancel")}
            </Button>
          </Can>
        )}
      </Stack>
      <ErrorAlert error={cancel.error} sx={{ mb: 2 }} />
      <Section title={t("runs.summary")}>
        <Summary e={e} />
        <Box sx={{ mt: 2 }}>
          <LinearProgress
            variant={e.status === "queued" ? "indeterminate" : "determinate"}
            value={pct}
            color={e.status === "failed" ? "error" : e.status === "succeeded" ? "success" : "primary"}
            aria-label={`${t("runs.progress")}: ${pct} %`}
            data-testid="run-progress"
          />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
            {pct} %
          </Typography>
        </Box>
        {rejectedRows(e.summary) > 0 && (
          <Alert
            severity="warning"
            sx={{ mt: 2 }}
            data-testid="run-warnings"
            action={
              <Button color="inherit" size="small" href={errorsDownloadUrl(e.id)} startIcon={<DownloadIcon />}>
                {t("runs.errorsFile")}
              </Button>
            }
          >
            {tn("runs.rejected", rejectedRows(e.summary))}
          </Alert>
        )}
        {e.error && (
          <Alert severity="error" sx={{ mt: 2 }}>
            <strong>{t("runs.error")}:</strong> {e.error}
          </Alert>
        )}
      </Section>
      <Section title={t("runs.logs")}>
        <LiveLog id={id} live={live} />
      </Section>
      <Section
        title={t("runs.results")}
        action={
          e.status === "succeeded" ? (
            <ResultDownloads id={id} />
          ) : undefined
        }
      >
        {e.status === "succeeded" ? <Results id={id} summary={e.summary} /> : <Typography color="text.secondary">{t("runs.noResults")}</Typography>}
      </Section>
    </Box>
  );
}
