/**
 * Editing a version's input schema column by column: whether a value is required, its allowed values
 * (categories: string and integer columns only) and its description. The draft is what the editor
 * holds; `schemaEditBody` sends only what changed; `draftProblems` checks what the API would refuse,
 * before it is sent; `editErrorColumn` finds the column a refusal of the API is about.
 */
import type { ColumnEdit, ColumnSpec, SchemaEdit } from "../api/types";
import type { MessageKey, Vars } from "../i18n";

export interface ColumnDraft {
  name: string;
  type: ColumnSpec["type"];
  /** true: the column may be left blank. */
  nullable: boolean;
  /** The allowed values; [] for none (any value). */
  categories: string[];
  description: string;
}

/** A problem of one column's draft: a message key and its values. */
export interface DraftProblem {
  column: string;
  part: "categories" | "description";
  key: MessageKey;
  vars?: Vars;
}

const MAX_CATEGORY_LENGTH = 256;
const INTEGER = /^[+-]?\d{1,19}$/;

/** Allowed values apply to text and integer columns (as the API says). */
export function takesCategories(type: ColumnSpec["type"]): boolean {
  return type === "string" || type === "integer";
}

export function draftOf(columns: ColumnSpec[]): ColumnDraft[] {
  return columns.map((c) => ({
    name: c.name,
    type: c.type,
    nullable: c.nullable,
    categories: [...(c.categories ?? [])],
    description: c.description ?? "",
  }));
}

/**
 * Values as typed into the list of allowed values: trimmed, empty ones dropped, each once; an
 * integer column's values as the API keeps them ("007" is 7).
 */
export function cleanCategories(type: ColumnSpec["type"], values: string[]): string[] {
  const out: string[] = [];
  for (const raw of values) {
    let v = raw.trim();
    if (!v) continue;
    if (type === "integer" && INTEGER.test(v)) v = BigInt(v).toString();
    if (!out.includes(v)) out.push(v);
  }
  return out;
}

/**
 * What the API would refuse in the drafts (a value that is not an integer, one too long, a description
 * too long), column by column. The editor offers allowed values only where they apply.
 */
export function draftProblems(drafts: ColumnDraft[]): DraftProblem[] {
  const problems: DraftProblem[] = [];
  for (const d of drafts) {
    const long = d.categories.find((v) => v.length > MAX_CATEGORY_LENGTH);
    if (long) problems.push({ column: d.name, part: "categories", key: "schema.categoryTooLong", vars: { n: MAX_CATEGORY_LENGTH } });
    if (d.type === "integer") {
      const bad = d.categories.find((v) => !INTEGER.test(v.trim()));
      if (bad !== undefined) problems.push({ column: d.name, part: "categories", key: "schema.notAnInteger", vars: { value: bad } });
    }
    if (d.description.length > 2000) problems.push({ column: d.name, part: "description", key: "schema.descriptionTooLong", vars: { n: 2000 } });
  }
  return problems;
}

function sameValues(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * The request that turns `columns` into `drafts`: one entry per changed column, with only the fields
 * that changed (categories emptied are sent as null: any value allowed again); null when nothing changed.
 */
export function schemaEditBody(columns: ColumnSpec[], drafts: ColumnDraft[]): SchemaEdit | null {
  const byName = new Map(columns.map((c) => [c.name, c]));
  const edits: ColumnEdit[] = [];
  for (const d of drafts) {
    const c = byName.get(d.name);
    if (!c) continue;
    const edit: ColumnEdit = { name: d.name };
    if (d.nullable !== c.nullable) edit.nullable = d.nullable;
    const before = cleanCategories(c.type, c.categories ?? []);
    const after = cleanCategories(d.type, d.categories);
    if (!sameValues(before, after)) edit.categories = after.length ? after : null;
    const description = d.description.trim() || null;
    if (description !== (c.description ?? null)) edit.description = description;
    if (Object.keys(edit).length > 1) edits.push(edit);
  }
  return edits.length ? { columns: edits } : null;
}

/** The column (and its part: categories, description...) an API refusal of `body` names, else null. */
export function editErrorColumn(field: string | null, body: SchemaEdit | null): { column: string; part: string } | null {
  if (!field || !body) return null;
  const match = /^columns\[(\d+)\](?:\.(\w+))?/.exec(field) ?? /^columns\.(\d+)(?:\.(\w+))?/.exec(field);
  if (!match) return null;
  const edit = body.columns[Number(match[1])];
  return edit ? { column: edit.name, part: match[2] ?? "name" } : null;
}
