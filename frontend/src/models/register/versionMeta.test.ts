import { describe, expect, it } from "vitest";
import { EMPTY_VERSION, parseMetrics, versionMeta } from "./versionMeta";

describe("the version step's fields", () => {
  it("accepts metrics only as a JSON object of numbers", () => {
    expect(parseMetrics('{"auc": 0.8, "rmse": 3}')).toEqual({ auc: 0.8, rmse: 3 });
    expect(parseMetrics("")).toEqual({});
    expect(parseMetrics('{"auc": "high"}')).toBeNull();
    expect(parseMetrics("[1]")).toBeNull();
    expect(parseMetrics("{auc: 1}")).toBeNull();
  });

  it("sends only what was typed, trimmed, with the aliases as a list", () => {
    const meta = versionMeta({ ...EMPTY_VERSION, trainingData: " s3://lake/x ", metrics: '{"auc": 0.7}', aliases: "champion, eu" });
    expect(meta).toEqual({ metrics: { auc: 0.7 }, aliases: ["champion", "eu"], training_data: "s3://lake/x" });
    expect(versionMeta({ ...EMPTY_VERSION, metrics: "auc=0.7" })).toBeNull();
  });
});
