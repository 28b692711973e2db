/**
 * A react-jsonschema-form validator for the run form's schemas (rows of typed columns with ranges and
 * categories), written out rather than compiled: ajv compiles each schema with `new Function`, which the
 * app's Content Security Policy (`script-src 'self'`, no 'unsafe-eval') rightly forbids.
 */
import { ErrorSchemaBuilder, type RJSFSchema, type RJSFValidationError, type ValidationData, type ValidatorType } from "@rjsf/utils";
import type { Translate } from "../i18n";

type Json = unknown;

function propertyErrors(prop: RJSFSchema, value: Json, t: Translate): string[] {
  const out: string[] = [];
  if (prop.type === "integer" && !(typeof value === "number" && Number.isInteger(value))) out.push(t("form.integer"));
  else if (prop.type === "number" && !(typeof value === "number" && Number.isFinite(value))) out.push(t("form.number"));
  else if (prop.type === "boolean" && typeof value !== "boolean") out.push(t("form.boolean"));
  else if (prop.type === "string" && typeof value !== "string") out.push(t("form.text"));
  if (typeof value === "number") {
    if (typeof prop.minimum === "number" && value < prop.minimum) out.push(t("form.min", { n: prop.minimum }));
    if (typeof prop.maximum === "number" && value > prop.maximum) out.push(t("form.max", { n: prop.maximum }));
  }
  if (prop.enum && !prop.enum.includes(value as never)) out.push(t("form.oneOf"));
  return out;
}

function isEmpty(value: Json): boolean {
  return value === undefined || value === null || value === "";
}

/** Errors of one object (a row) against its schema, as [path, message] pairs. */
function objectErrors(schema: RJSFSchema, data: Json, path: (string | number)[], t: Translate): [(string | number)[], string][] {
  const out: [(string | number)[], string][] = [];
  const row = (data && typeof data === "object" ? data : {}) as Record<string, Json>;
  const required = new Set(schema.required ?? []);
  for (const [name, raw] of Object.entries(schema.properties ?? {})) {
    const prop = raw as RJSFSchema;
    const value = row[name];
    if (isEmpty(value)) {
      if (required.has(name)) out.push([[...path, name], t("form.required")]);
      continue;
    }
    for (const message of propertyErrors(prop, value, t)) out.push([[...path, name], message]);
  }
  return out;
}

export function validateRows(schema: RJSFSchema, data: Json, t: Translate): [(string | number)[], string][] {
  if (schema.type === "array") {
    const rows = Array.isArray(data) ? data : [];
    const out: [(string | number)[], string][] = [];
    if (typeof schema.minItems === "number" && rows.length < schema.minItems) out.push([[], t("form.minRows", { n: schema.minItems })]);
    if (typeof schema.maxItems === "number" && rows.length > schema.maxItems) out.push([[], t("form.maxRows", { n: schema.maxItems })]);
    const items = schema.items as RJSFSchema | undefined;
    if (items) rows.forEach((row, i) => out.push(...objectErrors(items, row, [i], t)));
    return out;
  }
  return objectErrors(schema, data, [], t);
}

export function makeRowValidator(t: Translate): ValidatorType {
  return {
    validateFormData(formData, schema, _customValidate, transformErrors, uiSchema): ValidationData<Json> {
      const found = validateRows(schema, formData, t);
      const builder = new ErrorSchemaBuilder();
      let errors: RJSFValidationError[] = found.map(([path, message]) => {
        builder.addErrors(message, path.length ? path : undefined);
        const property = path.length ? `.${path.join(".")}` : "";
        return { name: "invalid", message, property, stack: `${property || "form"} ${message}`.trim() };
      });
      if (transformErrors) errors = transformErrors(errors, uiSchema);
      return { errors, errorSchema: builder.ErrorSchema };
    },
    isValid(schema, formData) {
      return validateRows(schema, formData, t).length === 0;
    },
    rawValidation(schema, formData) {
      const errors = validateRows(schema, formData, t).map(([path, message]) => ({ path, message }));
      return { errors: errors as never[] };
    },
  };
}
