/**
 * Before a file is sent to run: what kind it is, its first rows (CSV, parsed in the browser with
 * papaparse), and its columns checked against the model's input schema.
 */
import Papa from "papaparse";
import type { ColumnSpec } from "../api/types";

export type FileKind = "csv" | "xlsx" | "parquet" | "other";

export function fileKind(name: string): FileKind {
  const lower = name.toLowerCase();
  if (lower.endsWith(".csv") || lower.endsWith(".txt")) return "csv";
  if (lower.endsWith(".xlsx") || lower.endsWith(".xls")) return "xlsx";
  if (lower.endsWith(".parquet") || lower.endsWith(".pq")) return "parquet";
  return "other";
}

export interface CsvPreview {
  columns: string[];
  rows: Record<string, string>[];
  error: string | null;
}

/** The header and first `maxRows` rows of a CSV text (comma or semicolon, BOM or not). */
export function parseCsvPreview(text: string, maxRows = 10): CsvPreview {
  const clean = text.replace(/^\uFEFF/, "");
  const result = Papa.parse<Record<string, string>>(clean, {
    header: true,
    preview: maxRows,
    skipEmptyLines: "greedy",
    transformHeader: (h) => h.trim(),
  });
  const columns = (result.meta.fields ?? []).filter((c) => c !== "");
  // A single-column file has no delimiter to detect: only broken quoting is worth reporting.
  const fatal = result.errors.find((e) => e.type === "Quotes");
  const error = fatal ? `${fatal.message}${fatal.row != null ? ` (row ${fatal.row + 1})` : ""}` : null;
  if (!columns.length) return { columns: [], rows: [], error: error ?? "no header line" };
  return { columns, rows: result.data, error };
}

/** Read the start of a file (enough for a preview) as text. */
export async function readHead(file: Blob, bytes = 256 * 1024): Promise<string> {
  const part = file.slice(0, bytes);
  if (typeof part.text === "function") return part.text();
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ""));
    reader.onerror = () => reject(reader.error);
    reader.readAsText(part);
  });
}

export interface ColumnCheck {
  /** The model's columns the file has. */
  found: string[];
  missing: string[];
  extra: string[];
  ok: boolean;
}

/** Which of the schema's columns the file lacks (non-nullable ones block) and which it adds. */
export function checkColumns(fileColumns: string[], schema: ColumnSpec[]): ColumnCheck {
  const have = new Set(fileColumns);
  const want = new Set(schema.map((c) => c.name));
  const missing = schema.filter((c) => !have.has(c.name) && !c.nullable).map((c) => c.name);
  const extra = fileColumns.filter((c) => !want.has(c));
  const found = schema.filter((c) => have.has(c.name)).map((c) => c.name);
  return { found, missing, extra, ok: missing.length === 0 };
}

export interface TypeProblem {
  column: string;
  row: number;
  value: string;
  type: string;
}

const NUMBER = /^[-+]?(\d+([.,]\d*)?|[.,]\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^[-+]?\d+$/;
const BOOLEAN = /^(true|false|0|1|yes|no)$/i;

/** Values in the preview rows that cannot be of their column's type (first problem per column). */
export function typeProblems(rows: Record<string, string>[], schema: ColumnSpec[], limit = 5): TypeProblem[] {
  const problems: TypeProblem[] = [];
  for (const column of schema) {
    const test = column.type === "integer" ? INTEGER : column.type === "number" ? NUMBER : column.type === "boolean" ? BOOLEAN : null;
    if (!test) continue;
    for (let i = 0; i < rows.length; i++) {
      const raw = rows[i][column.name];
      if (raw === undefined) break;
      const value = raw.trim();
      if (value === "" && column.nullable) continue;
      if (value === "" || !test.test(value)) {
        problems.push({ column: column.name, row: i + 1, value, type: column.type });
        break;
      }
    }
    if (problems.length >= limit) break;
  }
  return problems;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GB`;
}
