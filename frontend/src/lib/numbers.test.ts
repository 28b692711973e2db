import { describe, expect, it } from "vitest";
import { formatNumber, formatPrediction, formatProbability, roundForDisplay } from "./numbers";

describe("predictions rounded for display", () => {
  it("keeps 4 significant digits", () => {
    expect(roundForDisplay(0.123456789)).toBe(0.1235);
    expect(roundForDisplay(3.14159265)).toBe(3.142);
    expect(roundForDisplay(-0.000123456)).toBe(-0.0001235);
    expect(roundForDisplay(1234.5678)).toBe(1235);
    expect(roundForDisplay(0)).toBe(0);
  });

  it("keeps whole numbers whole when they have more digits than that", () => {
    expect(roundForDisplay(123456.789)).toBe(123457);
    expect(roundForDisplay(-98765.4)).toBe(-98765);
  });

  it("writes them in the language's conventions", () => {
    expect(formatNumber(0.123456789, "en-GB")).toBe("0.1235");
    expect(formatNumber(0.123456789, "fr-FR")).toBe("0,1235");
    expect(formatNumber(1234.5678, "en-GB")).toBe("1,235");
    expect(formatNumber(123456.789, "en-GB")).toBe("123,457");
    expect(formatNumber(2, "en-GB")).toBe("2");
    expect(formatNumber(Number.NaN, "en-GB")).toBe("NaN");
  });

  it("leaves labels alone and writes probabilities as percentages", () => {
    expect(formatPrediction("churn", "en-GB")).toBe("churn");
    expect(formatPrediction(true, "en-GB")).toBe("true");
    expect(formatPrediction(null, "en-GB")).toBe("");
    expect(formatPrediction(0.987654, "en-GB")).toBe("0.9877");
    expect(formatProbability(0.8123456, "en-GB")).toBe("81.23 %");
    expect(formatProbability(0.8123456, "fr-FR")).toBe("81,23 %");
  });
});
