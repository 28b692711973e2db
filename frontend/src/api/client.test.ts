import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, createDeployment, listDeployments, runWithFile, searchModels } from "./client";
import { answer } from "../test/fetchStub";

describe("the data-access module", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("turns the error body into an ApiError", async () => {
    answer(403, { error: { code: "forbidden", message: "needs admin" } });
    await expect(listDeployments()).rejects.toEqual(new ApiError(403, "forbidden", "needs admin"));
  });

  it("says a server that cannot be reached is a network error", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))));
    await expect(listDeployments()).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("sends the CSRF token on writes", async () => {
    document.cookie = "modelport_csrf=abc123";
    const requests = answer(201, { id: 1 });
    await createDeployment({ name: "x", model: "m", market: "FR", description: "", engine: "local", on_bad_rows: "reject" });
    expect(requests[0].method).toBe("POST");
    expect(requests[0].headers.get("X-CSRF-Token")).toBe("abc123");
    expect(await requests[0].json()).toMatchObject({ name: "x", market: "FR" });
  });

  it("puts the query in the URL as the API reads it: lists repeated, empty values left out", async () => {
    const requests = answer(200, { items: [], total: 0, page: 1, page_size: 12, facets: {} });
    await searchModels({ market: ["FR", "DE"], q: undefined, page: 2 });
    const url = new URL(requests[0].url);
    expect(url.pathname).toBe("/api/v1/models");
    expect(url.searchParams.getAll("market")).toEqual(["FR", "DE"]);
    expect(url.searchParams.get("page")).toBe("2");
    expect(url.searchParams.has("q")).toBe(false);
  });

  it("starts a run with the file as a multipart form and answers the run", async () => {
    const requests = answer(202, { id: 7, status: "queued" });
    const run = await runWithFile(3, new File(["a,b\n1,2\n"], "input.csv", { type: "text/csv" }));
    expect(run).toMatchObject({ id: 7, status: "queued" });
    expect(new URL(requests[0].url).pathname).toBe("/api/v1/deployments/3/executions");
    expect(requests[0].headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    // (jsdom's File reaches Node's fetch as a plain blob: the browser tests check the file's name.)
    const body = await requests[0].text();
    expect(body).toMatch(/name="file"/);
    expect(body).toContain("a,b\n1,2\n");
  });
});
