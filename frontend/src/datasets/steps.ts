/**
 * Cleaning steps as the cleaning page edits them: a sentence for each, moves in the list, the step an
 * API error names, and a step built from the add-step form's fields.
 */
import { ApiError } from "../api/client";
import type { CleaningOp, CleaningStep } from "../api/types";
import type { MessageKey, Translate } from "../i18n";
import { splitList } from "../lib/text";

/** The operations, in the order the add-step form offers them. */
export const OPS = [
  "drop_columns",
  "cast",
  "missing_tokens",
  "impute",
  "clip",
  "date_parts",
  "drop_duplicates",
  "filter_rows",
] as const satisfies readonly CleaningOp[];

export const CAST_TARGETS = ["number", "integer", "boolean", "category", "date", "text"] as const;
export const IMPUTE_STRATEGIES = ["mean", "median", "most_frequent", "constant"] as const;
export const DATE_PARTS = ["year", "month", "day", "weekday", "hour", "dayofyear"] as const;
export const DEFAULT_DATE_PARTS: DatePart[] = ["year", "month", "day", "weekday"];
export const FILTER_OPERATORS = ["==", "!=", "<", "<=", ">", ">=", "in", "not_in", "is_missing", "not_missing"] as const;

export type CastTarget = (typeof CAST_TARGETS)[number];
export type ImputeStrategy = (typeof IMPUTE_STRATEGIES)[number];
export type DatePart = (typeof DATE_PARTS)[number];
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** Operators that take no value, and those that take a list of values. */
export const NO_VALUE: readonly FilterOperator[] = ["is_missing", "not_missing"];
export const LIST_VALUE: readonly FilterOperator[] = ["in", "not_in"];

/** The list with the item at `index` moved by `by` places (-1 up, +1 down); unchanged at the ends. */
export function move<T>(items: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  const out = [...items];
  if (index < 0 || index >= items.length || to < 0 || to >= items.length) return out;
  [out[index], out[to]] = [out[to], out[index]];
  return out;
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, i) => i !== index);
}

/**
 * The index of the step an API error is about, else null. The service names a step as
 * `steps[2].column`; a request the schema refuses names it `steps.2.cast.to`.
 */
export function stepOfError(err: unknown): number | null {
  if (!(err instanceof ApiError) || !err.field) return null;
  const m = /^steps(?:\[(\d+)\]|\.(\d+))/.exec(err.field);
  if (!m) return null;
  return Number(m[1] ?? m[2]);
}

/** "a, b and c" in the language shown (Intl.ListFormat). */
export function listOf(items: readonly string[], locale: string): string {
  return new Intl.ListFormat(locale, { style: "long", type: "conjunction" }).format(items);
}

/** A value typed in a field as the API should get it: a number when it reads as one, else the text. */
export function typedValue(text: string): string | number {
  const s = text.trim();
  if (s !== "" && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(s)) return Number(s);
  return s;
}

function shown(value: unknown): string {
  if (Array.isArray(value)) return value.map(shown).join(", ");
  if (value === null || value === undefined) return "–";
  return typeof value === "string" ? `"${value}"` : String(value);
}

/** One sentence saying what a step does, in the language shown. */
export function describeStep(step: CleaningStep, t: Translate, locale: string): string {
  const part = (p: string) => t(`datasets.part.${p}` as MessageKey);
  switch (step.op) {
    case "drop_columns":
      return t("datasets.step.drop_columns.text", { columns: listOf(step.columns, locale) });
    case "cast":
      return t("datasets.step.cast.text", { column: step.column, to: t(`datasets.kind.${step.to}` as MessageKey) });
    case "missing_tokens":
      return step.column
        ? t("datasets.step.missing_tokens.text", { tokens: shown(step.tokens), column: step.column })
        : t("datasets.step.missing_tokens.textAll", { tokens: shown(step.tokens) });
    case "impute":
      return step.strategy === "constant"
        ? t("datasets.step.impute.textConstant", { column: step.column, value: shown(step.value) })
        : t("datasets.step.impute.text", { column: step.column, strategy: t(`datasets.strategy.${step.strategy}` as MessageKey) });
    case "clip": {
      const vars = { column: step.column, lower: step.lower ?? "–", upper: step.upper ?? "–" };
      return t(step.quantiles ? "datasets.step.clip.textQuantiles" : "datasets.step.clip.text", vars);
    }
    case "date_parts": {
      const parts = listOf((step.parts ?? DEFAULT_DATE_PARTS).map(part), locale);
      return t(step.drop === false ? "datasets.step.date_parts.textKeep" : "datasets.step.date_parts.text", { column: step.column, parts });
    }
    case "drop_duplicates":
      return step.columns?.length
        ? t("datasets.step.drop_duplicates.textColumns", { columns: listOf(step.columns, locale) })
        : t("datasets.step.drop_duplicates.text");
    case "filter_rows":
      return NO_VALUE.includes(step.operator)
        ? t(`datasets.step.filter_rows.${step.operator}` as MessageKey, { column: step.column })
        : t("datasets.step.filter_rows.text", {
            column: step.column,
            operator: t(`datasets.operator.${step.operator}` as MessageKey),
            value: shown(step.value),
          });
  }
}

/** What the add-step form holds: one set of fields for every operation (each reads the ones it needs). */
export interface StepFields {
  op: CleaningOp;
  column: string;
  columns: string[];
  to: CastTarget;
  tokens: string;
  strategy: ImputeStrategy;
  value: string;
  lower: string;
  upper: string;
  quantiles: boolean;
  parts: DatePart[];
  drop: boolean;
  operator: FilterOperator;
}

export function emptyFields(op: CleaningOp = "drop_columns"): StepFields {
  return {
    op,
    column: "",
    columns: [],
    to: "number",
    tokens: "",
    strategy: "median",
    value: "",
    lower: "",
    upper: "",
    quantiles: false,
    parts: [...DEFAULT_DATE_PARTS],
    drop: true,
    operator: "==",
  };
}

function optionalNumber(text: string): number | null {
  const v = typedValue(text);
  return typeof v === "number" ? v : null;
}

/**
 * The step the form's fields make, or null while a field it needs is empty (the Add button waits).
 * The API checks the rest (columns that exist, a cast that fits) and its answer shows on the step.
 */
export function stepFromFields(f: StepFields): CleaningStep | null {
  const needsColumn = !["drop_columns", "missing_tokens", "drop_duplicates"].includes(f.op);
  if (needsColumn && !f.column) return null;
  switch (f.op) {
    case "drop_columns":
      return f.columns.length ? { op: "drop_columns", columns: f.columns } : null;
    case "cast":
      return { op: "cast", column: f.column, to: f.to };
    case "missing_tokens": {
      const tokens = splitList(f.tokens);
      return tokens.length ? { op: "missing_tokens", column: f.column || null, tokens } : null;
    }
    case "impute":
      if (f.strategy !== "constant") return { op: "impute", column: f.column, strategy: f.strategy, value: null };
      return f.value.trim() === "" ? null : { op: "impute", column: f.column, strategy: "constant", value: typedValue(f.value) };
    case "clip": {
      const lower = optionalNumber(f.lower);
      const upper = optionalNumber(f.upper);
      if (lower === null && upper === null) return null;
      return { op: "clip", column: f.column, lower, upper, quantiles: f.quantiles };
    }
    case "date_parts":
      return f.parts.length ? { op: "date_parts", column: f.column, parts: f.parts, drop: f.drop } : null;
    case "drop_duplicates":
      return { op: "drop_duplicates", columns: f.columns.length ? f.columns : null };
    case "filter_rows": {
      if (NO_VALUE.includes(f.operator)) return { op: "filter_rows", column: f.column, operator: f.operator, value: null };
      if (LIST_VALUE.includes(f.operator)) {
        const values = splitList(f.value).map(typedValue);
        return values.length ? { op: "filter_rows", column: f.column, operator: f.operator, value: values } : null;
      }
      return f.value.trim() === "" ? null : { op: "filter_rows", column: f.column, operator: f.operator, value: typedValue(f.value) };
    }
  }
}
