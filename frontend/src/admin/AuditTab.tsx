import { Box, Grid } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { listAudit, listAuditActions, type QueryOf } from "../api/client";
import { QueryTable } from "../components/DataTable";
import { FormField } from "../components/FormField";
import { Pager } from "../components/Pager";
import { DateField } from "../components/DateField";
import { dayStart } from "../lib/dates";
import { useDebounced } from "../lib/useDebounced";
import { useI18n } from "../i18n";

const PAGE_SIZE = 25;

export function AuditTab() {
  const { t, when } = useI18n();
  const [filters, setFilters] = useState({ actor: "", action: "", target_type: "", target: "", since: "", until: "" });
  const [page, setPage] = useState(1);
  const actions = useQuery({ queryKey: ["audit", "actions"], queryFn: listAuditActions, staleTime: 60_000 });
  const debounced = useDebounced(filters, 300);
  const query: QueryOf<"listAuditEvents"> = {
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
        <FormField cell={2} label={t("admin.auditActor")} value={filters.actor} onChange={set("actor")} />
        <FormField
          cell={2}
          label={t("admin.auditAction")}
          value={filters.action}
          onChange={set("action")}
          options={[{ value: "", label: t("admin.allActions") }, ...(actions.data ?? [])]}
        />
        <FormField cell={2} label={t("admin.auditTargetType")} value={filters.target_type} onChange={set("target_type")} />
        <FormField cell={2} label={t("admin.auditTarget")} value={filters.target} onChange={set("target")} />
        <DateField cell={2} label={t("admin.auditSince")} value={filters.since} onChange={(v) => set("since")({ target: { value: v } })} />
        <DateField cell={2} label={t("admin.auditUntil")} value={filters.until} onChange={(v) => set("until")({ target: { value: v } })} />
      </Grid>
      <QueryTable
        query={q}
        empty={t("admin.noAudit")}
        testId="audit-table"
        rows={(data) => data.items}
        footer={(data) => <Pager total={data.total} pageSize={PAGE_SIZE} page={page} onChange={setPage} />}
        rowKey={(ev) => ev.id}
        columns={[
          { label: t("admin.auditAt"), sx: { whiteSpace: "nowrap" }, cell: (ev) => when(ev.at) },
          { label: t("admin.auditActor"), cell: (ev) => ev.actor ?? "–" },
          { label: t("admin.auditAction"), cell: (ev) => <code>{ev.action}</code> },
          { label: t("admin.auditTarget"), cell: (ev) => (ev.target ? `${ev.target_type}: ${ev.target}` : ev.target_type) },
          {
            label: t("admin.auditDetails"),
            sx: { maxWidth: 360, fontSize: 12, fontFamily: "monospace", wordBreak: "break-all" },
            cell: (ev) => (Object.keys(ev.details).length ? JSON.stringify(ev.details) : ""),
          },
          { label: t("admin.auditIp"), cell: (ev) => ev.ip ?? "" },
        ]}
      />
    </Box>
  );
}
