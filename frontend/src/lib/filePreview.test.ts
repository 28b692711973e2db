import { describe, expect, it } from "vitest";
import type { ColumnSpec } from "../api/types";
import { column } from "../test/columns";
import { checkColumns, fileKind, formatBytes, parseCsvPreview, typeProblems } from "./filePreview";

const schema: ColumnSpec[] = [
  column({ name: "tenure", type: "integer", nullable: false }),
  column({ name: "spend", type: "number", nullable: false }),
  column({ name: "note", type: "string", nullable: true }),
];

describe("parseCsvPreview", () => {
  it("reads the header and the first rows", () => {
    const text = "tenure,spend,extra\n1,2.5,a\n2,3.5,b\n3,4.5,c\n";
    const p = parseCsvPreview(text, 2);
    expect(p.columns).toEqual(["tenure", "spend", "extra"]);
    expect(p.rows).toEqual([
      { tenure: "1", spend: "2.5", extra: "a" },
      { tenure: "2", spend: "3.5", extra: "b" },
    ]);
    expect(p.error).toBeNull();
  });

  it("copes with a BOM, semicolons and decimal commas", () => {
    const p = parseCsvPreview("\uFEFFtenure;spend\n1;2,5\n");
    expect(p.columns).toEqual(["tenure", "spend"]);
    expect(p.rows[0]).toEqual({ tenure: "1", spend: "2,5" });
    expect(typeProblems(p.rows, schema)).toEqual([]);
  });

  it("keeps quoted newlines inside a value", () => {
    const p = parseCsvPreview('tenure,note\n1,"two\nlines"\n');
    expect(p.rows[0].note).toBe("two\nlines");
  });

  it("says when there is no header", () => {
    expect(parseCsvPreview("").error).toBe("no header line");
  });
});

describe("checkColumns", () => {
  it("blocks on missing required columns, warns on extra ones", () => {
    expect(checkColumns(["spend", "other"], schema)).toEqual({ found: ["spend"], missing: ["tenure"], extra: ["other"], ok: false });
    expect(checkColumns(["tenure", "spend"], schema)).toEqual({ found: ["tenure", "spend"], missing: [], extra: [], ok: true });
  });

  it("counts the model's columns a file has even when the model can do without each of them", () => {
    const lenient = schema.map((c) => ({ ...c, nullable: true }));
    expect(checkColumns(["note", "tenure"], lenient)).toMatchObject({ found: ["tenure", "note"], missing: [], ok: true });
  });
});

describe("typeProblems", () => {
  it("finds the first value of a column that cannot have its type", () => {
    const rows = [
      { tenure: "1", spend: "2.5" },
      { tenure: "1.5", spend: "abc" },
    ];
    expect(typeProblems(rows, schema)).toEqual([
      { column: "tenure", row: 2, value: "1.5", type: "integer" },
      { column: "spend", row: 2, value: "abc", type: "number" },
    ]);
  });
});

describe("fileKind and formatBytes", () => {
  it.each([
    ["Data.CSV", "csv"],
    ["a.xlsx", "xlsx"],
    ["a.parquet", "parquet"],
    ["a.pdf", "other"],
  ])("tells %s is %s by its extension", (name, kind) => {
    expect(fileKind(name)).toBe(kind);
  });
  it("writes sizes for people", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(2048)).toBe("2.0 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
  });
});
