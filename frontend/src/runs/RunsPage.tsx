/** Runs (executions): filters in the URL, pages, refreshed while some are still going. */
import { Box, LinearProgress, Link, Stack, TextField, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link as RouterLink, useSearchParams } from "react-router";
import { listExecutions } from "../api/client";
import { EXECUTION_STATUSES, TERMINAL_STATUSES } from "../api/types";
import { QueryTable } from "../components/DataTable";
import { FormField } from "../components/FormField";
import { Pager } from "../components/Pager";
import { DeploymentLink } from "../deployments/DeploymentLink";
import { useI18n, type MessageKey } from "../i18n";
import { StatusChip } from "./statusChip";

const PAGE_SIZE = 20;

export function RunsPage() {
  const { t, when } = useI18n();
  const [params, setParams] = useSearchParams();
  const status = EXECUTION_STATUSES.find((s) => s === params.get("status"));
  // A deployment's id or name, as the API takes it.
  const deployment = params.get("deployment") ?? undefined;
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const q = useQuery({
    queryKey: ["executions", { status, deployment, page }],
    queryFn: () => listExecutions({ status, deployment, page, page_size: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) =>
      query.state.data?.items.some((e) => !TERMINAL_STATUSES.includes(e.status)) ? 3000 : false,
  });
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== "page") next.delete("page");
    setParams(next);
  };
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("runs.title")}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
        <FormField
          label={t("runs.filterStatus")}
          value={status ?? ""}
          onChange={(e) => set("status", e.target.value || null)}
          options={[{ value: "", label: t("runs.all") }, ...EXECUTION_STATUSES.map((s) => ({ value: s, label: t(`runs.status.${s}` as MessageKey) }))]}
          fullWidth={false}
          sx={{ minWidth: 180 }}
        />
        {deployment && (
          <TextField label={t("run.deployment")} value={deployment} slotProps={{ input: { readOnly: true } }} onClick={() => set("deployment", null)} />
        )}
      </Stack>
      <QueryTable
        query={q}
        empty={t("runs.empty")}
        testId="runs-table"
        hover
        rows={(data) => data.items}
        footer={(data) => (
          <Pager total={data.total} pageSize={PAGE_SIZE} page={page} onChange={(p) => set("page", p === 1 ? null : String(p))} />
        )}
        rowKey={(e) => e.id}
        columns={[
          {
            label: t("runs.id"),
            cell: (e) => (
              <Link component={RouterLink} to={`/runs/${e.id}`}>
                #{e.id}
              </Link>
            ),
          },
          { label: t("deployments.model"), cell: (e) => e.model },
          { label: t("run.deployment"), cell: (e) => e.deployment ? <DeploymentLink name={e.deployment} /> : "—" },
          { label: t("common.status"), cell: (e) => <StatusChip status={e.status} /> },
          {
            label: t("runs.progress"),
            headSx: { width: 160 },
            cell: (e) => (
              <LinearProgress variant="determinate" value={Math.round(e.progress * 100)} aria-label={`${t("runs.progress")} #${e.id}`} />
            ),
          },
          { label: t("runs.rowsWritten"), align: "right", cell: (e) => e.rows_written },
          { label: t("common.created"), cell: (e) => when(e.created_at) },
          { label: t("runs.finished"), cell: (e) => when(e.finished_at) },
        ]}
      />
    </Box>
  );
}
