/** What the profile's panels show, computed from the API's profile: colours, bars, filters. */
import type { ColumnKind, ColumnProfile, ProfileWarning } from "../api/types";
import { formatNumber } from "../lib/numbers";

export type Severity = "error" | "warning" | "info";

const SEVERITY: Record<ProfileWarning["code"], Severity> = {
  target_leak: "error",
  all_missing: "error",
  infinities: "warning",
  constant: "warning",
  many_missing: "warning",
  mixed_types: "warning",
  id_like: "warning",
  class_imbalance: "warning",
  high_cardinality: "info",
  duplicated_rows: "info",
};

const ORDER: Severity[] = ["error", "warning", "info"];

export function warningSeverity(code: ProfileWarning["code"]): Severity {
  return SEVERITY[code] ?? "info";
}

/** The warnings, the most serious first (the API's order kept within a severity). */
export function sortedWarnings(warnings: readonly ProfileWarning[]): ProfileWarning[] {
  return warnings
    .map((w, i) => ({ w, i }))
    .sort((a, b) => ORDER.indexOf(warningSeverity(a.w.code)) - ORDER.indexOf(warningSeverity(b.w.code)) || a.i - b.i)
    .map(({ w }) => w);
}

export type ChipColor = "primary" | "secondary" | "success" | "warning" | "default";

/** The chip of a column's kind: numbers filled blue, dates outlined blue (MUI's light "info" blue is too pale for white text). */
export function kindChip(kind: ColumnKind): { color: ChipColor; variant: "filled" | "outlined" } {
  switch (kind) {
    case "number":
    case "integer":
      return { color: "primary", variant: "filled" };
    case "date":
      return { color: "primary", variant: "outlined" };
    case "boolean":
      return { color: "secondary", variant: "filled" };
    case "category":
      return { color: "success", variant: "filled" };
    case "id":
      return { color: "warning", variant: "filled" };
    default:
      return { color: "default", variant: "filled" };
  }
}

export interface Bar {
  label: string;
  count: number;
}

/** A histogram's bins as labelled bars ("10–20"); a date column's bins are epoch times in the API. */
export function histogramBars(column: ColumnProfile, locale: string): Bar[] {
  const bins = column.histogram ?? [];
  const edge = (v: number) => (column.kind === "date" ? dateEdge(v, locale) : formatNumber(v, locale, 3));
  return bins.map((b) => {
    const [from, to] = [edge(b.start), edge(b.end)];
    return { label: from === to ? from : `${from}–${to}`, count: b.count };
  });
}

function dateEdge(v: number, locale: string): string {
  // Seconds, milliseconds, microseconds or nanoseconds since the epoch: a date in any case.
  const a = Math.abs(v);
  const ms = a < 1e11 ? v * 1000 : a < 1e14 ? v : a < 1e17 ? v / 1e3 : v / 1e6;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? String(v) : d.toLocaleDateString(locale, { year: "numeric", month: "short" });
}

export function topValueBars(column: ColumnProfile): Bar[] {
  return (column.top_values ?? []).map((v) => ({ label: v.value, count: v.count }));
}

/** Columns whose name holds `text` (any case), all of them when it is empty; or only those of `kind`. */
export function filterColumns(columns: readonly ColumnProfile[], text: string, kind: ColumnKind | "" = ""): ColumnProfile[] {
  const needle = text.trim().toLowerCase();
  return columns.filter((c) => (!needle || c.name.toLowerCase().includes(needle)) && (!kind || c.kind === kind));
}

const MIDNIGHT_UTC = /^(\d{4}-\d{2}-\d{2})[T ]00:00:00(\.0+)?(Z|[+-]00:?00)?$/;

/** A date-time of the API as read on screen: a day at midnight UTC as the day alone ("2025-05-04"). */
export function shortDate(text: string): string {
  const m = MIDNIGHT_UTC.exec(text);
  return m ? m[1] : text;
}

/** A statistic for the screen: numbers rounded, days without their midnight, labels as they are, "–" when there is none. */
export function statValue(value: number | string | null | undefined, locale: string): string {
  if (value === null || value === undefined) return "–";
  if (typeof value === "number") return formatNumber(value, locale);
  return shortDate(value);
}

/** A share (0..1) as a percentage: "12.5 %". */
export function percent(share: number, locale: string): string {
  return `${formatNumber(share * 100, locale, 3)} %`;
}
