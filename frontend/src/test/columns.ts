/**
 * Input columns for tests, as the API would send them: the fields a test gives, and every other field
 * of the schema's `ColumnSpec` at its default (read from openapi.json, so a field the API adds with a
 * default needs no change here).
 */
import openapiText from "../../openapi.json?raw";
import type { ColumnSpec } from "../api/types";

interface PropertySchema {
  default?: unknown;
}

const openapi = JSON.parse(openapiText) as {
  components: { schemas: { ColumnSpec: { properties: Record<string, PropertySchema> } } };
};

const DEFAULTS = Object.fromEntries(
  Object.entries(openapi.components.schemas.ColumnSpec.properties)
    .filter(([, p]) => "default" in p)
    .map(([name, p]) => [name, p.default]),
);

export function column(spec: Partial<ColumnSpec> & Pick<ColumnSpec, "name">): ColumnSpec {
  // The schema's defaults fill what the type requires and the test leaves out.
  return { ...DEFAULTS, ...spec } as ColumnSpec;
}
