/** API objects for component tests, as the API answers them (every field the schema requires). */
import type { Model, User } from "../api/types";

export function user(over: Partial<User> = {}): User {
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

export function model(over: Partial<Model> = {}): Model {
  return {
    id: 1,
    name: "churn",
    title: "Churn",
    description: "",
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
