import { describe, expect, it } from "vitest";
import type { Model, User } from "../api/types";
import { mayChangeModel, mayDeleteModel } from "./permissions";

const model = { name: "churn", owner: "ds", department: "marketing" } as Model;
const user = (username: string, role: User["role"], department: string | null = null) =>
  ({ id: 1, username, role, department, created_at: "2026-01-01T00:00:00Z" }) as User;

describe("who may change a model", () => {
  it("is its owner, its department's data scientists and admins", () => {
    expect(mayChangeModel(user("ds", "data_scientist"), model)).toBe(true);
    expect(mayChangeModel(user("other", "data_scientist", "marketing"), model)).toBe(true);
    expect(mayChangeModel(user("admin", "admin"), model)).toBe(true);
    expect(mayChangeModel(user("other", "data_scientist", "hr"), model)).toBe(false);
    expect(mayChangeModel(user("other", "data_scientist"), model)).toBe(false);
  });

  it("never a viewer or business user, even of the department", () => {
    expect(mayChangeModel(user("viewer", "viewer", "marketing"), model)).toBe(false);
    expect(mayChangeModel(user("ds", "business_user", "marketing"), model)).toBe(false);
    expect(mayChangeModel(undefined, model)).toBe(false);
  });

  it("deletes: the owner and admins only", () => {
    expect(mayDeleteModel(user("ds", "data_scientist"), model)).toBe(true);
    expect(mayDeleteModel(user("admin", "admin"), model)).toBe(true);
    expect(mayDeleteModel(user("other", "data_scientist", "marketing"), model)).toBe(false);
  });
});
