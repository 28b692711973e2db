/** The online answer: predictions rounded for display, probabilities, the rows sent, and the values flagged. */
import { Alert, Box, List, ListItem, Typography } from "@mui/material";
import type { PredictResponse, PredictionWarning } from "../api/types";
import { DataTable } from "../components/DataTable";
import { formatPrediction, formatProbability } from "../lib/numbers";
import type { Row } from "../lib/schemaForm";
import { useI18n } from "../i18n";

/** A value as the user typed it, for a sentence. */
function shown(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** The values scored although the model does not know them (unknown categories), one line each. */
export function PredictionWarnings({ warnings }: { warnings: PredictionWarning[] }) {
  const { t, tn } = useI18n();
  if (!warnings.length) return null;
  return (
    <Alert severity="warning" sx={{ mt: 2 }} data-testid="prediction-warnings">
      {tn("run.warnings", warnings.length)}
      <List dense disablePadding>
        {warnings.slice(0, 20).map((w, i) => (
          <ListItem key={i} disableGutters sx={{ py: 0 }}>
            {t("run.warningLine", { row: w.row + 1, column: w.column, value: shown(w.value) })}
          </ListItem>
        ))}
      </List>
    </Alert>
  );
}

export function PredictionTable({ rows, answer }: { rows: Row[]; answer: PredictResponse }) {
  const { t, locale } = useI18n();
  const inputCols = rows[0] ? Object.keys(rows[0]) : [];
  const classes = answer.probabilities?.[0] ? Object.keys(answer.probabilities[0]) : [];
  const warnings = answer.warnings ?? [];
  const flagged = (i: number, c: string) => warnings.some((w) => w.row === i && w.column === c);
  return (
    <Box sx={{ mt: 2 }} data-testid="predictions">
      <Typography variant="h3" component="h3" sx={{ mb: 1 }}>
        {t("run.predictions")}
      </Typography>
      <Box sx={{ overflowX: "auto" }} tabIndex={0}>
        <DataTable
          rows={answer.predictions.map((_p, i) => i)}
          rowKey={(i) => i}
          columns={[
            {
              label: t("run.prediction"),
              sx: { fontWeight: 700, fontVariantNumeric: "tabular-nums" },
              cell: (i) => formatPrediction(answer.predictions[i], locale),
            },
            ...classes.map((c) => ({
              label: `P(${c})`,
              sx: { whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" },
              cell: (i: number) => formatProbability(answer.probabilities?.[i]?.[c] ?? 0, locale),
            })),
            ...inputCols.map((c) => ({
              label: c,
              cell: (i: number) =>
                flagged(i, c) ? (
                  <Box component="span" sx={{ color: "warning.main", fontWeight: 600 }} title={t("run.unknownValue")}>
                    {String(rows[i]?.[c] ?? "")} ⚠
                  </Box>
                ) : (
                  String(rows[i]?.[c] ?? "")
                ),
            })),
          ]}
        />
      </Box>
      <PredictionWarnings warnings={warnings} />
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
        {t("run.answeredBy", { n: answer.version, id: answer.request_id })}
      </Typography>
    </Box>
  );
}
