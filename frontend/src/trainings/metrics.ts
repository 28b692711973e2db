/**
 * Tasks, metrics and candidates as the training API names them, and what the pages need to know of
 * them: which metrics fit a task, which way a metric is better, a score written for the screen.
 */
import type { CandidateName, ColumnProfile, MetricName, Task } from "../api/types";
import { formatNumber } from "../lib/numbers";

export const TASKS = ["binary", "multiclass", "regression"] as const satisfies readonly Task[];

export const METRICS = [
  "accuracy",
  "f1",
  "macro_f1",
  "roc_auc",
  "log_loss",
  "r2",
  "rmse",
  "mae",
] as const satisfies readonly MetricName[];

/** The metrics a training of each task may be scored on (as training/metrics.py has them). */
export const TASK_METRICS: Record<Task, readonly MetricName[]> = {
  binary: ["roc_auc", "f1", "macro_f1", "accuracy", "log_loss"],
  multiclass: ["accuracy", "macro_f1", "roc_auc", "log_loss"],
  regression: ["r2", "rmse", "mae"],
};

/** Below this share of its rarer class, a binary target is scored on F1 by default. */
const IMBALANCED_SHARE = 0.2;

/**
 * The metric the API picks when the user names none (training/metrics.py's default_metric): R² for a
 * regression, accuracy for a multiclass task, ROC-AUC for a binary one unless its rarer class is under
 * 20 % of the rows (F1 then), as far as the target's profile tells.
 */
export function usualMetric(task: Task, column?: ColumnProfile): MetricName {
  if (task === "regression") return "r2";
  if (task === "multiclass") return "accuracy";
  const counts = (column?.top_values ?? []).map((v) => v.count);
  if (counts.length === 2) {
    const share = Math.min(...counts) / (counts[0] + counts[1]);
    if (share < IMBALANCED_SHARE) return "f1";
  }
  return "roc_auc";
}

export const CANDIDATES = [
  "linear",
  "random_forest",
  "extra_trees",
  "hist_gradient_boosting",
  "lightgbm",
  "xgboost",
  "ensemble",
] as const satisfies readonly CandidateName[];

const LOWER_IS_BETTER = new Set<string>(["log_loss", "rmse", "mae", "mse", "brier"]);

/** True when a smaller value of the metric is better (losses and errors). */
export function lowerIsBetter(metric: string): boolean {
  return LOWER_IS_BETTER.has(metric);
}

/** The metrics that fit `task`; every metric when the task is not known yet. */
export function metricsFor(task: Task | null | undefined): readonly MetricName[] {
  return task ? TASK_METRICS[task] : METRICS;
}

/**
 * The task the API will probably detect from the target's profile (a hint only: the server decides):
 * two values make a binary task, a few values or text a multiclass one, many numbers a regression.
 */
export function likelyTask(column: ColumnProfile | undefined): Task | null {
  if (!column) return null;
  if (column.kind === "boolean" || column.distinct === 2) return "binary";
  if (column.kind === "number") return column.distinct <= 2 ? "binary" : "regression";
  if (column.kind === "integer") return column.distinct <= 20 ? "multiclass" : "regression";
  if (column.kind === "category" || column.kind === "text") return column.distinct > 2 ? "multiclass" : "binary";
  return null;
}

/** The indexes of the best values (`null`s left out), by the metric's direction; [] when none. */
export function bestIndexes(values: readonly (number | null | undefined)[], metric: string): number[] {
  const known = values.filter((v): v is number => typeof v === "number" && Number.isFinite(v));
  if (known.length === 0) return [];
  const best = lowerIsBetter(metric) ? Math.min(...known) : Math.max(...known);
  return values.flatMap((v, i) => (v === best ? [i] : []));
}

/** A score on screen: 4 significant digits in the language's conventions; "–" when there is none. */
export function formatScore(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined) return "–";
  return formatNumber(value, locale);
}

/** Seconds on screen: "0.12 s", "42 s", "3 min 05 s". */
export function formatSeconds(value: number, locale: string): string {
  if (value < 60) return `${formatNumber(value, locale, value < 10 ? 2 : 3)} s`;
  const m = Math.floor(value / 60);
  const s = Math.round(value % 60);
  return s ? `${m} min ${String(s).padStart(2, "0")} s` : `${m} min`;
}

/** A duration as a clock, "m:ss" (or "h:mm:ss"). */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
