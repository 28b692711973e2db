/**
 * Trainings side by side (/trainings/compare?ids=1,2): their settings, best candidates and holdout
 * metrics; the best value of each score row is highlighted.
 */
import { alpha, Box, Link, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import { useQueries } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { getTraining } from "../api/client";
import type { Training } from "../api/types";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { useI18n } from "../i18n";
import { StatusChip } from "../runs/statusChip";
import { visuallyHidden } from "./a11y";
import { cvRow, holdoutRows, idsFromParam, type ScoreRow } from "./compare";
import { useLabels } from "./labels";
import { formatScore } from "./metrics";

function GroupRow({ label, span }: { label: string; span: number }) {
  return (
    <TableRow>
      <TableCell colSpan={span} sx={{ bgcolor: "action.hover", fontWeight: 700 }} component="th" scope="rowgroup">
        {label}
      </TableCell>
    </TableRow>
  );
}

function ValueRow({ label, cells, best = [] }: { label: string; cells: ReactNode[]; best?: number[] }) {
  const { t } = useI18n();
  return (
    <TableRow>
      <TableCell component="th" scope="row" sx={{ color: "text.secondary", whiteSpace: "nowrap" }}>
        {label}
      </TableCell>
      {cells.map((c, i) => (
        <TableCell
          key={i}
          data-best={best.includes(i) ? "true" : undefined}
          sx={best.includes(i) ? { fontWeight: 700, bgcolor: (theme) => alpha(theme.palette.success.main, 0.16) } : undefined}
        >
          {c}
          {best.includes(i) && (
            <Box component="span" sx={visuallyHidden}>
              {` (${t("trainings.best")})`}
            </Box>
          )}
        </TableCell>
      ))}
    </TableRow>
  );
}

function CompareTable({ trainings }: { trainings: Training[] }) {
  const { t, tn, when, locale } = useI18n();
  const { task, metric, candidate, seconds } = useLabels();
  const span = trainings.length + 1;
  const option = (tr: Training, k: string) => {
    const v = tr.options[k];
    if (v === null || v === undefined) return "–";
    return Array.isArray(v) ? v.map((x) => candidate(String(x))).join(", ") : String(v);
  };
  const score = (row: ScoreRow) => row.values.map((v) => formatScore(v, locale));
  const cv = cvRow(trainings);
  const holdout = holdoutRows(trainings);
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" data-testid="compare-table" aria-label={t("trainings.compareTitle")}>
        <TableHead>
          <TableRow>
            <TableCell />
            {trainings.map((tr) => (
              <TableCell key={tr.id} scope="col">
                <Link component={RouterLink} to={`/trainings/${tr.id}`}>
                  #{tr.id}
                </Link>{" "}
                <StatusChip status={tr.status} />
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          <GroupRow label={t("trainings.settings")} span={span} />
          <ValueRow label={t("trainings.dataset")} cells={trainings.map((tr) => `${tr.dataset} ${t("common.versionN", { n: tr.dataset_version })}`)} />
          <ValueRow label={t("trainings.target")} cells={trainings.map((tr) => tr.target)} />
          <ValueRow label={t("trainings.task")} cells={trainings.map((tr) => (tr.task ? task(tr.task) : "–"))} />
          <ValueRow label={t("trainings.metric")} cells={trainings.map((tr) => (tr.metric ? metric(tr.metric) : "–"))} />
          <ValueRow label={t("trainings.budget")} cells={trainings.map((tr) => seconds(tr.budget_s))} />
          <ValueRow label={t("trainings.folds")} cells={trainings.map((tr) => option(tr, "folds"))} />
          <ValueRow label={t("trainings.holdout")} cells={trainings.map((tr) => option(tr, "holdout"))} />
          <ValueRow label={t("trainings.seed")} cells={trainings.map((tr) => option(tr, "seed"))} />
          <ValueRow label={t("trainings.timeColumn")} cells={trainings.map((tr) => option(tr, "time_column"))} />
          <ValueRow
            label={t("trainings.candidates")}
            cells={trainings.map((tr) => (tr.options.candidates ? option(tr, "candidates") : t("trainings.allCandidates")))}
          />
          <ValueRow
            label={t("trainings.cleaning")}
            cells={trainings.map((tr) => (tr.steps.length ? tn("trainings.stepCount", tr.steps.length) : t("trainings.noSteps")))}
          />
          <ValueRow label={t("common.created")} cells={trainings.map((tr) => `${tr.created_by} · ${when(tr.created_at)}`)} />

          <GroupRow label={t("trainings.bestCandidate")} span={span} />
          <ValueRow label={t("trainings.candidate")} cells={trainings.map((tr) => (tr.best ? candidate(tr.best.candidate) : "–"))} />
          <ValueRow
            label={t("trainings.cvScore")}
            cells={trainings.map((tr) => (tr.best ? `${formatScore(tr.best.mean, locale)} ± ${formatScore(tr.best.std, locale)}` : "–"))}
            best={cv.best}
          />
          <ValueRow label={t("trainings.triedCandidates")} cells={trainings.map((tr) => tr.leaderboard.length)} />

          <GroupRow label={t("trainings.holdoutMetrics")} span={span} />
          {holdout.length === 0 && <ValueRow label={t("trainings.noEvaluation")} cells={trainings.map(() => "–")} />}
          {holdout.map((row) => (
            <ValueRow key={row.metric} label={metric(row.metric)} cells={score(row)} best={row.best} />
          ))}
        </TableBody>
      </Table>
    </Box>
  );
}

export function CompareTrainingsPage() {
  const { t } = useI18n();
  const [params] = useSearchParams();
  const ids = idsFromParam(params.get("ids"));
  const queries = useQueries({
    queries: ids.map((id) => ({ queryKey: ["trainings", id], queryFn: () => getTraining(id), enabled: ids.length >= 2 })),
  });
  const failed = queries.find((q) => q.isError);
  return (
    <Box>
      <Typography variant="h1" sx={{ mb: 2 }}>
        {t("trainings.compareTitle")}
      </Typography>
      {ids.length < 2 ? (
        <EmptyState
          action={
            <Link component={RouterLink} to="/trainings">
              {t("trainings.title")}
            </Link>
          }
        >
          {t("trainings.compareNeedsTwo")}
        </EmptyState>
      ) : failed ? (
        <ErrorState error={failed.error} onRetry={() => queries.forEach((q) => q.isError && void q.refetch())} />
      ) : queries.some((q) => q.isPending) ? (
        <Loading />
      ) : (
        <CompareTable trainings={queries.map((q) => q.data as Training)} />
      )}
    </Box>
  );
}
