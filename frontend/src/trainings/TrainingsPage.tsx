/**
 * Trainings: filters (dataset, status) and the page in the URL, refreshed while some still run; pick
 * 2 to 4 of them to compare side by side.
 */
import AddIcon from "@mui/icons-material/Add";
import CompareArrowsIcon from "@mui/icons-material/CompareArrows";
import { Box, Button, Checkbox, Link, Stack, Typography } from "@mui/material";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link as RouterLink, useNavigate, useSearchParams } from "react-router";
import { listDatasets, listTrainings } from "../api/client";
import { EXECUTION_STATUSES, TERMINAL_STATUSES, type Training } from "../api/types";
import { Can } from "../auth/session";
import { DataTable } from "../components/DataTable";
import { FormField } from "../components/FormField";
import { Pager } from "../components/Pager";
import { EmptyState, QueryState } from "../components/States";
import { useI18n, type MessageKey } from "../i18n";
import { StatusChip } from "../runs/statusChip";
import { useLabels } from "./labels";
import { visuallyHidden } from "./a11y";
import { COMPARE_MAX, compareLink } from "./compare";
import { formatScore } from "./metrics";
import { EMPTY_IS_A_CHOICE } from "./WizardSteps";

const PAGE_SIZE = 20;
/** The fewest trainings the compare page takes. */
const COMPARE_MIN = 2;

function TrainButton() {
  const { t } = useI18n();
  return (
    <Can role="data_scientist">
      <Button variant="contained" startIcon={<AddIcon />} component={RouterLink} to="/trainings/new">
        {t("trainings.trainAModel")}
      </Button>
    </Can>
  );
}

export function TrainingsPage() {
  const { t, when, locale } = useI18n();
  const { task, metric, candidate } = useLabels();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const [picked, setPicked] = useState<number[]>([]);
  const status = EXECUTION_STATUSES.find((s) => s === params.get("status"));
  const dataset = params.get("dataset") ?? undefined;
  const page = Math.max(1, Number(params.get("page") ?? 1) || 1);
  const q = useQuery({
    queryKey: ["trainings", { dataset, status, page }],
    queryFn: () => listTrainings({ dataset, status, page, page_size: PAGE_SIZE }),
    placeholderData: keepPreviousData,
    refetchInterval: (query) => (query.state.data?.items.some((x) => !TERMINAL_STATUSES.includes(x.status)) ? 3000 : false),
  });
  const datasets = useQuery({ queryKey: ["datasets", { page_size: 100 }], queryFn: () => listDatasets({ page_size: 100 }) });
  const set = (k: string, v: string | null) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v);
    else next.delete(k);
    if (k !== "page") next.delete("page");
    setParams(next);
  };
  const toggle = (id: number) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const filtered = !!(status || dataset);
  const names = (datasets.data?.items ?? []).map((d) => d.name);
  if (dataset && !names.includes(dataset)) names.unshift(dataset);
  const canCompare = picked.length >= COMPARE_MIN && picked.length <= COMPARE_MAX;
  return (
    <Box>
      <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "center", mb: 2, gap: 2, flexWrap: "wrap" }}>
        <Typography variant="h1">{t("trainings.title")}</Typography>
        <Stack direction="row" spacing={1}>
          <Button
            variant="outlined"
            startIcon={<CompareArrowsIcon />}
            disabled={!canCompare}
            onClick={() => void navigate(compareLink(picked))}
            data-testid="compare-button"
          >
            {t("trainings.compareN", { n: picked.length })}
          </Button>
          <TrainButton />
        </Stack>
      </Stack>
      <Stack direction="row" spacing={2} sx={{ mb: 2, flexWrap: "wrap" }}>
        <FormField
          label={t("trainings.dataset")}
          value={dataset ?? ""}
          onChange={(e) => set("dataset", e.target.value || null)}
          options={[{ value: "", label: t("runs.all") }, ...names.map((n) => ({ value: n, label: n }))]}
          fullWidth={false}
          sx={{ minWidth: 220 }}
          slotProps={EMPTY_IS_A_CHOICE}
        />
        <FormField
          label={t("runs.filterStatus")}
          value={status ?? ""}
          onChange={(e) => set("status", e.target.value || null)}
          options={[{ value: "", label: t("runs.all") }, ...EXECUTION_STATUSES.map((s) => ({ value: s, label: t(`runs.status.${s}` as MessageKey) }))]}
          fullWidth={false}
          sx={{ minWidth: 180 }}
          slotProps={EMPTY_IS_A_CHOICE}
        />
      </Stack>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        {t("trainings.pickHelp", { min: COMPARE_MIN, max: COMPARE_MAX })}
      </Typography>
      <QueryState query={q}>
        {(data) =>
          data.items.length === 0 ? (
            <EmptyState action={filtered ? undefined : <TrainButton />}>{filtered ? t("trainings.emptyFiltered") : t("trainings.empty")}</EmptyState>
          ) : (
          <>
            <DataTable<Training>
              testId="trainings-table"
              hover
              rows={data.items}
              rowKey={(x) => x.id}
              columns={[
                {
                  label: <Box component="span" sx={visuallyHidden}>{t("trainings.pick")}</Box>,
                  headSx: { width: 48 },
                  cell: (x) => (
                    <Checkbox
                      size="small"
                      checked={picked.includes(x.id)}
                      disabled={!picked.includes(x.id) && picked.length >= COMPARE_MAX}
                      onChange={() => toggle(x.id)}
                      slotProps={{ input: { "aria-label": t("trainings.pickN", { id: x.id }) } }}
                    />
                  ),
                },
                {
                  label: t("trainings.id"),
                  rowHeader: true,
                  cell: (x) => (
                    <Link component={RouterLink} to={`/trainings/${x.id}`}>
                      #{x.id}
                    </Link>
                  ),
                },
                { label: t("trainings.dataset"), cell: (x) => `${x.dataset} ${t("common.versionN", { n: x.dataset_version })}` },
                { label: t("trainings.target"), cell: (x) => x.target },
                { label: t("trainings.task"), cell: (x) => (x.task ? task(x.task) : "–") },
                { label: t("trainings.metric"), cell: (x) => (x.metric ? metric(x.metric) : "–") },
                {
                  label: t("trainings.bestCandidate"),
                  cell: (x) => (x.best ? `${candidate(x.best.candidate)} · ${formatScore(x.best.mean, locale)}` : "–"),
                },
                { label: t("common.status"), cell: (x) => <StatusChip status={x.status} /> },
                { label: t("trainings.createdBy"), cell: (x) => x.created_by },
                { label: t("common.created"), cell: (x) => when(x.created_at) },
              ]}
            />
            <Pager total={data.total} pageSize={PAGE_SIZE} page={page} onChange={(p) => set("page", p === 1 ? null : String(p))} />
          </>
          )
        }
      </QueryState>
    </Box>
  );
}
