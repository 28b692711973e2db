import { Box, Grid, MenuItem, Pagination, Table, TableBody, TableCell, TableHead, TableRow, TextField } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { listAudit, listAuditActions, type AuditQuery } from "../api/client";
import { QueryState } from "../components/States";
import { useDebounced } from "../lib/useDebounced";
import { useI18n } from "../i18n";

const PAGE_SIZE = 25;

/** A date input's value (YYYY-MM-DD) as the start of that day in the user's zone, in ISO form. */
function dayStart(value: string, end = false): string | undefined {
  if (!value) return undefined;
  const d = new Date(`${value}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function AuditTab() {
  const { t, locale } = useI18n();
  const [filters, setFilters] = useState({ actor: "", action: "", target_type: "", target: "", since: "", until: "" });
  const [page, setPage] = useState(1);
  const actions = useQuery({ queryKey: ["audit", "actions"], queryFn: listAuditActions, staleTime: 60_000 });
  const debounced = useDebounced(filters, 300);
  const query: AuditQuery = {
    page,
    page_size: PAGE_SIZE,
    actor: debounced.actor.trim() || undefined,
    action: debounced.action.trim() || undefined,
    target_type: debounced.target_type.trim() || undefined,
    target: debounced.target.trim() || undefined,
    since: dayStart(debounced.since),
    until: dayStart(debounced.until, true),
  };
  const q = useQuery({ queryKey: ["audit", query], queryFn: () => listAudit(query), placeholderData: keepPreviousData });
  const set = (k: keyof typeof filters) => (e: { target: { value: string } }) => {
    setFilters({ ...filters, [k]: e.target.value });
    setPage(1);
  };
  return (
    <Box>
      <Grid container spacing={2} sx={{ mb: 2 }}>
        <Grid size={2}>
          <TextField fullWidth label={t("admin.auditActor")} value={filters.actor} onChange={set("actor")} />
        </Grid>
        <Grid size={2}>
          <TextField select fullWidth label={t("admin.auditAction")} value={filters.action} onChange={set("action")}>
            <MenuItem value="">{t("admin.allActions")}</MenuItem>
            {(actions.data ?? []).map((a) => (
              <MenuItem key={a} value={a}>
                {a}
              </MenuItem>
            ))}
          </TextField>
        </Grid>
        <Grid size={2}>
          <TextField fullWidth label={t("admin.auditTargetType")} value={filters.target_type} onChange={set("target_type")} />
        </Grid>
        <Grid size={2}>
          <TextField fullWidth label={t("admin.auditTarget")} value={filters.target} onChange={set("target")} />
        </Grid>
        <Grid size={2}>
          <TextField fullWidth type="date" label={t("admin.auditSince")} value={filters.since} onChange={set("since")} slotProps={{ inputLabel: { shrink: true } }} />
        </Grid>
        <Grid size={2}>
          <TextField fullWidth type="date" label={t("admin.auditUntil")} value={filters.until} onChange={set("until")} slotProps={{ inputLabel: { shrink: true } }} />
        </Grid>
      </Grid>
      <QueryState query={q} isEmpty={(d) => d.items.length === 0} empty={t("admin.noAudit")}>
        {(data) => (
          <>
            <Table size="small" data-testid="audit-table">
              <TableHead>
                <TableRow>
                  <TableCell>{t("admin.auditAt")}</TableCell>
                  <TableCell>{t("admin.auditActor")}</TableCell>
                  <TableCell>{t("admin.auditAction")}</TableCell>
                  <TableCell>{t("admin.auditTarget")}</TableCell>
                  <TableCell>{t("admin.auditDetails")}</TableCell>
                  <TableCell>{t("admin.auditIp")}</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {data.items.map((ev) => (
                  <TableRow key={ev.id}>
                    <TableCell sx={{ whiteSpace: "nowrap" }}>{new Date(ev.at).toLocaleString(locale)}</TableCell>
                    <TableCell>{ev.actor ?? "–"}</TableCell>
                    <TableCell>
                      <code>{ev.action}</code>
                    </TableCell>
                    <TableCell>
                      {ev.target_type}
                      {ev.target ? `: ${ev.target}` : ""}
                    </TableCell>
                    <TableCell sx={{ maxWidth: 360, fontSize: 12, fontFamily: "monospace", wordBreak: "break-all" }}>
                      {Object.keys(ev.details).length ? JSON.stringify(ev.details) : ""}
                    </TableCell>
                    <TableCell>{ev.ip ?? ""}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
            {data.total > PAGE_SIZE && (
              <Pagination sx={{ mt: 2, display: "flex", justifyContent: "center" }} count={Math.ceil(data.total / PAGE_SIZE)} page={page} onChange={(_e, p) => setPage(p)} />
            )}
          </>
        )}
      </QueryState>
    </Box>
  );
}
