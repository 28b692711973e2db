/** The datasets pages' calls, as the API reads them. */
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiError,
  datasetRows,
  deleteDataset,
  getDatasetVersion,
  listDatasets,
  previewCleaning,
  profileDataset,
  saveCleaning,
  snapshotDataset,
  uploadNamedDataset,
} from "../api/client";
import { answer } from "../test/fetchStub";

describe("the datasets calls", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("uploads a file with its name and description as one multipart form", async () => {
    const requests = answer(201, { name: "churn-q3", version: 1 });
    await uploadNamedDataset(new File(["a,b\n1,2\n"], "q3.csv", { type: "text/csv" }), { name: "churn-q3", description: "Third quarter" });
    expect(requests[0].method).toBe("POST");
    expect(new URL(requests[0].url).pathname).toBe("/api/v1/datasets");
    expect(requests[0].headers.get("content-type")).toMatch(/^multipart\/form-data; boundary=/);
    const body = await requests[0].text();
    expect(body).toMatch(/name="file"/);
    expect(body).toMatch(/name="name"\r\n\r\nchurn-q3\r\n/);
    expect(body).toMatch(/name="description"\r\n\r\nThird quarter\r\n/);
  });

  it("leaves the name out when there is none (the API names the dataset after the file)", async () => {
    const requests = answer(201, {});
    await uploadNamedDataset(new File(["a\n1\n"], "q3.csv"));
    const body = await requests[0].text();
    expect(body).not.toMatch(/name="name"/);
    expect(body).not.toMatch(/name="description"/);
  });

  it("reads lists, versions and rows by their paths and queries", async () => {
    const requests = answer(200, {});
    await listDatasets({ q: "churn", page: 2, page_size: 20 });
    await getDatasetVersion("my data", 3);
    await datasetRows("churn", "latest", 2, 50);
    expect(requests.map((r) => new URL(r.url).pathname + new URL(r.url).search)).toEqual([
      "/api/v1/datasets?q=churn&page=2&page_size=20",
      "/api/v1/datasets/my%20data/versions/3",
      "/api/v1/datasets/churn/versions/latest/rows?page=2&page_size=50",
    ]);
  });

  it("asks for a profile, previews and saves steps as {steps}", async () => {
    const requests = answer(200, {});
    const steps = [{ op: "cast" as const, column: "zip", to: "category" as const }];
    await profileDataset("churn", 2);
    await previewCleaning("churn", 2, steps);
    await saveCleaning("churn", 2, steps);
    expect(requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /api/v1/datasets/churn/versions/2/profile",
      "POST /api/v1/datasets/churn/versions/2/preview",
      "PUT /api/v1/datasets/churn/versions/2/steps",
    ]);
    expect(await requests[1].json()).toEqual({ steps });
    expect(await requests[2].json()).toEqual({ steps });
  });

  it("snapshots a SQL query as JSON", async () => {
    const requests = answer(201, { name: "fr-customers", version: 1 });
    const body = { connection: "warehouse", query: "select *\nfrom customers", name: "fr-customers", description: "" };
    const d = await snapshotDataset(body);
    expect(d).toEqual({ name: "fr-customers", version: 1 });
    expect(`${requests[0].method} ${new URL(requests[0].url).pathname}`).toBe("POST /api/v1/datasets/sql");
    expect(await requests[0].json()).toEqual(body);
  });

  it("deletes a dataset by its name, and throws the API's refusal with its field and details", async () => {
    const requests: Request[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        requests.push(request);
        return new Response(null, { status: 204 });
      }),
    );
    await expect(deleteDataset("my data")).resolves.toBeUndefined();
    expect(`${requests[0].method} ${new URL(requests[0].url).pathname}`).toBe("DELETE /api/v1/datasets/my%20data");

    answer(409, { error: { code: "conflict", message: "dataset 'churn' is being read by execution(s) 4", field: "name", details: { executions: [4] } } });
    const refusal = await deleteDataset("churn").catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(ApiError);
    expect(refusal).toMatchObject({ status: 409, code: "conflict", field: "name", details: { executions: [4] } });
  });
});
