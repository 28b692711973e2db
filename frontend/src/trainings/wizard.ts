/**
 * The train wizard's state and rules, apart from its screens: the steps and the API fields each one
 * holds (so that a 422 shows on the step of its field), the request it sends, the budgets offered,
 * and the target columns in the order they are offered (the profile's suggestions first).
 */
import type { CandidateName, ColumnProfile, Dataset, MetricName, Task, TrainingCreate } from "../api/types";
import { CANDIDATES, METRICS, TASKS } from "./metrics";

export const STEPS = ["dataset", "target", "task", "budget", "review"] as const;
export type Step = (typeof STEPS)[number];

/** The API fields each step holds; an error about one of them is shown on that step. */
export const STEP_FIELDS: Record<Step, readonly string[]> = {
  dataset: ["dataset", "version"],
  target: ["target"],
  task: ["task", "metric"],
  budget: ["budget_s", "folds", "holdout", "seed", "time_column", "candidates", "steps"],
  review: [],
};

/** The step of the field an API error names (the review step when it names none of the steps' fields). */
export function stepOfField(field: string | null | undefined): number {
  if (field) {
    const top = field.split(/[.[]/)[0];
    const i = STEPS.findIndex((s) => STEP_FIELDS[s].includes(top));
    if (i >= 0) return i;
  }
  return STEPS.indexOf("review");
}

/** The budgets the slider stops at, in seconds: 10 s to 30 min. */
export const BUDGETS = [10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 900, 1200, 1800] as const;
export const DEFAULT_BUDGET = 60;

export interface WizardForm {
  dataset: string;
  /** null: the dataset's latest version. */
  version: number | null;
  target: string;
  /** "": detected by the API. */
  task: Task | "";
  /** "": the usual metric of the task. */
  metric: MetricName | "";
  budgetS: number;
  folds: number;
  holdout: number;
  seed: number;
  timeColumn: string;
  /** The candidates to try; every one when all are picked. */
  candidates: CandidateName[];
}

export const DEFAULT_FORM: WizardForm = {
  dataset: "",
  version: null,
  target: "",
  task: "",
  metric: "",
  budgetS: DEFAULT_BUDGET,
  folds: 5,
  holdout: 0.2,
  seed: 0,
  timeColumn: "",
  candidates: [...CANDIDATES],
};

/** The form as a link fills it in: `?dataset=&version=&target=&task=&metric=&budget=`. */
export function formFromParams(params: URLSearchParams): WizardForm {
  const version = Number(params.get("version"));
  const budget = Number(params.get("budget"));
  const task = TASKS.find((x) => x === params.get("task")) ?? "";
  const metric = METRICS.find((x) => x === params.get("metric")) ?? "";
  return {
    ...DEFAULT_FORM,
    dataset: params.get("dataset") ?? "",
    version: Number.isInteger(version) && version > 0 ? version : null,
    target: params.get("target") ?? "",
    task,
    metric,
    budgetS: Number.isInteger(budget) && budget >= 5 ? budget : DEFAULT_BUDGET,
  };
}

/** The first step still to fill in (a link that names the dataset opens on the target). */
export function firstOpenStep(form: WizardForm): number {
  if (!form.dataset) return STEPS.indexOf("dataset");
  if (!form.target) return STEPS.indexOf("target");
  return STEPS.indexOf("task");
}

/** Whether the user may go on from `step` with what the form holds. */
export function stepComplete(step: Step, form: WizardForm): boolean {
  switch (step) {
    case "dataset":
      return !!form.dataset;
    case "target":
      return !!form.target;
    case "budget":
      return form.candidates.length > 0 && form.folds >= 2 && form.folds <= 10 && form.holdout > 0 && form.holdout < 0.5;
    default:
      return true;
  }
}

/** The request the wizard sends: only what differs from the API's defaults beyond the essentials. */
export function trainingCreate(form: WizardForm): TrainingCreate {
  const allCandidates = CANDIDATES.every((c) => form.candidates.includes(c));
  return {
    dataset: form.dataset,
    version: form.version,
    target: form.target,
    task: form.task || null,
    metric: form.metric || null,
    budget_s: form.budgetS,
    folds: form.folds,
    holdout: form.holdout,
    seed: form.seed,
    time_column: form.timeColumn || null,
    candidates: allCandidates ? null : CANDIDATES.filter((c) => form.candidates.includes(c)),
  };
}

export interface TargetChoice {
  name: string;
  suggested: boolean;
  profile?: ColumnProfile;
}

/** A version's columns as targets: the profile's suggested targets first (in its order), then the others. */
export function targetChoices(dataset: Pick<Dataset, "columns" | "profile">): TargetChoice[] {
  const profiles = new Map((dataset.profile?.columns ?? []).map((c) => [c.name, c]));
  const suggested = (dataset.profile?.suggested_targets ?? []).filter((c) => dataset.columns.includes(c));
  const rest = dataset.columns.filter((c) => !suggested.includes(c));
  return [
    ...suggested.map((name) => ({ name, suggested: true, profile: profiles.get(name) })),
    ...rest.map((name) => ({ name, suggested: false, profile: profiles.get(name) })),
  ];
}

/** Columns that may order the folds in time: the date columns when the version has a profile (every
 * column when it has none), never the target. */
export function timeColumnChoices(dataset: Pick<Dataset, "columns" | "profile">, target: string): string[] {
  const columns = dataset.columns.filter((c) => c !== target);
  if (!dataset.profile) return columns;
  const dates = new Set(dataset.profile.columns.filter((c) => c.kind === "date").map((c) => c.name));
  return columns.filter((c) => dates.has(c));
}
