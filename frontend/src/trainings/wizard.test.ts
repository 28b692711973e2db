import { describe, expect, it } from "vitest";
import { aDataset } from "../test/catalog";
import { DEFAULT_FORM, firstOpenStep, formFromParams, stepOfField, STEPS, targetChoices, timeColumnChoices, trainingCreate } from "./wizard";

const col = (name: string, kind: "date" | "number" | "category") => ({ name, kind, dtype: "x", missing: 0, missing_share: 0, distinct: 3 });

describe("wizard", () => {
  it("places an API field on the step that holds it, others on the review", () => {
    expect(STEPS[stepOfField("version")]).toBe("dataset");
    expect(STEPS[stepOfField("target")]).toBe("target");
    expect(STEPS[stepOfField("metric")]).toBe("task");
    expect(STEPS[stepOfField("candidates[2]")]).toBe("budget");
    expect(STEPS[stepOfField("steps.0.column")]).toBe("budget");
    expect(STEPS[stepOfField("body")]).toBe("review");
    expect(STEPS[stepOfField(null)]).toBe("review");
  });

  it("reads a link's settings and opens on the first step left to fill", () => {
    const form = formFromParams(new URLSearchParams("dataset=customers&version=3&target=churned&metric=f1&budget=abc"));
    expect(form).toMatchObject({ dataset: "customers", version: 3, target: "churned", metric: "f1", task: "", budgetS: 60 });
    expect(STEPS[firstOpenStep(form)]).toBe("task");
    expect(STEPS[firstOpenStep(formFromParams(new URLSearchParams("dataset=customers")))]).toBe("target");
    expect(STEPS[firstOpenStep(formFromParams(new URLSearchParams("version=-1&metric=nope")))]).toBe("dataset");
    expect(formFromParams(new URLSearchParams("version=-1&metric=nope"))).toEqual(DEFAULT_FORM);
  });

  it("sends every candidate as the API's default, a subset by name in a fixed order", () => {
    const form = { ...DEFAULT_FORM, dataset: "d", target: "y" };
    expect(trainingCreate(form).candidates).toBeNull();
    expect(trainingCreate({ ...form, candidates: ["xgboost", "linear"] }).candidates).toEqual(["linear", "xgboost"]);
    expect(trainingCreate({ ...form, task: "regression", timeColumn: "day" })).toMatchObject({ task: "regression", metric: null, time_column: "day" });
  });

  it("offers the profile's suggested targets first and date columns for time", () => {
    const dataset = aDataset({
      columns: ["day", "amount", "region", "churned"],
      profile: {
        rows: 3,
        columns: [col("day", "date"), col("amount", "number"), col("region", "category"), col("churned", "category")],
        duplicated_rows: 0,
        warnings: [],
        suggested_targets: ["churned", "gone"],
      },
    });
    expect(targetChoices(dataset).map((c) => [c.name, c.suggested])).toEqual([
      ["churned", true],
      ["day", false],
      ["amount", false],
      ["region", false],
    ]);
    expect(timeColumnChoices(dataset, "churned")).toEqual(["day"]);
    // Without a profile, every column but the target.
    expect(timeColumnChoices({ ...dataset, profile: null }, "churned")).toEqual(["day", "amount", "region"]);
  });
});
