import { describe, expect, it } from "vitest";
import { column } from "../test/columns";
import { rowSchema, rowsSchema, toRecords } from "./schemaForm";


describe("rowSchema", () => {
  it("maps column types, ranges and categories to JSON schema", () => {
    const schema = rowSchema([
      column({ name: "tenure", type: "integer", minimum: 0, maximum: 120 }),
      column({ name: "spend", type: "number", description: "euros per month" }),
      column({ name: "channel", type: "string", categories: ["web", "store"] }),
      column({ name: "loyal", type: "boolean" }),
      column({ name: "day", type: "datetime", nullable: true }),
      column({ name: "tier", type: "integer", categories: ["1", "2", "3"] }),
    ]);
    expect(schema.properties).toEqual({
      tenure: { type: "integer", title: "tenure", minimum: 0, maximum: 120 },
      spend: { type: "number", title: "spend", description: "euros per month" },
      channel: { type: "string", title: "channel", enum: ["web", "store"] },
      loyal: { type: "boolean", title: "loyal" },
      day: { type: "string", title: "day", format: "date-time" },
      tier: { type: "integer", title: "tier", enum: [1, 2, 3] },
    });
    expect(schema.required).toEqual(["tenure", "spend", "channel", "loyal", "tier"]);
  });

  it("pre-fills the example row only where the value fits the column", () => {
    const schema = rowSchema(
      [column({ name: "a", type: "integer" }), column({ name: "b", type: "string", categories: ["x"] }), column({ name: "c" })],
      { a: 3, b: "not-a-category", c: "text" },
    );
    const props = schema.properties as Record<string, { default?: unknown }>;
    expect(props.a.default).toBe(3);
    expect(props.b.default).toBeUndefined();
    expect(props.c.default).toBeUndefined();
  });

  it("ignores a range on a text column and categories that are not numbers on a number column", () => {
    const props = rowSchema([
      column({ name: "s", type: "string", minimum: 1 }),
      column({ name: "n", type: "number", categories: ["low", "high"] }),
    ]).properties as Record<string, Record<string, unknown>>;
    expect(props.s.minimum).toBeUndefined();
    expect(props.n.enum).toBeUndefined();
  });
});

describe("rowsSchema and toRecords", () => {
  it("asks for 1 to 20 rows", () => {
    const schema = rowsSchema([column({ name: "a" })]);
    expect(schema).toMatchObject({ type: "array", minItems: 1, maxItems: 20 });
  });

  it("turns form rows into API records in schema order, empty values as null", () => {
    const columns = [column({ name: "a" }), column({ name: "b", type: "string", nullable: true })];
    expect(toRecords(columns, [{ b: "", a: 1.5 }, { a: 2 }])).toEqual([
      { a: 1.5, b: null },
      { a: 2, b: null },
    ]);
  });
});
