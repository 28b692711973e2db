/** The catalog's query lives in the URL (shareable): these read and write it. */
import type { QueryOf } from "../api/client";

/** The catalog search, as GET /api/v1/models takes it. */
export type SearchParams = QueryOf<"searchModels">;

export const FACETS = ["department", "market", "brand", "flavor", "owner", "tag"] as const;
export type Facet = (typeof FACETS)[number];
export const PAGE_SIZE = 12;

export function fromUrl(params: URLSearchParams): SearchParams & { view: "cards" | "table" } {
  const out: SearchParams & { view: "cards" | "table" } = {
    q: params.get("q") ?? undefined,
    page: Math.max(1, Number(params.get("page") ?? "1") || 1),
    page_size: PAGE_SIZE,
    view: params.get("view") === "table" ? "table" : "cards",
  };
  const sort = params.get("sort");
  if (sort === "relevance" || sort === "name" || sort === "-updated" || sort === "-created") out.sort = sort;
  else out.sort = out.q ? "relevance" : "-updated";
  for (const f of FACETS) {
    const values = params.getAll(f);
    if (values.length) out[f] = values;
  }
  // Archived models are left out unless asked for ("state=archived" or "all").
  const state = params.get("state");
  if (state === "archived" || state === "all") out.state = state;
  return out;
}

/** A copy of `params` with `key` set (or removed when empty); the page goes back to 1 unless set. */
export function withParam(params: URLSearchParams, key: string, value: string | string[] | null): URLSearchParams {
  const next = new URLSearchParams(params);
  next.delete(key);
  if (Array.isArray(value)) value.forEach((v) => next.append(key, v));
  else if (value) next.set(key, value);
  if (key !== "page") next.delete("page");
  return next;
}

export function toggleValue(params: URLSearchParams, facet: Facet, value: string): URLSearchParams {
  const current = params.getAll(facet);
  const values = current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
  return withParam(params, facet, values);
}

/** The first plain paragraph of a Markdown card (no headings, quotes or tables), for a card's summary. */
export function summary(markdown: string, max = 180): string {
  const paragraphs = markdown.split(/\n\s*\n/);
  for (const p of paragraphs) {
    const s = p.trim();
    if (!s || /^(#|>|\||-|\*|```|<)/.test(s)) continue;
    const plain = s.replace(/[*_`]/g, "").replace(/\[([^\]]+)\]\([^)]*\)/g, "$1").replace(/\s+/g, " ");
    return plain.length > max ? `${plain.slice(0, max - 1).trimEnd()}…` : plain;
  }
  return "";
}
