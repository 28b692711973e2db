/**
 * The deploy form's rules, apart from its layout: which input a schedule may read, the names of the
 * deployments it will create, the schedule's default time zone, and the request it sends (one
 * deployment, or one per market in a single bulk request).
 */
import type { BadRows, Dataset, Deployment, DeploymentBulkCreate, DeploymentCreate, InputSpec, Model } from "../api/types";
import { marketTimeZone } from "./marketZones";

export type InputKind = InputSpec["kind"];
export type Engine = Deployment["engine"];
export type OutputFormat = Deployment["output"]["format"];

/** The form as typed; `name` and `timezone` stay null (and follow the markets) until the user sets them. */
export interface DeployFields {
  markets: string[];
  /** One market: the deployment's name; several: the prefix of their names. */
  name: string | null;
  mode: "alias" | "version";
  alias: string;
  version: number | "";
  inputKind: InputKind;
  /** The stored dataset, once uploaded from the form. */
  dataset: Dataset | null;
  connection: string;
  query: string;
  format: OutputFormat;
  table: string;
  outConnection: string;
  scheduled: boolean;
  cron: string;
  timezone: string | null;
  params: Record<string, unknown>;
  description: string;
  engine: Engine;
  onBadRows: BadRows;
}

/**
 * The form as it opens for a model: its only market if it has one, its alias champion (else its first
 * alias) or, without aliases, its latest version; a file with each run, no schedule, bad rows rejected.
 */
export function initialFields(m: Pick<Model, "markets" | "aliases" | "latest_version">): DeployFields {
  const aliases = m.aliases ?? {};
  const hasAliases = Object.keys(aliases).length > 0;
  return {
    markets: m.markets.length === 1 ? [m.markets[0]] : [],
    name: null,
    mode: hasAliases ? "alias" : "version",
    alias: "champion" in aliases ? "champion" : (Object.keys(aliases)[0] ?? ""),
    version: hasAliases ? "" : m.latest_version,
    inputKind: "upload",
    dataset: null,
    connection: "",
    query: "",
    format: "parquet",
    table: "",
    outConnection: "",
    scheduled: false,
    cron: "0 6 * * 1",
    timezone: null,
    params: {},
    description: "",
    engine: "local",
    onBadRows: "reject",
  };
}

/** A schedule reads a stored input (a dataset or a query): a due time brings no file. */
export function isStored(kind: InputKind): boolean {
  return kind !== "upload";
}

/** `{prefix}-{market}` as the API names a deployment: lowercase, other characters as one hyphen. */
export function deploymentName(prefix: string, market: string): string {
  const m = market
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return `${prefix}-${m}`;
}

/** The name (one market) or name prefix (several) the form proposes until the user types one. */
export function proposedName(model: string, markets: readonly string[]): string {
  if (markets.length === 1) return deploymentName(model, markets[0]);
  return model;
}

/** The names of the deployments the form would create. */
export function plannedNames(f: Pick<DeployFields, "markets" | "name">, model: string): string[] {
  const name = (f.name ?? proposedName(model, f.markets)).trim();
  if (f.markets.length === 1) return name ? [name] : [];
  return f.markets.map((m) => deploymentName(name || model, m));
}

/** The schedule's time zone: the one chosen, else the first market's usual one. */
export function scheduleZone(f: Pick<DeployFields, "timezone" | "markets">, fallback?: string): string {
  return f.timezone ?? marketTimeZone(f.markets[0], fallback);
}

export function inputSpec(f: Pick<DeployFields, "inputKind" | "dataset" | "connection" | "query">): InputSpec {
  if (f.inputKind === "sql") return { kind: "sql", connection: f.connection || null, query: f.query };
  if (f.inputKind === "dataset") {
    return { kind: "dataset", dataset: f.dataset?.sha256 ?? null, filename: f.dataset?.filename ?? null };
  }
  return { kind: "upload" };
}

/** What the form asks the API for: one deployment, or one per market in one request (all or none). */
export type DeployRequest = { kind: "one"; body: DeploymentCreate } | { kind: "many"; body: DeploymentBulkCreate };

export function deployRequest(f: DeployFields, model: string): DeployRequest {
  const target = f.mode === "alias" ? { alias: f.alias } : f.version === "" ? {} : { version: f.version };
  const common = {
    model,
    ...target,
    description: f.description.trim(),
    engine: f.engine,
    params: f.params,
    on_bad_rows: f.onBadRows,
    // Offered only with a stored input; the API says so (naming `schedule`) otherwise.
    schedule: f.scheduled && isStored(f.inputKind) ? { cron: f.cron.trim(), timezone: scheduleZone(f) } : null,
    input: inputSpec(f),
    output: f.table.trim()
      ? { format: f.format, connection: f.outConnection || null, table: f.table.trim() }
      : { format: f.format },
  };
  const name = (f.name ?? proposedName(model, f.markets)).trim();
  if (f.markets.length === 1) return { kind: "one", body: { ...common, name, market: f.markets[0] } };
  return { kind: "many", body: { ...common, markets: f.markets, name_prefix: name || null } };
}
