import { describe, expect, it } from "vitest";
import { cvRow, holdoutRows, idsFromParam } from "./compare";
import { aBinaryEvaluation, anEntry, aTraining } from "./fixtures";
import { bestIndexes, formatClock, formatSeconds, likelyTask, metricsFor, usualMetric } from "./metrics";

const profile = (kind: "boolean" | "number" | "integer" | "category" | "date", distinct: number) => ({
  name: "y",
  kind,
  dtype: "x",
  missing: 0,
  missing_share: 0,
  distinct,
});

describe("metrics", () => {
  it("offers the metrics that fit a task", () => {
    expect(metricsFor("regression")).toEqual(["r2", "rmse", "mae"]);
    expect(metricsFor("binary")).toContain("roc_auc");
    expect(metricsFor("multiclass")).not.toContain("f1");
    expect(metricsFor(null)).toHaveLength(8);
  });

  it("names the metric the API picks by default: F1 for a binary target under 20 % of its rarer class", () => {
    const counts = (a: number, b: number) => ({ ...profile("boolean", 2), top_values: [{ value: "no", count: a }, { value: "yes", count: b }] });
    expect(usualMetric("binary", counts(95, 5))).toBe("f1");
    expect(usualMetric("binary", counts(70, 30))).toBe("roc_auc");
    expect(usualMetric("binary")).toBe("roc_auc");
    expect(usualMetric("multiclass")).toBe("accuracy");
    expect(usualMetric("regression")).toBe("r2");
  });

  it("guesses the task from the target's profile", () => {
    expect(likelyTask(profile("boolean", 2))).toBe("binary");
    expect(likelyTask(profile("category", 2))).toBe("binary");
    expect(likelyTask(profile("category", 5))).toBe("multiclass");
    expect(likelyTask(profile("integer", 4))).toBe("multiclass");
    expect(likelyTask(profile("number", 800))).toBe("regression");
    expect(likelyTask(profile("date", 800))).toBeNull();
    expect(likelyTask(undefined)).toBeNull();
  });

  it("finds the best values by the metric's direction, ties included", () => {
    expect(bestIndexes([0.8, 0.9, null], "roc_auc")).toEqual([1]);
    expect(bestIndexes([3.1, 2.5, 2.5], "rmse")).toEqual([1, 2]);
    expect(bestIndexes([null, undefined], "r2")).toEqual([]);
  });

  it("writes durations for people", () => {
    expect(formatSeconds(0.042, "en-GB")).toBe("0.042 s");
    expect(formatSeconds(45, "en-GB")).toBe("45 s");
    expect(formatSeconds(90, "en-GB")).toBe("1 min 30 s");
    expect(formatSeconds(1800, "en-GB")).toBe("30 min");
    expect(formatClock(61)).toBe("1:01");
    expect(formatClock(3725)).toBe("1:02:05");
  });
});

describe("compare", () => {
  it("reads the ids of a link: whole, positive, each once, at most four", () => {
    expect(idsFromParam("5, 3,x,3,-1,2.5,9,11,12")).toEqual([5, 3, 9, 11]);
    expect(idsFromParam(null)).toEqual([]);
  });

  it("highlights a cross-validated score only between trainings on the same metric", () => {
    const a = aTraining({ id: 1, best: anEntry({ mean: 0.8 }) });
    const b = aTraining({ id: 2, best: anEntry({ mean: 0.9 }) });
    expect(cvRow([a, b]).best).toEqual([1]);
    expect(cvRow([a, { ...b, metric: "f1" }]).best).toEqual([]);
  });

  it("lists the holdout metrics of any training, a missing one left blank", () => {
    const a = aTraining({ evaluation: aBinaryEvaluation({ metrics: { roc_auc: 0.9, f1: 0.7 } }) });
    const b = aTraining({ evaluation: null });
    const rows = holdoutRows([a, b]);
    expect(rows.map((r) => r.metric)).toEqual(["roc_auc", "f1"]);
    expect(rows[0]).toEqual({ metric: "roc_auc", values: [0.9, null], best: [] });
  });
});
