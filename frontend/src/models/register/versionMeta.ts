/** The "this version" step's fields, and how they become the `meta` of an upload. */
import type { VersionMeta } from "../../api/client";
import { splitList } from "../../lib/text";

export interface VersionFields {
  description: string;
  trainingData: string;
  sourceVersion: string;
  metrics: string;
  aliases: string;
}

export const EMPTY_VERSION: VersionFields = { description: "", trainingData: "", sourceVersion: "", metrics: "", aliases: "" };

/** The API's names of the fields an upload's error may be about. */
export const VERSION_FIELDS = [
  "file",
  "sample",
  "meta.metrics",
  "meta.aliases",
  "meta.training_data",
  "meta.source_version",
  "meta.description",
  "meta",
] as const;

/** Metrics typed as JSON: an object of numbers, or null when it is not one. */
export function parseMetrics(s: string): Record<string, number> | null {
  if (!s.trim()) return {};
  try {
    const value: unknown = JSON.parse(s);
    if (!value || typeof value !== "object" || Array.isArray(value)) return null;
    const entries = Object.entries(value as Record<string, unknown>);
    if (!entries.every(([, v]) => typeof v === "number")) return null;
    return Object.fromEntries(entries) as Record<string, number>;
  } catch {
    return null;
  }
}

/** The upload's `meta`, or null when the metrics are not a JSON object of numbers. */
export function versionMeta(v: VersionFields): VersionMeta | null {
  const metrics = parseMetrics(v.metrics);
  if (metrics === null) return null;
  const meta: VersionMeta = { metrics, aliases: splitList(v.aliases) };
  if (v.description.trim()) meta.description = v.description.trim();
  if (v.trainingData.trim()) meta.training_data = v.trainingData.trim();
  if (v.sourceVersion.trim()) meta.source_version = v.sourceVersion.trim();
  return meta;
}
