import { describe, expect, it } from "vitest";
import type { ColumnSpec } from "../api/types";
import { column } from "../test/columns";
import { translator } from "../i18n";
import { makeRowValidator, validateRows } from "./rowValidator";
import { rowsSchema } from "./schemaForm";

const t = translator("en");
const columns: ColumnSpec[] = [
  column({ name: "tenure", type: "integer", nullable: false, minimum: 0, maximum: 120 }),
  column({ name: "spend", type: "number", nullable: true }),
  column({ name: "channel", type: "string", nullable: false, categories: ["web", "store"] }),
];
const schema = rowsSchema(columns);

describe("the run form's validator (no code generation, so it works under the app's CSP)", () => {
  it("accepts good rows", () => {
    expect(validateRows(schema, [{ tenure: 3, spend: 1.5, channel: "web" }, { tenure: 0, channel: "store" }], t)).toEqual([]);
  });

  it("names the row and column of each problem", () => {
    expect(validateRows(schema, [{ tenure: 3.5, channel: "fax" }, { tenure: 500 }], t)).toEqual([
      [[0, "tenure"], "A whole number is expected"],
      [[0, "channel"], "Choose one of the listed values"],
      [[1, "tenure"], "Must be 120 or less"],
      [[1, "channel"], "Required"],
    ]);
  });

  it("gives react-jsonschema-form its errors and error schema", () => {
    const v = makeRowValidator(translator("fr"));
    const result = v.validateFormData([{ tenure: -1, channel: "web" }], schema);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ property: ".0.tenure", message: "Doit valoir au moins 0" });
    expect(result.errorSchema).toEqual({ 0: { tenure: { __errors: ["Doit valoir au moins 0"] } } });
    expect(v.isValid(schema, [{ tenure: 1, channel: "web" }], schema)).toBe(true);
    expect(validateRows(schema, [], t)).toEqual([[[], "At least 1 row"]]);
  });
});
