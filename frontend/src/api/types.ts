/**
 * The API's types, all from the backend's OpenAPI schema (`npm run gen:api` regenerates `schema.d.ts`;
 * run it whenever the API changes: `npm run typecheck` then shows what the change breaks here).
 */
import type { components } from "./schema";

type S = components["schemas"];

export type Role = S["Role"];
export type User = S["User"];
export type UserCreate = S["UserCreate"];
export type UserUpdate = S["UserUpdate"];
export type LoginResponse = S["LoginResponse"];
export type ApiToken = S["ApiToken"];
export type ApiTokenCreate = S["ApiTokenCreate"];
export type ApiTokenCreated = S["ApiTokenCreated"];
/** Fields with server-side defaults are always in answers, though the schema marks them optional. */
type Filled<T, K extends keyof T> = Omit<T, K> & Required<Pick<T, K>>;

export type ColumnSpec = Filled<S["ColumnSpec"], "type" | "nullable">;
export type ModelSchema = { columns: ColumnSpec[] };
export type Model = Filled<S["Model"], "flavors" | "aliases">;
export type ModelCreate = S["ModelCreate"];
export type ModelUpdate = S["ModelUpdate"];
export type ModelVersion = Omit<Filled<S["ModelVersion"], "aliases">, "input_schema" | "output_schema"> & {
  input_schema: ModelSchema;
  output_schema: ModelSchema;
};
export type ModelSearch = Omit<S["ModelSearch"], "items"> & { items: Model[] };
export type FacetCount = S["FacetCount"];
export type AuditEvent = S["AuditEvent"];
export type UsersPage = S["Page_User_"];
export type AuditPage = S["Page_AuditEvent_"];

export const ROLES: readonly Role[] = ["viewer", "business_user", "data_scientist", "admin"];

/** True when `role` may do what `needed` may (viewer < business_user < data_scientist < admin). */
export function roleAllows(role: Role | undefined, needed: Role): boolean {
  if (!role) return false;
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

/** Search parameters of GET /api/v1/models. */
export interface SearchParams {
  q?: string;
  department?: string[];
  market?: string[];
  brand?: string[];
  flavor?: string[];
  owner?: string[];
  tag?: string[];
  sort?: "relevance" | "name" | "-name" | "updated" | "-updated" | "created" | "-created";
  page?: number;
  page_size?: number;
}

export type AuthConfig = S["AuthConfig"];
export type Stats = S["Stats"];
export type MarketCell = S["MarketCell"];
export type Connection = S["Connection"];

// --- deployments and executions (issue 3) ------------------------------------------------------

export type Schedule = S["ScheduleSpec"];
export type InputSource = S["InputSpec"];
export type OutputSink = S["OutputSpec"];
export type DeploymentCreate = S["DeploymentCreate"];
export type Deployment = S["Deployment"];
export type Execution = S["Execution"];
export type ExecutionStatus = Execution["status"];
export type ExecutionLog = S["ExecutionLog"];
export type PredictResponse = S["PredictResponse"];
export type SchedulePreview = S["SchedulePreview"];

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  page_size: number;
}

export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ["succeeded", "failed", "cancelled"];

/** One page of an execution's results: rows as objects (whatever wrapper the API uses). */
export interface ResultsPage {
  rows: Record<string, unknown>[];
  total: number | null;
  columns: string[];
}
