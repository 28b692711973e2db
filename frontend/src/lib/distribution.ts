/** The distribution of predictions, for the run page's chart: counts per class, or bins of numbers. */
export interface Bar {
  label: string;
  count: number;
}

/** The column that holds predictions: "prediction" if present, else the first column ending so. */
export function predictionColumn(columns: string[]): string | null {
  if (columns.includes("prediction")) return "prediction";
  return columns.find((c) => /prediction$/i.test(c)) ?? null;
}

export function distribution(values: unknown[], bins = 10): Bar[] {
  const present = values.filter((v) => v !== null && v !== undefined && v !== "");
  if (!present.length) return [];
  const numbers = present.map((v) => (typeof v === "number" ? v : Number(v)));
  const distinct = new Set(present.map(String));
  const numeric = numbers.every((n) => Number.isFinite(n));
  if (!numeric || distinct.size <= 12) {
    const counts = new Map<string, number>();
    for (const v of present) counts.set(String(v), (counts.get(String(v)) ?? 0) + 1);
    return [...counts.entries()]
      .sort((a, b) => (numeric ? Number(a[0]) - Number(b[0]) : a[0].localeCompare(b[0])))
      .map(([label, count]) => ({ label, count }));
  }
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  const width = (max - min) / bins || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const n of numbers) counts[Math.min(bins - 1, Math.floor((n - min) / width))] += 1;
  const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
  return counts.map((count, i) => ({ label: `${fmt(min + i * width)}–${fmt(min + (i + 1) * width)}`, count }));
}

/** Bars from an execution's summary (computed over every row by the worker), when it has one. */
export function barsFromSummary(summary: Record<string, unknown> | null | undefined): Bar[] {
  if (!summary) return [];
  const fmt = (x: number) => (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2));
  if (summary.kind === "categorical" && summary.counts && typeof summary.counts === "object") {
    const bars = Object.entries(summary.counts as Record<string, number>).map(([label, count]) => ({ label, count }));
    const other = typeof summary.other === "number" ? summary.other : 0;
    return other > 0 ? [...bars, { label: "…", count: other }] : bars;
  }
  const histogram = summary.histogram as { edges?: number[]; counts?: number[] } | undefined;
  if (summary.kind === "numeric" && histogram?.edges && histogram.counts && histogram.counts.length) {
    const edges = histogram.edges;
    return histogram.counts.map((count, i) => ({ label: `${fmt(edges[i])}–${fmt(edges[i + 1])}`, count }));
  }
  return [];
}
