import { describe, expect, it } from "vitest";
import { column } from "../test/columns";
import { cleanCategories, draftOf, draftProblems, editErrorColumn, schemaEditBody, takesCategories } from "./schemaEdit";

const columns = [
  column({ name: "channel", type: "string", nullable: false, categories: ["web", "shop"] }),
  column({ name: "store_count", type: "integer", nullable: false }),
  column({ name: "price", type: "number", nullable: true, description: "Shelf price in EUR" }),
];

describe("schema edit", () => {
  it("sends nothing when nothing changed", () => {
    expect(schemaEditBody(columns, draftOf(columns))).toBeNull();
  });

  it("sends only the columns and fields that changed", () => {
    const drafts = draftOf(columns);
    drafts[1].nullable = true; // store_count may be left blank now
    drafts[0].categories = ["web", "shop", "phone"];
    expect(schemaEditBody(columns, drafts)).toEqual({
      columns: [
        { name: "channel", categories: ["web", "shop", "phone"] },
        { name: "store_count", nullable: true },
      ],
    });
  });

  it("removes allowed values and descriptions that were emptied (null), and trims descriptions", () => {
    const drafts = draftOf(columns);
    drafts[0].categories = [];
    drafts[2].description = "  ";
    drafts[1].description = "  Stores in the chain ";
    expect(schemaEditBody(columns, drafts)?.columns).toEqual([
      { name: "channel", categories: null },
      { name: "store_count", description: "Stores in the chain" },
      { name: "price", description: null },
    ]);
  });

  it("reads typed values: trimmed, once each, integers as the API keeps them", () => {
    expect(cleanCategories("string", [" web", "web ", "", "shop"])).toEqual(["web", "shop"]);
    expect(cleanCategories("integer", ["007", "7", "+12", "x"])).toEqual(["7", "12", "x"]);
    // "007" and "7" are one integer: no change to send.
    const ints = [column({ name: "size", type: "integer", categories: ["7", "12"] })];
    const drafts = draftOf(ints);
    drafts[0].categories = cleanCategories("integer", ["007", "12"]);
    expect(schemaEditBody(ints, drafts)).toBeNull();
  });

  it("offers allowed values for text and integer columns only", () => {
    expect(takesCategories("string")).toBe(true);
    expect(takesCategories("integer")).toBe(true);
    expect(takesCategories("number")).toBe(false);
    expect(takesCategories("boolean")).toBe(false);
  });

  it("finds what the API would refuse before it is sent", () => {
    const drafts = draftOf(columns);
    drafts[1].categories = ["1", "two"];
    drafts[0].categories = ["x".repeat(257)];
    drafts[2].description = "d".repeat(2001);
    expect(draftProblems(drafts)).toEqual([
      { column: "channel", part: "categories", key: "schema.categoryTooLong", vars: { n: 256 } },
      { column: "store_count", part: "categories", key: "schema.notAnInteger", vars: { value: "two" } },
      { column: "price", part: "description", key: "schema.descriptionTooLong", vars: { n: 2000 } },
    ]);
    expect(draftProblems(draftOf(columns))).toEqual([]);
  });

  it("finds the column a refusal names by its index in the request", () => {
    const body = { columns: [{ name: "channel", categories: ["a"] }, { name: "store_count", categories: ["b"] }] };
    expect(editErrorColumn("columns[1].categories", body)).toEqual({ column: "store_count", part: "categories" });
    expect(editErrorColumn("columns.0.categories.0", body)).toEqual({ column: "channel", part: "categories" });
    expect(editErrorColumn("columns[0].name", body)).toEqual({ column: "channel", part: "name" });
    expect(editErrorColumn("columns[5].name", body)).toBeNull();
    expect(editErrorColumn("title", body)).toBeNull();
    expect(editErrorColumn(null, body)).toBeNull();
  });
});
