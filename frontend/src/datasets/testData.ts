/** Datasets, profiles and executions for the datasets pages' tests, as the API answers them. */
import type { ColumnProfile, DatasetProfile, DatasetSummary, Execution, ParseReport } from "../api/types";

export function aSummary(over: Partial<DatasetSummary> = {}): DatasetSummary {
  return {
    id: 1,
    name: "customers",
    description: "Customers of the FR shop",
    visibility: "company",
    owner: "dana",
    latest_version: 2,
    filename: "customers.csv",
    rows: 1200,
    columns: 8,
    updated_at: "2026-11-20T10:00:00Z",
    ...over,
  };
}

export function aParseReport(over: Partial<ParseReport> = {}): ParseReport {
  return {
    format: "csv",
    encoding: "latin-1",
    delimiter: ";",
    decimal: ",",
    thousands: ".",
    rows: 20,
    columns: 3,
    renamed_headers: [{ original: " age ", name: "age", reason: "padding" }],
    missing_tokens: { "?": 3, none: 1 },
    dropped_empty_columns: ["notes"],
    skipped_rows: 2,
    notes: ["Decimal commas read in column income."],
    ...over,
  };
}

export function aColumn(over: Partial<ColumnProfile> = {}): ColumnProfile {
  return {
    name: "age",
    kind: "integer",
    dtype: "int64",
    missing: 2,
    missing_share: 0.1,
    distinct: 15,
    min: 18,
    max: 77,
    mean: 41.5,
    std: 12.25,
    quantiles: { p5: 20, p25: 30, p50: 40, p75: 52, p95: 70 },
    histogram: [
      { start: 18, end: 38, count: 8 },
      { start: 38, end: 58, count: 7 },
      { start: 58, end: 78, count: 3 },
    ],
    top_values: null,
    ...over,
  };
}

export function aProfile(over: Partial<DatasetProfile> = {}): DatasetProfile {
  return {
    rows: 20,
    columns: [
      aColumn(),
      aColumn({
        name: "plan",
        kind: "category",
        dtype: "object",
        missing: 0,
        missing_share: 0,
        distinct: 2,
        min: null,
        max: null,
        mean: null,
        std: null,
        quantiles: null,
        histogram: null,
        top_values: [
          { value: "basic", count: 12 },
          { value: "premium", count: 8 },
        ],
      }),
      aColumn({ name: "churned", kind: "boolean", dtype: "bool", missing: 0, missing_share: 0, distinct: 2, histogram: null, quantiles: null, top_values: [{ value: "false", count: 15 }, { value: "true", count: 5 }] }),
    ],
    duplicated_rows: 1,
    warnings: [
      { code: "high_cardinality", column: "plan", message: "plan has many distinct values." },
      { code: "target_leak", column: "plan", message: "plan alone predicts churned almost perfectly." },
    ],
    suggested_targets: ["churned"],
    target: null,
    ...over,
  };
}

export function anExecution(over: Partial<Execution> = {}): Execution {
  return {
    id: 7,
    kind: "profile",
    deployment_id: null,
    deployment: null,
    model: null,
    market: null,
    dataset: "customers",
    dataset_version: 1,
    training: null,
    trigger: "manual",
    triggered_by: "dana",
    scheduled_for: null,
    status: "running",
    version: null,
    engine: "local",
    input: {},
    output: {},
    rows_read: 0,
    rows_written: 0,
    rows_total: null,
    progress: 0.5,
    error: null,
    summary: {},
    attempts: 1,
    created_at: "2026-11-20T10:00:00Z",
    started_at: "2026-11-20T10:00:01Z",
    finished_at: null,
    ...over,
  };
}
