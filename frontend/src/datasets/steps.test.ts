import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { translator } from "../i18n";
import { aColumn } from "./testData";
import { filterColumns, histogramBars, shortDate, sortedWarnings, statValue } from "./profile";
import { describeStep, emptyFields, move, removeAt, stepFromFields, stepOfError, typedValue } from "./steps";

const en = translator("en");
const fr = translator("fr");

describe("cleaning steps", () => {
  it("says what each step does, in English and French", () => {
    expect(describeStep({ op: "drop_columns", columns: ["a", "b", "c"] }, en, "en-GB")).toBe("Drop a, b and c");
    expect(describeStep({ op: "drop_columns", columns: ["a", "b"] }, fr, "fr-FR")).toBe("Retirer a et b");
    expect(describeStep({ op: "cast", column: "zip", to: "category" }, en, "en-GB")).toBe("Read zip as Category");
    expect(describeStep({ op: "missing_tokens", column: null, tokens: ["?", "-"] }, en, "en-GB")).toBe('Read "?", "-" as missing in every column');
    expect(describeStep({ op: "impute", column: "age", strategy: "median", value: null }, en, "en-GB")).toBe("Fill missing age with the median");
    expect(describeStep({ op: "impute", column: "age", strategy: "constant", value: 0 }, fr, "fr-FR")).toBe("Remplir age manquant avec 0");
    expect(describeStep({ op: "clip", column: "x", lower: 0.01, upper: 0.99, quantiles: true }, en, "en-GB")).toBe(
      "Clip x between the quantiles 0.01 and 0.99",
    );
    expect(describeStep({ op: "clip", column: "x", lower: null, upper: 100, quantiles: false }, en, "en-GB")).toBe("Clip x between – and 100");
    expect(describeStep({ op: "date_parts", column: "d", parts: ["year", "weekday"], drop: false }, en, "en-GB")).toBe(
      "Split d into year and weekday, keeping the date",
    );
    expect(describeStep({ op: "drop_duplicates", columns: null }, en, "en-GB")).toBe("Drop duplicate rows");
    expect(describeStep({ op: "filter_rows", column: "plan", operator: "in", value: ["a", "b"] }, en, "en-GB")).toBe(
      'Keep rows where plan is one of "a", "b"',
    );
    expect(describeStep({ op: "filter_rows", column: "age", operator: "is_missing", value: null }, fr, "fr-FR")).toBe("Garder les lignes où age manque");
  });

  it("builds a step from the form's fields, or none while one it needs is empty", () => {
    expect(stepFromFields(emptyFields("drop_columns"))).toBeNull();
    expect(stepFromFields({ ...emptyFields("drop_columns"), columns: ["a"] })).toEqual({ op: "drop_columns", columns: ["a"] });
    expect(stepFromFields({ ...emptyFields("cast"), column: "" })).toBeNull();
    expect(stepFromFields({ ...emptyFields("missing_tokens"), tokens: " ?, n/a ,," })).toEqual({ op: "missing_tokens", column: null, tokens: ["?", "n/a"] });
    expect(stepFromFields({ ...emptyFields("impute"), column: "a", strategy: "constant", value: "" })).toBeNull();
    expect(stepFromFields({ ...emptyFields("impute"), column: "a", strategy: "constant", value: "0.5" })).toEqual({
      op: "impute",
      column: "a",
      strategy: "constant",
      value: 0.5,
    });
    expect(stepFromFields({ ...emptyFields("clip"), column: "a" })).toBeNull();
    expect(stepFromFields({ ...emptyFields("clip"), column: "a", upper: "1e3" })).toEqual({ op: "clip", column: "a", lower: null, upper: 1000, quantiles: false });
    expect(stepFromFields({ ...emptyFields("date_parts"), column: "d", parts: [] })).toBeNull();
    expect(stepFromFields({ ...emptyFields("drop_duplicates") })).toEqual({ op: "drop_duplicates", columns: null });
    expect(stepFromFields({ ...emptyFields("filter_rows"), column: "a", operator: "not_in", value: "x, 2" })).toEqual({
      op: "filter_rows",
      column: "a",
      operator: "not_in",
      value: ["x", 2],
    });
    expect(stepFromFields({ ...emptyFields("filter_rows"), column: "a", operator: "not_missing" })).toEqual({
      op: "filter_rows",
      column: "a",
      operator: "not_missing",
      value: null,
    });
  });

  it("reads numbers typed as numbers and keeps codes as text", () => {
    expect(typedValue(" 12 ")).toBe(12);
    expect(typedValue("-0.5")).toBe(-0.5);
    expect(typedValue("FR-75")).toBe("FR-75");
    expect(typedValue("")).toBe("");
  });

  it("moves and removes steps", () => {
    expect(move(["a", "b", "c"], 2, -1)).toEqual(["a", "c", "b"]);
    expect(move(["a", "b", "c"], 0, -1)).toEqual(["a", "b", "c"]);
    expect(move(["a", "b", "c"], 2, 1)).toEqual(["a", "b", "c"]);
    expect(removeAt(["a", "b", "c"], 1)).toEqual(["a", "c"]);
  });

  it("finds the step an API error names, in either of its spellings", () => {
    expect(stepOfError(new ApiError(422, "invalid_argument", "x", "steps[2].column"))).toBe(2);
    expect(stepOfError(new ApiError(422, "invalid_argument", "x", "steps.10.cast.to"))).toBe(10);
    expect(stepOfError(new ApiError(422, "invalid_argument", "x", "steps"))).toBeNull();
    expect(stepOfError(new ApiError(404, "not_found", "x"))).toBeNull();
    expect(stepOfError(new Error("x"))).toBeNull();
  });
});

describe("profile", () => {
  it("puts the most serious warnings first, keeping the API's order within a severity", () => {
    const codes = sortedWarnings([
      { code: "high_cardinality", message: "" },
      { code: "constant", message: "" },
      { code: "target_leak", message: "" },
      { code: "id_like", message: "" },
    ]).map((w) => w.code);
    expect(codes).toEqual(["target_leak", "constant", "id_like", "high_cardinality"]);
  });

  it("labels histogram bins and filters columns by name and kind", () => {
    expect(histogramBars(aColumn({ histogram: [{ start: 0, end: 0.125, count: 3 }] }), "fr-FR")).toEqual([{ label: "0–0,125", count: 3 }]);
    const date = aColumn({ kind: "date", histogram: [{ start: 1767225600, end: 1769904000, count: 2 }] });
    expect(histogramBars(date, "en-GB")[0].label).toBe("Jan 2026–Feb 2026");
    expect(histogramBars(aColumn({ kind: "date", histogram: [{ start: 1767225600, end: 1767312000, count: 1 }] }), "en-GB")[0].label).toBe("Jan 2026");
    const cols = [aColumn({ name: "Age" }), aColumn({ name: "plan", kind: "category" })];
    expect(filterColumns(cols, "ag").map((c) => c.name)).toEqual(["Age"]);
    expect(filterColumns(cols, "", "category").map((c) => c.name)).toEqual(["plan"]);
  });

  it("writes a day at midnight UTC as the day alone, other values as they are", () => {
    expect(shortDate("2025-05-04T00:00:00+00:00")).toBe("2025-05-04");
    expect(shortDate("2025-05-04T00:00:00Z")).toBe("2025-05-04");
    expect(shortDate("2025-05-04T10:30:00+00:00")).toBe("2025-05-04T10:30:00+00:00");
    expect(shortDate("basic")).toBe("basic");
    expect(statValue(1234.5678, "fr-FR")).toBe("1\u202f235");
    expect(statValue(null, "en-GB")).toBe("–");
  });
});
