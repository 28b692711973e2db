import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, authConfig, listDeployments, normalizeResults } from "./client";

function answer(status: number, body: unknown) {
  return vi.fn(async () => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } }));
}

describe("the data-access module", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("treats a server without the SSO settings route as password sign-in only", async () => {
    vi.stubGlobal("fetch", answer(404, { error: { code: "not_found", message: "no route /api/v1/auth/config" } }));
    expect(await authConfig()).toEqual({ sso_enabled: false, local_login_enabled: true, sso_login_url: null });
  });

  it("turns the error body into an ApiError", async () => {
    vi.stubGlobal("fetch", answer(403, { error: { code: "forbidden", message: "needs admin" } }));
    await expect(listDeployments()).rejects.toEqual(new ApiError(403, "forbidden", "needs admin"));
  });

  it("sends the CSRF token on writes", async () => {
    document.cookie = "modelport_csrf=abc123";
    const fetch = answer(201, { id: 1 });
    vi.stubGlobal("fetch", fetch);
    const { createDeployment } = await import("./client");
    await createDeployment({ name: "x", model: "m", market: "FR", description: "", engine: "local" });
    const init = (fetch.mock.calls[0] as unknown as [string, RequestInit])[1];
    expect((init.headers as Record<string, string>)["X-CSRF-Token"]).toBe("abc123");
  });

  it("reads result pages in any of the shapes a results route may use", () => {
    expect(normalizeResults({ columns: ["a", "prediction"], rows: [{ a: 1, prediction: 0 }], total: 9 })).toEqual({
      columns: ["a", "prediction"],
      rows: [{ a: 1, prediction: 0 }],
      total: 9,
    });
    expect(normalizeResults([{ a: 1 }])).toEqual({ columns: ["a"], rows: [{ a: 1 }], total: null });
    expect(normalizeResults({ columns: ["a"], rows: [[5]] }).rows).toEqual([{ a: 5 }]);
  });
});
