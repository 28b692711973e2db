/** A training's leaderboard: each candidate tried, its cross-validated score and times; the best marked. */
import { Box, Button, Chip, Table, TableBody, TableCell, TableHead, TableRow, Tooltip, Typography } from "@mui/material";
import { useState } from "react";
import type { LeaderboardEntry } from "../api/types";
import { useI18n } from "../i18n";
import { useLabels } from "./labels";
import { formatScore } from "./metrics";

/** Rows shown before "show all". */
const SHOWN = 15;

/** Hyper-parameters as one line for a tooltip. */
function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === "number" ? Number(v.toPrecision(4)) : JSON.stringify(v)}`)
    .join(", ");
}

export function Leaderboard({ entries, best, metric }: { entries: LeaderboardEntry[]; best: LeaderboardEntry | null; metric: string | null }) {
  const { t, locale } = useI18n();
  const { candidate, metric: metricLabel, seconds } = useLabels();
  const [all, setAll] = useState(false);
  const sorted = [...entries].sort((a, b) => a.rank - b.rank);
  const rows = all ? sorted : sorted.slice(0, SHOWN);
  const isBest = (e: LeaderboardEntry) => (best ? e.trial === best.trial && e.candidate === best.candidate : e.rank === 1);
  return (
    <Box>
      <Table size="small" data-testid="leaderboard" aria-label={t("trainings.leaderboard")}>
        <TableHead>
          <TableRow>
            <TableCell align="right">{t("trainings.rank")}</TableCell>
            <TableCell>{t("trainings.candidate")}</TableCell>
            <TableCell align="right">{metric ? metricLabel(metric) : t("trainings.score")} ({t("trainings.meanStd")})</TableCell>
            <TableCell>{t("trainings.foldScores")}</TableCell>
            <TableCell align="right">{t("trainings.fitSeconds")}</TableCell>
            <TableCell align="right">{t("trainings.predictSeconds")}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((e) => {
            const top = isBest(e);
            return (
              <TableRow
                key={`${e.trial}-${e.candidate}`}
                selected={top}
                data-testid="leaderboard-row"
                aria-current={top ? "true" : undefined}
                sx={top ? { "& td, & th": { fontWeight: 700 } } : undefined}
              >
                <TableCell align="right">{e.rank}</TableCell>
                <TableCell component="th" scope="row">
                  <Tooltip title={paramsText(e.params) || t("trainings.defaultParams")}>
                    <span>{candidate(e.candidate)}</span>
                  </Tooltip>
                  {top && <Chip size="small" color="success" label={t("trainings.best")} sx={{ ml: 1 }} />}
                </TableCell>
                <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                  {formatScore(e.mean, locale)} ± {formatScore(e.std, locale)}
                </TableCell>
                <TableCell sx={{ color: "text.secondary" }}>{e.fold_scores.map((s) => formatScore(s, locale)).join(" · ")}</TableCell>
                <TableCell align="right">{seconds(e.fit_seconds)}</TableCell>
                <TableCell align="right">{seconds(e.predict_seconds)}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
      {sorted.length > SHOWN && (
        <Button size="small" sx={{ mt: 1 }} onClick={() => setAll(!all)}>
          {all ? t("trainings.showFewer") : t("trainings.showAll", { n: sorted.length })}
        </Button>
      )}
      {entries.length === 0 && (
        <Typography color="text.secondary" sx={{ p: 2 }}>
          {t("trainings.noCandidateYet")}
        </Typography>
      )}
    </Box>
  );
}
