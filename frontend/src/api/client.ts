/**
 * The one data-access module: every call the app makes to the API goes through here, so tests stub
 * this module and nothing else. Catalog, auth, users, tokens and audit are typed from the OpenAPI
 * schema through openapi-fetch; deployments and executions (issue 3) use the same request path with
 * hand-written types until their routes are in the schema.
 */
import createClient from "openapi-fetch";
import type { paths } from "./schema";
import type {
  ApiToken,
  ApiTokenCreate,
  ApiTokenCreated,
  AuditPage,
  AuthConfig,
  Connection,
  Deployment,
  DeploymentCreate,
  Execution,
  ExecutionLog,
  ExecutionStatus,
  LoginResponse,
  Model,
  ModelCreate,
  ModelSearch,
  ModelUpdate,
  ModelVersion,
  Page,
  PredictResponse,
  ResultsPage,
  Role,
  SchedulePreview,
  SearchParams,
  Stats,
  User,
  UserCreate,
  UserUpdate,
  UsersPage,
} from "./types";

export const CSRF_COOKIE = "modelport_csrf";

/** An error answered by the API, in its one body shape: {"error": {"code", "message", "field"}}. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | null;
  readonly details: { field?: string; message: string }[];

  constructor(
    status: number,
    code: string,
    message: string,
    field: string | null = null,
    details: { field?: string; message: string }[] = [],
  ) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; field?: string | null; details?: { field?: string; message: string }[] };
  detail?: unknown;
}

/** Build an ApiError from a status and whatever body came back (JSON object, text or nothing). */
export function toApiError(status: number, body: unknown): ApiError {
  if (body && typeof body === "object") {
    const e = (body as ErrorBody).error;
    if (e && typeof e === "object") {
      return new ApiError(status, e.code ?? codeFor(status), e.message ?? "", e.field ?? null, e.details ?? []);
    }
  }
  const text = typeof body === "string" ? body : "";
  return new ApiError(status, codeFor(status), text);
}

function codeFor(status: number): string {
  if (status === 0) return "network";
  if (status === 400) return "bad_request";
  if (status === 401) return "unauthenticated";
  if (status === 403) return "forbidden";
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 413) return "payload_too_large";
  if (status === 422) return "invalid_argument";
  if (status === 429) return "too_many_requests";
  return "internal_error";
}

export function readCookie(name: string): string | null {
  if (typeof document === "undefined") return null;
  for (const part of document.cookie.split(";")) {
    const [k, ...v] = part.trim().split("=");
    if (k === name) return decodeURIComponent(v.join("="));
  }
  return null;
}

let csrfToken: string | null = null;

function csrfHeader(): Record<string, string> {
  const token = readCookie(CSRF_COOKIE) ?? csrfToken;
  return token ? { "X-CSRF-Token": token } : {};
}

const api = createClient<paths>({ baseUrl: typeof window === "undefined" ? "http://localhost" : window.location.origin });
api.use({
  onRequest({ request }) {
    if (request.method !== "GET" && request.method !== "HEAD") {
      for (const [k, v] of Object.entries(csrfHeader())) request.headers.set(k, v);
    }
    return request;
  },
});

/**
 * The answer of an openapi-fetch call: its data, or an ApiError thrown. Paths, parameters and bodies
 * are checked against the schema by openapi-fetch; the answer takes the caller's declared type, which
 * for catalog objects is the schema's type with server-side defaults filled (see types.ts).
 */
async function unwrap<T>(call: Promise<{ data?: unknown; error?: unknown; response: Response }>): Promise<T> {
  let result: { data?: unknown; error?: unknown; response: Response };
  try {
    result = await call;
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  if (!result.response.ok) throw toApiError(result.response.status, result.error);
  return result.data as T;
}

type Query = Record<string, string | number | boolean | string[] | null | undefined>;

function queryString(query?: Query): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === "") continue;
    if (Array.isArray(v)) v.forEach((item) => params.append(k, item));
    else params.append(k, String(v));
  }
  const s = params.toString();
  return s ? `?${s}` : "";
}

/** A call to a route that is not in the OpenAPI schema yet (issue 3), same errors and CSRF. */
async function request<T>(
  method: string,
  path: string,
  opts: { query?: Query; json?: unknown; form?: FormData; as?: "json" | "text" } = {},
): Promise<T> {
  const headers: Record<string, string> = { Accept: opts.as === "text" ? "text/plain" : "application/json" };
  if (method !== "GET") Object.assign(headers, csrfHeader());
  let body: BodyInit | undefined;
  if (opts.json !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(opts.json);
  } else if (opts.form) {
    body = opts.form;
  }
  let response: Response;
  try {
    response = await fetch(path + queryString(opts.query), { method, headers, body, credentials: "same-origin" });
  } catch {
    throw new ApiError(0, "network", "network error");
  }
  const type = response.headers.get("content-type") ?? "";
  const parsed: unknown = type.includes("json") ? await response.json().catch(() => null) : await response.text();
  if (!response.ok) throw toApiError(response.status, parsed);
  return parsed as T;
}

// --- auth ----------------------------------------------------------------------------------------

export async function login(username: string, password: string): Promise<LoginResponse> {
  const res = await unwrap<LoginResponse>(api.POST("/api/v1/auth/login", { body: { username, password } }));
  csrfToken = res.csrf_token;
  return res;
}

export async function logout(): Promise<void> {
  await unwrap(api.POST("/api/v1/auth/logout"));
  csrfToken = null;
}

export function me(): Promise<User> {
  return unwrap(api.GET("/api/v1/auth/me"));
}

/** SSO settings; a server without the endpoint means local sign-in only. */
export async function authConfig(): Promise<AuthConfig> {
  try {
    return await request<AuthConfig>("GET", "/api/v1/auth/config");
  } catch (err) {
    if (err instanceof ApiError && (err.status === 404 || err.status === 405)) {
      return { sso_enabled: false, local_login_enabled: true, sso_login_url: null };
    }
    throw err;
  }
}

// --- catalog -------------------------------------------------------------------------------------

export function searchModels(params: SearchParams): Promise<ModelSearch> {
  return unwrap(api.GET("/api/v1/models", { params: { query: params } }));
}

export function getModel(name: string): Promise<Model> {
  return unwrap(api.GET("/api/v1/models/{name}", { params: { path: { name } } }));
}

export function createModel(body: ModelCreate): Promise<Model> {
  return unwrap(api.POST("/api/v1/models", { body }));
}

export function updateModel(name: string, body: ModelUpdate): Promise<Model> {
  return unwrap(api.PATCH("/api/v1/models/{name}", { params: { path: { name } }, body }));
}

export function listVersions(name: string): Promise<ModelVersion[]> {
  return unwrap(api.GET("/api/v1/models/{name}/versions", { params: { path: { name } } }));
}

export function getVersion(name: string, ref: string): Promise<ModelVersion> {
  return unwrap(api.GET("/api/v1/models/{name}/versions/{ref}", { params: { path: { name, ref } } }));
}

export function setAlias(name: string, alias: string, version: number): Promise<ModelVersion> {
  return unwrap(
    api.PUT("/api/v1/models/{name}/aliases/{alias}", { params: { path: { name, alias } }, body: { version } }),
  );
}

export function deleteAlias(name: string, alias: string): Promise<void> {
  return unwrap(api.DELETE("/api/v1/models/{name}/aliases/{alias}", { params: { path: { name, alias } } }));
}

export function versionDownloadUrl(name: string, ref: string | number): string {
  return `/api/v1/models/${encodeURIComponent(name)}/versions/${encodeURIComponent(String(ref))}/download`;
}

export interface VersionMeta {
  description?: string;
  metrics?: Record<string, number>;
  params?: Record<string, unknown>;
  training_data?: string | null;
  source_version?: string | null;
  aliases?: string[];
}

/**
 * Upload a new version through XMLHttpRequest, whose upload.onprogress reports the bytes sent
 * (fetch cannot). `onProgress` receives 0..1.
 */
export function uploadVersion(
  name: string,
  file: File,
  opts: { sample?: File | null; meta?: VersionMeta; onProgress?: (fraction: number) => void } = {},
): Promise<ModelVersion> {
  const form = new FormData();
  form.append("file", file, file.name);
  if (opts.sample) form.append("sample", opts.sample, opts.sample.name);
  if (opts.meta) form.append("meta", JSON.stringify(opts.meta));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/models/${encodeURIComponent(name)}/versions`);
    xhr.withCredentials = true;
    for (const [k, v] of Object.entries(csrfHeader())) xhr.setRequestHeader(k, v);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && opts.onProgress) opts.onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      let body: unknown = xhr.responseText;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: keep the text */
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as ModelVersion);
      else reject(toApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, "network", "network error"));
    xhr.send(form);
  });
}

// --- dashboard, connections ----------------------------------------------------------------------

export function getStats(): Promise<Stats> {
  return unwrap(api.GET("/api/v1/stats"));
}

export function listConnections(): Promise<Connection[]> {
  return unwrap(api.GET("/api/v1/connections"));
}

// --- users, tokens, audit ------------------------------------------------------------------------

export function listUsers(query: { page?: number; page_size?: number; role?: Role; q?: string }): Promise<UsersPage> {
  return unwrap(api.GET("/api/v1/users", { params: { query } }));
}

export function createUser(body: UserCreate): Promise<User> {
  return unwrap(api.POST("/api/v1/users", { body }));
}

export function updateUser(username: string, body: UserUpdate): Promise<User> {
  return unwrap(api.PATCH("/api/v1/users/{username}", { params: { path: { username } }, body }));
}

export function listTokens(allUsers: boolean): Promise<ApiToken[]> {
  return unwrap(api.GET("/api/v1/tokens", { params: { query: { all_users: allUsers } } }));
}

export function createToken(body: ApiTokenCreate, username?: string): Promise<ApiTokenCreated> {
  return unwrap(api.POST("/api/v1/tokens", { body, params: { query: username ? { username } : {} } }));
}

export function revokeToken(id: number): Promise<ApiToken> {
  return unwrap(api.DELETE("/api/v1/tokens/{token_id}", { params: { path: { token_id: id } } }));
}

export interface AuditQuery {
  page?: number;
  page_size?: number;
  actor?: string;
  action?: string;
  target_type?: string;
  target?: string;
  since?: string;
  until?: string;
}

export function listAuditActions(): Promise<string[]> {
  return unwrap(api.GET("/api/v1/audit/actions"));
}

export function listAudit(query: AuditQuery): Promise<AuditPage> {
  const clean = Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== ""));
  return unwrap(api.GET("/api/v1/audit", { params: { query: clean } }));
}

// --- deployments, predictions, executions (issue 3) ----------------------------------------------

/** Lists come back as a page or a bare array, depending on the route: both become a page. */
function asPage<T>(body: Page<T> | T[]): Page<T> {
  if (Array.isArray(body)) return { items: body, total: body.length, page: 1, page_size: body.length };
  return body;
}

export async function listDeployments(query: { model?: string; market?: string; page?: number } = {}): Promise<Page<Deployment>> {
  return asPage(await request<Page<Deployment> | Deployment[]>("GET", "/api/v1/deployments", { query }));
}

export function getDeployment(id: number): Promise<Deployment> {
  return request("GET", `/api/v1/deployments/${id}`);
}

export function createDeployment(body: DeploymentCreate): Promise<Deployment> {
  return request("POST", "/api/v1/deployments", { json: body });
}

export function pauseDeployment(id: number): Promise<Deployment> {
  return request("POST", `/api/v1/deployments/${id}/pause`);
}

export function resumeDeployment(id: number): Promise<Deployment> {
  return request("POST", `/api/v1/deployments/${id}/resume`);
}

export function previewSchedule(cron: string, timezone: string, count = 5): Promise<SchedulePreview> {
  return request("GET", "/api/v1/schedules/preview", { query: { cron, timezone, count } });
}

export function predict(id: number, inputs: Record<string, unknown>[]): Promise<PredictResponse> {
  return request("POST", `/api/v1/deployments/${id}/predict`, { json: { inputs } });
}

export function runWithFile(id: number, file: File): Promise<Execution> {
  const form = new FormData();
  form.append("file", file, file.name);
  return request("POST", `/api/v1/deployments/${id}/executions`, { form });
}

export function runWithRows(id: number, rows: Record<string, unknown>[]): Promise<Execution> {
  return request("POST", `/api/v1/deployments/${id}/executions`, { json: { rows } });
}

export async function listExecutions(
  query: { deployment?: number | string; model?: string; status?: ExecutionStatus; page?: number; page_size?: number } = {},
): Promise<Page<Execution>> {
  return asPage(await request<Page<Execution> | Execution[]>("GET", "/api/v1/executions", { query }));
}

export function getExecution(id: number): Promise<Execution> {
  return request("GET", `/api/v1/executions/${id}`);
}

/** The run's log lines (JSON lines; a plain-text answer becomes one line per text line). */
export async function executionLogs(id: number, after = 0): Promise<ExecutionLog[]> {
  const body = await request<ExecutionLog[] | string>("GET", `/api/v1/executions/${id}/logs`, { query: { after } });
  if (typeof body === "string") {
    return body
      .split("\n")
      .filter(Boolean)
      .map((message, i) => ({ id: i + 1, at: "", level: "info", message }));
  }
  return body;
}

export function cancelExecution(id: number): Promise<Execution> {
  return request("POST", `/api/v1/executions/${id}/cancel`);
}

/** One page of results; accepts a bare array of rows or {items|rows, total, columns}. */
export async function executionResults(id: number, page: number, pageSize: number): Promise<ResultsPage> {
  const body = await request<unknown>("GET", `/api/v1/executions/${id}/results`, {
    query: { page, page_size: pageSize },
  });
  return normalizeResults(body);
}

export function normalizeResults(body: unknown): ResultsPage {
  let rows: Record<string, unknown>[] = [];
  let total: number | null = null;
  let columns: string[] | null = null;
  if (Array.isArray(body)) {
    rows = body as Record<string, unknown>[];
  } else if (body && typeof body === "object") {
    const o = body as Record<string, unknown>;
    const list = o.items ?? o.rows ?? o.data;
    if (Array.isArray(list)) rows = list as Record<string, unknown>[];
    if (typeof o.total === "number") total = o.total;
    if (Array.isArray(o.columns)) columns = (o.columns as unknown[]).map(String);
  }
  // Rows may come as arrays with a separate column list.
  if (columns && rows.length && Array.isArray(rows[0])) {
    const cols = columns;
    rows = (rows as unknown as unknown[][]).map((r) => Object.fromEntries(cols.map((c, i) => [c, r[i]])));
  }
  return { rows, total, columns: columns ?? (rows[0] ? Object.keys(rows[0]) : []) };
}

export function resultsDownloadUrl(id: number, format: "csv" | "parquet" | "xlsx"): string {
  return `/api/v1/executions/${id}/results/download?format=${format}`;
}
