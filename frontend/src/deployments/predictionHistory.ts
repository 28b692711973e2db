/** How a logged online prediction is written in the history table: rounded, short, complete on demand. */

/** A prediction for display: numbers rounded to 4 significant decimals (downloads keep full precision). */
export function formatValue(v: unknown): string {
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? String(v) : String(Math.round(v * 10_000) / 10_000);
  }
  if (v === null || v === undefined) return "–";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** The first `max` values of a list, then "… (+n)" for the rest. */
export function firstValues(values: readonly unknown[], max = 3): string {
  const shown = values.slice(0, max).map(formatValue).join(", ");
  return values.length > max ? `${shown} … (+${values.length - max})` : shown;
}

/** One input row as "column=value" pairs, cut after `max` characters. */
export function rowSummary(row: Record<string, unknown> | undefined, max = 80): string {
  if (!row) return "";
  const text = Object.entries(row)
    .map(([k, v]) => `${k}=${formatValue(v)}`)
    .join(", ");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
