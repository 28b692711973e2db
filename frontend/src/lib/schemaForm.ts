/**
 * A model version's input schema (ordered typed columns) as the JSON schema react-jsonschema-form
 * renders: one object per row, with the column's type, range and categories, pre-filled with the
 * version's example row, and the rows typed back into records for the API.
 */
import type { RJSFSchema, UiSchema } from "@rjsf/utils";
import type { ColumnSpec } from "../api/types";

export type Row = Record<string, unknown>;

function jsonType(column: ColumnSpec): "integer" | "number" | "boolean" | "string" {
  switch (column.type) {
    case "integer":
      return "integer";
    case "number":
      return "number";
    case "boolean":
      return "boolean";
    default:
      return "string";
  }
}

/** The JSON schema of one row. `example` (the version's example input) gives the defaults. */
export function rowSchema(columns: ColumnSpec[], example?: Row | null): RJSFSchema {
  const properties: Record<string, RJSFSchema> = {};
  const required: string[] = [];
  for (const column of columns) {
    const type = jsonType(column);
    const prop: RJSFSchema = { type, title: column.name };
    if (column.description) prop.description = column.description;
    if (column.type === "datetime") prop.format = "date-time";
    if ((type === "number" || type === "integer") && column.minimum != null) prop.minimum = column.minimum;
    if ((type === "number" || type === "integer") && column.maximum != null) prop.maximum = column.maximum;
    if (column.categories && column.categories.length) {
      if (type === "number" || type === "integer") {
        const values = column.categories.map(Number).filter((v) => !Number.isNaN(v));
        if (values.length === column.categories.length) prop.enum = values;
      } else if (type === "string") {
        prop.enum = [...column.categories];
      }
    }
    const value = example?.[column.name];
    if (value !== undefined && value !== null && defaultFits(prop, value)) prop.default = value as never;
    properties[column.name] = prop;
    if (!column.nullable) required.push(column.name);
  }
  return { type: "object", properties, required };
}

function defaultFits(prop: RJSFSchema, value: unknown): boolean {
  if (prop.enum && !prop.enum.includes(value as never)) return false;
  if (prop.type === "integer") return typeof value === "number" && Number.isInteger(value);
  if (prop.type === "number") return typeof value === "number";
  if (prop.type === "boolean") return typeof value === "boolean";
  return typeof value === "string";
}

/** The whole form: a list of 1..maxRows rows. */
export function rowsSchema(columns: ColumnSpec[], example?: Row | null, maxRows = 20): RJSFSchema {
  return { type: "array", minItems: 1, maxItems: maxRows, items: rowSchema(columns, example) };
}

/** Lay the columns out on a grid so a row fits on a 1280 px screen. */
export function rowsUiSchema(columns: ColumnSpec[]): UiSchema {
  const order = columns.map((c) => c.name);
  return {
    "ui:options": { orderable: false },
    items: { "ui:order": [...order, "*"] },
  };
}

/** Form data back to API records: absent nullable columns become null, others keep their value. */
export function toRecords(columns: ColumnSpec[], rows: Row[]): Row[] {
  return rows.map((row) => {
    const out: Row = {};
    for (const column of columns) {
      const value = row?.[column.name];
      out[column.name] = value === undefined || value === "" ? null : value;
    }
    return out;
  });
}
