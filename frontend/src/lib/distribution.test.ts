import { describe, expect, it } from "vitest";
import { barsFromSummary, distribution, predictionColumn } from "./distribution";

describe("the prediction chart's bars", () => {
  it("counts classes", () => {
    expect(distribution([1, 0, 1, 1, null])).toEqual([
      { label: "0", count: 1 },
      { label: "1", count: 3 },
    ]);
  });

  it("bins many distinct numbers", () => {
    const values = Array.from({ length: 100 }, (_, i) => i);
    const bars = distribution(values, 4);
    expect(bars.map((b) => b.count)).toEqual([25, 25, 25, 25]);
    expect(bars[0].label).toBe("0.00–24.75");
  });

  it("prefers the worker's summary over every row", () => {
    expect(barsFromSummary({ kind: "categorical", counts: { "0": 20, "1": 5 }, other: 2 })).toEqual([
      { label: "0", count: 20 },
      { label: "1", count: 5 },
      { label: "…", count: 2 },
    ]);
    expect(barsFromSummary({ kind: "numeric", histogram: { edges: [0, 1, 2], counts: [3, 4] } })).toEqual([
      { label: "0.00–1.00", count: 3 },
      { label: "1.00–2.00", count: 4 },
    ]);
    expect(barsFromSummary(null)).toEqual([]);
  });

  it("finds the prediction column", () => {
    expect(predictionColumn(["a", "prediction", "probability_1"])).toBe("prediction");
    expect(predictionColumn(["a", "churn_prediction"])).toBe("churn_prediction");
    expect(predictionColumn(["a"])).toBeNull();
  });
});
