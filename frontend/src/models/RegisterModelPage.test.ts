import { describe, expect, it } from "vitest";
import { parseMetrics, slugify, splitList } from "./RegisterModelPage";

describe("register form helpers", () => {
  it("proposes a name from the title", () => {
    expect(slugify("Prévision des ventes — France (hebdo)")).toBe("prevision-des-ventes-france-hebdo");
  });
  it("splits comma lists", () => {
    expect(splitList(" FR, DE ,, GLOBAL ")).toEqual(["FR", "DE", "GLOBAL"]);
  });
  it("accepts metrics only as a JSON object of numbers", () => {
    expect(parseMetrics('{"auc": 0.8, "rmse": 3}')).toEqual({ auc: 0.8, rmse: 3 });
    expect(parseMetrics("")).toEqual({});
    expect(parseMetrics('{"auc": "high"}')).toBeNull();
    expect(parseMetrics("[1]")).toBeNull();
    expect(parseMetrics("{auc: 1}")).toBeNull();
  });
});
