/** What the compare page reads from its link and how it finds the best value of each row. */
import type { Training } from "../api/types";
import { bestIndexes } from "./metrics";

/** The most trainings compared side by side. */
export const COMPARE_MAX = 4;

/** The trainings a link names: `?ids=3,1,2` (positive whole numbers, each once, at most four). */
export function idsFromParam(value: string | null): number[] {
  const ids = (value ?? "")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
  return [...new Set(ids)].slice(0, COMPARE_MAX);
}

/** The compare page's link for these trainings (in id order). */
export function compareLink(ids: readonly number[]): string {
  return `/trainings/compare?ids=${[...ids].sort((a, b) => a - b).join(",")}`;
}

export interface ScoreRow {
  metric: string;
  values: (number | null)[];
  /** Indexes of the best values (none when fewer than two trainings have one). */
  best: number[];
}

function scored(metric: string, values: (number | null)[]): ScoreRow {
  const known = values.filter((v) => v !== null).length;
  return { metric, values, best: known >= 2 ? bestIndexes(values, metric) : [] };
}

/** One row per holdout metric any of the trainings has; the primary metrics first. */
export function holdoutRows(trainings: readonly Training[]): ScoreRow[] {
  const names = new Set<string>();
  for (const tr of trainings) for (const k of Object.keys(tr.evaluation?.metrics ?? {})) names.add(k);
  const primary = new Set<string>(trainings.flatMap((tr) => (tr.metric ? [tr.metric] : [])));
  const ordered = [...names].sort((a, b) => Number(primary.has(b)) - Number(primary.has(a)) || a.localeCompare(b));
  return ordered.map((m) => scored(m, trainings.map((tr) => tr.evaluation?.metrics[m] ?? null)));
}

/**
 * The cross-validated score of each training's best candidate; its best only when every training
 * was scored on the same metric (scores on different metrics do not compare).
 */
export function cvRow(trainings: readonly Training[]): ScoreRow {
  const metrics = new Set(trainings.map((tr) => tr.metric));
  const metric = trainings[0]?.metric ?? "";
  const values = trainings.map((tr) => tr.best?.mean ?? null);
  if (metrics.size !== 1 || !metric) return { metric, values, best: [] };
  return scored(metric, values);
}
