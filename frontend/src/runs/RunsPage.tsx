/** Runs (executions): filters in the URL, pages, refreshed while some are still going. */
import { Box, LinearProgress, Link, MenuItem, Pagination, Stack, Table, TableBody, TableCell, TableHead, TableRow, TextField, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Link as RouterLink, useSearchParams } from "react-router";
import { listExecutions } from "../api/client";
import { TERMINAL_STATUSES, type ExecutionStatus } from "../api/types";
import { QueryState } from "../components/States";
import { useI18n, type MessageKey } from "../i18n";
import { StatusChip } from "./statusChip";

const STATUSES: ExecutionStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];
const PAGE_SIZE = 20;

export function RunsPage() {
  const { t, locale } = useI18n();
  const [params, setParams] = useSearchParams();
  const status = (params.get("status") as ExecutionStatus | null) ?? undefined;
  const deployment = params.get("deployment") ? Number(params.get("deployment")) : undefined;
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
  const when = (iso?: string | null) => (iso ? new Date(iso).toLocaleString(locale) : "–");
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("runs.title")}
      </Typography>
      <Stack direction="row" spacing={2} sx={{ mb: 2 }}>
        <TextField select label={t("runs.filterStatus")} value={status ?? ""} onChange={(e) => set("status", e.target.value || null)} sx={{ minWidth: 180 }}>
          <MenuItem value="">{t("runs.all")}</MenuItem>
          {STATUSES.map((s) => (
            <MenuItem key={s} value={s}>
              {t(`runs.status.${s}` as MessageKey)}
            </MenuItem>
          ))}
        </TextField>
        {deployment && (
          <TextField label={t("run.deployment")} value={deployment} slotProps={{ input: { readOnly: true } }} onClick={() => set("deployment", null)} />
        )}
      </Stack>
      <QueryState query={q} notAvailable isEmpty={(d) => d.items.length === 0} empty={t("runs.empty")}>
        {(data) => (
          <>
            <Table size="small" data-testid="runs-table">
              <TableHead>
                <TableRow>
                  <TableCell>{t("runs.id")}</TableCell>
                  <TableCell>{t("deployments.model")}</TableCell>
                  <TableCell>{t("run.deployment")}</TableCell>
                  <TableCell>{t("common.status")}</TableCell>
                  <TableCell sx={{ width: 160 }}>{t("runs.progress")}</TableCell>
                  <TableCell align="right">{t("runs.rowsWritten")}</TableCell>
                  <TableCell>{t("common.created")}</TableCell>
                  <TableCell>{t("runs.finished")}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((e) => (
                  <TableRow key={e.id} hover>
                    <TableCell>
                      <Link component={RouterLink} to={`/runs/${e.id}`}>
                        #{e.id}
                      </Link>
                    </TableCell>
                    <TableCell>{e.model ?? "–"}</TableCell>
                    <TableCell>{String(e.deployment ?? e.deployment_id ?? "–")}</TableCell>
                    <TableCell>
                      <StatusChip status={e.status} />
                    </TableCell>
                    <TableCell>
                      <LinearProgress variant="determinate" value={Math.round((e.progress ?? 0) * 100)} aria-label={`${t("runs.progress")} #${e.id}`} />
                    </TableCell>
                    <TableCell align="right">{e.rows_written ?? "–"}</TableCell>
                    <TableCell>{when(e.created_at)}</TableCell>
                    <TableCell>{when(e.finished_at)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {data.total > PAGE_SIZE && (
              <Pagination
                sx={{ mt: 2, display: "flex", justifyContent: "center" }}
                count={Math.ceil(data.total / PAGE_SIZE)}
                page={page}
                onChange={(_e, p) => set("page", p === 1 ? null : String(p))}
              />
            )}
          </>
        )}
      </QueryState>
    </Box>
  );
}
