import { describe, expect, it } from "vitest";
import type { Dataset } from "../api/types";
import { aDataset, aModel } from "../test/catalog";
import { deployRequest, deploymentName, initialFields, isStored, plannedNames, scheduleZone, type DeployFields } from "./deployForm";

const dataset: Dataset = aDataset();

/** The form as it opens for churn (markets FR, alias champion), with `over` typed in. */
function fields(over: Partial<DeployFields> = {}): DeployFields {
  return { ...initialFields(aModel()), ...over };
}

describe("deployment names", () => {
  it("are the API's {prefix}-{market}: lowercase, other characters as one hyphen", () => {
    expect(deploymentName("churn", "UK")).toBe("churn-uk");
    expect(deploymentName("churn", "Benelux & DE")).toBe("churn-benelux-de");
  });

  it("follow the markets until the user types one", () => {
    expect(plannedNames(fields(), "churn")).toEqual(["churn-fr"]);
    expect(plannedNames(fields({ markets: ["FR", "DE"] }), "churn")).toEqual(["churn-fr", "churn-de"]);
    expect(plannedNames(fields({ markets: ["FR", "DE"], name: "weekly" }), "churn")).toEqual(["weekly-fr", "weekly-de"]);
    expect(plannedNames(fields({ name: "churn-paris" }), "churn")).toEqual(["churn-paris"]);
  });
});

describe("the schedule", () => {
  it("reads a stored input only", () => {
    expect(isStored("upload")).toBe(false);
    expect(isStored("dataset")).toBe(true);
    expect(isStored("sql")).toBe(true);
  });

  it("is left out with a file at each run, even when switched on", () => {
    const req = deployRequest(fields({ scheduled: true }), "churn");
    expect(req.body.schedule).toBeNull();
  });

  it("runs in the first market's usual time zone unless one is chosen", () => {
    expect(scheduleZone(fields({ markets: ["DE", "FR"] }))).toBe("Europe/Berlin");
    expect(scheduleZone(fields({ timezone: "Asia/Tokyo" }))).toBe("Asia/Tokyo");
    const req = deployRequest(fields({ scheduled: true, inputKind: "dataset", dataset }), "churn");
    expect(req.body.schedule).toEqual({ cron: "0 6 * * 1", timezone: "Europe/Paris" });
  });
});

describe("deployRequest", () => {
  it("asks for one deployment for one market, with the stored dataset and the bad-row policy", () => {
    const req = deployRequest(fields({ inputKind: "dataset", dataset, onBadRows: "skip" }), "churn");
    expect(req).toMatchObject({
      kind: "one",
      body: {
        name: "churn-fr",
        market: "FR",
        alias: "champion",
        on_bad_rows: "skip",
        input: { kind: "dataset", dataset: dataset.sha256, filename: "customers.csv" },
        output: { format: "parquet" },
      },
    });
  });

  it("asks for one deployment per market in one request for several markets", () => {
    const req = deployRequest(fields({ markets: ["FR", "DE", "IT"], mode: "version", version: 3 }), "churn");
    expect(req.kind).toBe("many");
    expect(req.body).toMatchObject({ markets: ["FR", "DE", "IT"], name_prefix: "churn", version: 3 });
    expect(req.body).not.toHaveProperty("alias");
  });

  it("sends a SQL input and a table output as typed", () => {
    const req = deployRequest(
      fields({ inputKind: "sql", connection: "warehouse", query: "select 1", table: " scores ", outConnection: "warehouse" }),
      "churn",
    );
    expect(req.body.input).toEqual({ kind: "sql", connection: "warehouse", query: "select 1" });
    expect(req.body.output).toEqual({ format: "parquet", connection: "warehouse", table: "scores" });
  });
});
