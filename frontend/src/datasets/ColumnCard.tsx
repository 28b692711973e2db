/** One column of a profile: its kind, missing share, distinct values, statistics and distribution. */
import { Box, Card, CardContent, Chip, LinearProgress, Stack, Typography } from "@mui/material";
import { BarChart } from "@mui/x-charts/BarChart";
import type { ColumnProfile } from "../api/types";
import { Facts } from "../components/Facts";
import { useI18n, type MessageKey } from "../i18n";
import { histogramBars, kindChip, percent, statValue, topValueBars, type Bar } from "./profile";

/** An id for the column's card, so that a warning can lead to it. */
export function columnAnchor(name: string): string {
  return `column-${encodeURIComponent(name).replace(/%/g, "_")}`;
}

function Chart({ bars, title, horizontal }: { bars: Bar[]; title: string; horizontal: boolean }) {
  const label = `${title}: ${bars.map((b) => `${b.label} ${b.count}`).join(", ")}`;
  const height = horizontal ? Math.max(120, bars.length * 26 + 40) : 180;
  return (
    <Box role="img" aria-label={label} data-testid="column-chart" sx={{ mt: 1 }}>
      {horizontal ? (
        <BarChart
          height={height}
          layout="horizontal"
          yAxis={[{ scaleType: "band", data: bars.map((b) => b.label), width: 90, tickLabelStyle: { fontSize: 11 } }]}
          series={[{ data: bars.map((b) => b.count), color: "#2e7d32" }]}
          hideLegend
          margin={{ left: 0, right: 8, top: 8, bottom: 0 }}
        />
      ) : (
        <BarChart
          height={height}
          xAxis={[{ scaleType: "band", data: bars.map((b) => b.label), tickLabelStyle: { fontSize: 9 }, categoryGapRatio: 0.05 }]}
          series={[{ data: bars.map((b) => b.count), color: "#1f4e79" }]}
          hideLegend
          margin={{ left: 0, right: 8, top: 8, bottom: 0 }}
        />
      )}
    </Box>
  );
}

export function ColumnCard({ column, isTarget }: { column: ColumnProfile; isTarget?: boolean }) {
  const { t, locale } = useI18n();
  const c = column;
  const histogram = histogramBars(c, locale);
  const top = topValueBars(c);
  const q = c.quantiles ?? null;
  const facts: [string, string][] = [
    [t("datasets.col.missing"), `${percent(c.missing_share, locale)} (${c.missing.toLocaleString(locale)})`],
    [t("datasets.col.distinct"), c.distinct.toLocaleString(locale)],
  ];
  if (c.min !== null && c.min !== undefined) facts.push([t("datasets.col.min"), statValue(c.min, locale)]);
  if (c.max !== null && c.max !== undefined) facts.push([t("datasets.col.max"), statValue(c.max, locale)]);
  if (c.mean !== null && c.mean !== undefined) facts.push([t("datasets.col.mean"), statValue(c.mean, locale)]);
  if (c.std !== null && c.std !== undefined) facts.push([t("datasets.col.std"), statValue(c.std, locale)]);
  return (
    <Card variant="outlined" id={columnAnchor(c.name)} data-testid="column-card" sx={{ height: "100%" }}>
      <CardContent>
        <Stack direction="row" sx={{ justifyContent: "space-between", alignItems: "flex-start", gap: 1 }}>
          <Typography variant="h3" component="h3" sx={{ wordBreak: "break-word" }}>
            {c.name}
          </Typography>
          <Stack direction="row" spacing={0.5}>
            {isTarget && <Chip size="small" color="secondary" label={t("datasets.col.target")} />}
            <Chip size="small" {...kindChip(c.kind)} label={t(`datasets.kind.${c.kind}` as MessageKey)} data-testid="column-kind" />
          </Stack>
        </Stack>
        <Typography variant="caption" color="text.secondary">
          {c.dtype}
        </Typography>
        <LinearProgress
          variant="determinate"
          value={Math.min(100, c.missing_share * 100)}
          color={c.missing_share > 0.5 ? "error" : c.missing_share > 0 ? "warning" : "success"}
          aria-label={t("datasets.col.missingShare", { share: percent(c.missing_share, locale) })}
          sx={{ my: 1 }}
        />
        <Facts items={facts} perRow={2} />
        {q && Object.keys(q).length > 0 && (
          <Box sx={{ mt: 1 }}>
            <Typography variant="body2" color="text.secondary">
              {t("datasets.col.quantiles")}
            </Typography>
            <Typography variant="body2" data-testid="column-quantiles">
              {Object.entries(q)
                .map(([k, v]) => `${k} ${statValue(v, locale)}`)
                .join(" · ")}
            </Typography>
          </Box>
        )}
        {histogram.length > 0 ? (
          <Chart bars={histogram} title={t("datasets.col.histogram", { column: c.name })} horizontal={false} />
        ) : top.length > 0 ? (
          <Chart bars={top} title={t("datasets.col.topValues", { column: c.name })} horizontal />
        ) : null}
      </CardContent>
    </Card>
  );
}
