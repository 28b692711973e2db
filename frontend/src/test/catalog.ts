/** A user, a model, a version and a model's self-service markets for tests, as the API answers them (every required field). */
import type { ColumnSpec, Dataset, Model, ModelVersion, SelfService, User } from "../api/types";

export function aUser(over: Partial<User> = {}): User {
  return {
    id: 1,
    username: "ds",
    email: "ds@example.com",
    display_name: "Camille",
    role: "data_scientist",
    department: "marketing",
    auth_source: "local",
    is_active: true,
    created_at: "2026-01-01T00:00:00Z",
    last_login_at: null,
    ...over,
  };
}

export function aModel(over: Partial<Model> = {}): Model {
  return {
    id: 1,
    name: "churn",
    title: "Churn",
    description: "Who leaves.",
    department: "marketing",
    markets: ["FR"],
    brands: [],
    use_case: null,
    tags: [],
    visibility: "company",
    owner: "ds",
    latest_version: 2,
    version_count: 2,
    flavors: ["sklearn"],
    aliases: { champion: 2 },
    created_at: "2026-01-01T00:00:00Z",
    updated_at: "2026-01-01T00:00:00Z",
    state: "active",
    archived_at: null,
    ...over,
  };
}

export function aVersion(columns: ColumnSpec[], over: Partial<ModelVersion> = {}): ModelVersion {
  return {
    id: 2,
    model: "churn",
    version: 2,
    description: "",
    flavor: "sklearn",
    format: "skops",
    safe_format: true,
    model_type: "Pipeline",
    filename: "churn.skops",
    artifact: { uri: "file:///x", sha256: "0".repeat(64), size: 10 },
    input_schema: { columns },
    output_schema: { columns: [] },
    example: {},
    metrics: {},
    params: {},
    training_data: null,
    source_version: null,
    created_by: "ds",
    created_at: "2026-01-01T00:00:00Z",
    aliases: ["champion"],
    ...over,
  };
}

/** churn open to FR and IT (following alias champion, v2), deployed in FR; the user may deploy and request. */
export function aSelfService(over: Partial<SelfService> = {}): SelfService {
  return {
    model: "churn",
    open: true,
    version: null,
    alias: "champion",
    resolved_version: 2,
    markets: ["FR", "IT"],
    all_markets: false,
    opened_by: "ds",
    opened_at: "2026-11-01T10:00:00Z",
    updated_by: "ds",
    updated_at: "2026-11-01T10:00:00Z",
    deployments: [{ name: "churn-fr", market: "FR", owner: "ds", state: "active" }],
    suggested_names: { FR: "churn-fr-2", IT: "churn-it" },
    can_manage: false,
    can_deploy: true,
    can_request: true,
    pending_requests: null,
    ...over,
  };
}

export function aDataset(over: Partial<Dataset> = {}): Dataset {
  return {
    id: 1,
    name: "customers",
    description: "",
    visibility: "company",
    owner: "dana",
    version: 1,
    latest_version: 1,
    sha256: "a".repeat(64),
    filename: "customers.csv",
    format: "csv",
    size: 120,
    rows: 20,
    columns: ["x"],
    preview: [],
    source: { kind: "upload", connection: null, query: null },
    parse_report: null,
    profile: null,
    profile_execution: null,
    steps: [],
    created_by: "dana",
    created_at: "2026-11-20T10:00:00Z",
    updated_at: "2026-11-20T10:00:00Z",
    ...over,
  };
}
