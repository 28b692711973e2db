import { describe, expect, it } from "vitest";
import { firstValues, formatValue, rowSummary } from "./predictionHistory";

describe("prediction history formatting", () => {
  it("rounds numbers for display and keeps other values readable", () => {
    expect(formatValue(0.123456789)).toBe("0.1235");
    expect(formatValue(42)).toBe("42");
    expect(formatValue("yes")).toBe("yes");
    expect(formatValue(null)).toBe("–");
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
  });

  it("shows the first predictions and counts the others", () => {
    expect(firstValues([0.5, 0.25])).toBe("0.5, 0.25");
    expect(firstValues([1, 2, 3, 4, 5], 3)).toBe("1, 2, 3 … (+2)");
  });

  it("summarises an input row as column=value pairs, cut to a length", () => {
    expect(rowSummary({ tenure: 12, plan: "gold" })).toBe("tenure=12, plan=gold");
    const long = rowSummary({ a: "x".repeat(100) }, 20);
    expect(long).toHaveLength(20);
    expect(long.endsWith("…")).toBe(true);
  });
});
