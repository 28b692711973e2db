/** The calls of the deployment page, the self-service markets and the notifications, as the API reads them. */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  approveMarketRequest,
  createDeployments,
  listPredictions,
  markAllNotificationsRead,
  setDeploymentInput,
  unreadNotifications,
  uploadDataset,
} from "./client";
import { answer } from "../test/fetchStub";

describe("the first hour's calls", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("uploads a dataset as a multipart form holding the file", async () => {
    const requests = answer(201, { sha256: "a".repeat(64), filename: "c.csv", format: "csv", size: 4, columns: ["x"], preview: [] });
    const stored = await uploadDataset(new File(["x\n1\n"], "c.csv", { type: "text/csv" }));
    expect(stored.filename).toBe("c.csv");
    expect(requests[0].headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    // (jsdom's File reaches Node's fetch as a plain blob: the browser tests check the file's name.)
    const body = await requests[0].text();
    expect(body).toMatch(/name="file"/);
    expect(body).toContain("x\n1\n");
  });

  it("replaces a deployment's input with PUT .../input", async () => {
    const requests = answer(200, { name: "churn-fr" });
    await setDeploymentInput("churn-fr", new File(["x\n"], "newer.csv"));
    expect(requests[0].method).toBe("PUT");
    expect(new URL(requests[0].url).pathname).toBe("/api/v1/deployments/churn-fr/input");
    expect(await requests[0].text()).toMatch(/name="file"/);
  });

  it("deploys several markets in one request", async () => {
    const requests = answer(201, []);
    await createDeployments({ model: "churn", markets: ["FR", "DE"], alias: "champion", description: "", engine: "local", on_bad_rows: "skip" });
    expect(new URL(requests[0].url).pathname).toBe("/api/v1/deployments/bulk");
    expect(await requests[0].json()).toMatchObject({ markets: ["FR", "DE"], on_bad_rows: "skip" });
  });

  it("approves a request in one click with no body, or with what to open the model with", async () => {
    let requests = answer(200, { id: 7 });
    await approveMarketRequest(7);
    expect(new URL(requests[0].url).pathname).toBe("/api/v1/market-requests/7/approve");
    expect(await requests[0].text()).toBe("");
    requests = answer(200, { id: 7 });
    await approveMarketRequest(7, { alias: "champion" });
    expect(await requests[0].json()).toEqual({ alias: "champion" });
  });

  it("pages the prediction log and marks read up to the newest notification shown", async () => {
    let requests = answer(200, { items: [], total: 0, page: 2, page_size: 10 });
    await listPredictions("churn-fr", { page: 2, page_size: 10 });
    let url = new URL(requests[0].url);
    expect(url.pathname).toBe("/api/v1/deployments/churn-fr/predictions");
    expect(url.searchParams.get("page")).toBe("2");
    requests = answer(200, { updated: 3 });
    await markAllNotificationsRead(42);
    url = new URL(requests[0].url);
    expect(url.pathname).toBe("/api/v1/notifications/read-all");
    expect(url.searchParams.get("up_to")).toBe("42");
    answer(200, { unread: 5 });
    expect(await unreadNotifications()).toBe(5);
  });
});
