/**
 * A training's evaluation on its holdout: metrics, confusion matrix (shaded cells), ROC,
 * precision-recall and calibration curves, residuals (regression) and permutation importance.
 * Each chart carries a sentence for screen readers (its role is an image).
 */
import { alpha, Box, Grid, Table, TableBody, TableCell, TableHead, TableRow, Typography, useTheme } from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import { LineChart } from "@mui/x-charts/LineChart";
import { ScatterChart } from "@mui/x-charts/ScatterChart";
import type { ReactNode } from "react";
import type { ConfusionMatrix, Curve, Evaluation } from "../api/types";
import { useI18n } from "../i18n";
import { useLabels } from "./labels";
import { formatScore } from "./metrics";

const CHART_HEIGHT = 280;
const REFERENCE = "#9e9e9e";

function Chart({ title, label, testId, children }: { title: string; label: string; testId: string; children: ReactNode }) {
  return (
    <Box>
      <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
        {title}
      </Typography>
      <Box role="img" aria-label={label} data-testid={testId}>
        {children}
      </Box>
    </Box>
  );
}

export function MetricsTable({ metrics, primary }: { metrics: Record<string, number>; primary: string | null }) {
  const { t, locale } = useI18n();
  const { metric } = useLabels();
  const names = Object.keys(metrics).sort((a, b) => (a === primary ? -1 : b === primary ? 1 : a.localeCompare(b)));
  return (
    <Table size="small" data-testid="holdout-metrics" aria-label={t("trainings.holdoutMetrics")}>
      <TableBody>
        {names.map((name) => (
          <TableRow key={name}>
            <TableCell component="th" scope="row" sx={name === primary ? { fontWeight: 700 } : undefined}>
              {metric(name)}
            </TableCell>
            <TableCell align="right" sx={name === primary ? { fontWeight: 700 } : undefined}>
              {formatScore(metrics[name], locale)}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

/** Rows are the actual classes, columns the predicted ones; a cell is shaded by its share of its row. */
export function ConfusionTable({ cm }: { cm: ConfusionMatrix }) {
  const { t, locale } = useI18n();
  const theme = useTheme();
  const count = new Intl.NumberFormat(locale);
  return (
    <Box sx={{ overflowX: "auto" }}>
      <Table size="small" data-testid="confusion-matrix" aria-label={t("trainings.confusionMatrix")}>
        <TableHead>
          <TableRow>
            <TableCell>{t("trainings.actualPredicted")}</TableCell>
            {cm.labels.map((l) => (
              <TableCell key={l} align="right">
                {l}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {cm.matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0) || 1;
            return (
              <TableRow key={cm.labels[i] ?? i}>
                <TableCell component="th" scope="row">
                  {cm.labels[i]}
                </TableCell>
                {row.map((n, j) => {
                  const share = n / total;
                  return (
                    <TableCell
                      key={j}
                      align="right"
                      data-share={share.toFixed(2)}
                      sx={{
                        // Light enough for the text to stay readable at any share.
                        bgcolor: alpha(i === j ? theme.palette.success.main : theme.palette.error.main, n ? 0.08 + 0.42 * share : 0),
                        fontWeight: i === j ? 700 : 400,
                      }}
                    >
                      {count.format(n)}
                    </TableCell>
                  );
                })}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </Box>
  );
}

/** A curve on the unit square, with the reference line (chance, or a perfect calibration) when asked. */
function CurveChart({ curve, name, xLabel, yLabel, diagonal }: { curve: Curve; name: string; xLabel: string; yLabel: string; diagonal?: string }) {
  return (
    <LineChart
      height={CHART_HEIGHT}
      xAxis={[{ data: curve.x, min: 0, max: 1, label: xLabel, scaleType: "linear" }]}
      yAxis={[{ min: 0, max: 1, label: yLabel }]}
      series={[
        { data: curve.y, label: name, showMark: false, curve: "linear" },
        ...(diagonal ? [{ data: curve.x, label: diagonal, showMark: false, curve: "linear" as const, color: REFERENCE }] : []),
      ]}
      grid={{ horizontal: true, vertical: true }}
    />
  );
}

export function EvaluationPanel({ evaluation, metric }: { evaluation: Evaluation; metric: string | null }) {
  const { t, tn, locale } = useI18n();
  const f = (v: number) => formatScore(v, locale);
  const { roc, precision_recall: pr, calibration, residuals, confusion_matrix: cm, importance } = evaluation;
  const top = (importance ?? []).slice(0, 30);
  return (
    <Grid container spacing={3} data-testid="evaluation">
      <Grid size={{ xs: 12, md: 4 }}>
        <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
          {t("trainings.holdoutMetrics")}
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          {tn("trainings.holdoutRows", evaluation.rows)}
          {evaluation.threshold !== null && evaluation.threshold !== undefined && ` · ${t("trainings.threshold", { value: f(evaluation.threshold) })}`}
        </Typography>
        <MetricsTable metrics={evaluation.metrics} primary={metric} />
      </Grid>
      {cm && (
        <Grid size={{ xs: 12, md: 8 }}>
          <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
            {t("trainings.confusionMatrix")}
          </Typography>
          <ConfusionTable cm={cm} />
        </Grid>
      )}
      {roc && (
        <Grid size={{ xs: 12, md: 6 }}>
          <Chart
            title={roc.area != null ? t("trainings.rocAuc", { auc: f(roc.area) }) : t("trainings.roc")}
            label={t("trainings.rocLabel", { n: roc.x.length, auc: roc.area != null ? f(roc.area) : "–" })}
            testId="chart-roc"
          >
            <CurveChart curve={roc} name={t("trainings.roc")} xLabel={t("trainings.fpr")} yLabel={t("trainings.tpr")} diagonal={t("trainings.chance")} />
          </Chart>
        </Grid>
      )}
      {pr && (
        <Grid size={{ xs: 12, md: 6 }}>
          <Chart
            title={pr.area != null ? t("trainings.prAp", { ap: f(pr.area) }) : t("trainings.pr")}
            label={t("trainings.prLabel", { n: pr.x.length })}
            testId="chart-pr"
          >
            <CurveChart curve={pr} name={t("trainings.pr")} xLabel={t("trainings.recall")} yLabel={t("trainings.precision")} />
          </Chart>
        </Grid>
      )}
      {calibration && (
        <Grid size={{ xs: 12, md: 6 }}>
          <Chart title={t("trainings.calibration")} label={t("trainings.calibrationLabel", { n: calibration.x.length })} testId="chart-calibration">
            <CurveChart
              curve={calibration}
              name={t("trainings.calibration")}
              xLabel={t("trainings.meanPredicted")}
              yLabel={t("trainings.observed")}
              diagonal={t("trainings.perfect")}
            />
          </Chart>
        </Grid>
      )}
      {residuals && (
        <Grid size={{ xs: 12, md: 6 }}>
          <Chart title={t("trainings.residuals")} label={t("trainings.residualsLabel", { n: residuals.predicted.length })} testId="chart-residuals">
            <ScatterChart
              height={CHART_HEIGHT}
              xAxis={[{ label: t("trainings.predicted") }]}
              yAxis={[{ label: t("trainings.residual") }]}
              series={[
                {
                  data: residuals.predicted.map((x, i) => ({ x, y: residuals.residual[i], id: i })),
                  label: t("trainings.residuals"),
                  markerSize: 3,
                },
              ]}
              hideLegend
              grid={{ horizontal: true }}
            />
          </Chart>
        </Grid>
      )}
      {top.length > 0 && (
        <Grid size={12}>
          <Chart
            title={t("trainings.importance")}
            label={t("trainings.importanceLabel", { features: top.slice(0, 5).map((i) => `${i.feature} ${f(i.mean)}`).join(", ") })}
            testId="chart-importance"
          >
            <BarChart
              layout="horizontal"
              height={Math.max(160, 28 * top.length + 60)}
              yAxis={[{ scaleType: "band", data: top.map((i) => i.feature), width: 160 }]}
              xAxis={[{ label: t("trainings.importanceAxis") }]}
              series={[{ data: top.map((i) => i.mean), label: t("trainings.importance"), valueFormatter: (v) => (v == null ? "" : f(v)) }]}
              hideLegend
            />
          </Chart>
        </Grid>
      )}
    </Grid>
  );
}
