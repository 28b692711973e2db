/**
 * A model's card as a form holds it (lists as comma-separated text until sent), and as the API takes
 * it: whole when a model is registered, only what changed when its card is edited.
 */
import type { Model, ModelCreate, ModelUpdate, Visibility } from "../../api/types";
import { splitList } from "../../lib/text";

export const DEPARTMENTS = ["rd", "marketing", "supply-chain", "sales", "hr", "finance"] as const;

/** Who may see a model: everyone in the company, or its department and admins only. */
export const VISIBILITIES = ["company", "restricted"] as const satisfies readonly Visibility[];

/** The API's names of the fields a card's error may be about. */
export const CARD_FIELDS = [
  "name",
  "title",
  "description",
  "department",
  "markets",
  "brands",
  "use_case",
  "tags",
  "visibility",
] as const;

/** The card as typed: lists are comma-separated text until sent. */
export type CardFields = Record<Exclude<(typeof CARD_FIELDS)[number], "visibility">, string> & { visibility: Visibility };

export const EMPTY_CARD: CardFields = {
  name: "",
  title: "",
  description: "",
  department: "",
  markets: "",
  brands: "",
  use_case: "",
  tags: "",
  visibility: "company",
};

/** The card as the API takes it when the model is registered. */
export function modelCreate(card: CardFields): ModelCreate {
  return {
    name: card.name.trim(),
    title: card.title.trim(),
    description: card.description,
    department: card.department,
    markets: splitList(card.markets),
    brands: splitList(card.brands),
    use_case: card.use_case.trim() || null,
    tags: splitList(card.tags),
    visibility: card.visibility,
  };
}

/** A registered model's card, as the form holds it. */
export function cardFromModel(model: Model): CardFields {
  return {
    name: model.name,
    title: model.title,
    description: model.description,
    department: model.department,
    markets: model.markets.join(", "),
    brands: model.brands.join(", "),
    use_case: model.use_case ?? "",
    tags: model.tags.join(", "),
    visibility: model.visibility,
  };
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * What an edit changed, as the API's PATCH takes it: only the fields whose value differs from the
 * model's (an emptied use case is sent as null, which clears it); {} when nothing changed.
 */
export function modelUpdate(model: Model, card: CardFields): ModelUpdate {
  const body: ModelUpdate = {};
  const title = card.title.trim();
  if (title !== model.title) body.title = title;
  if (card.description !== model.description) body.description = card.description;
  if (card.department !== model.department) body.department = card.department;
  const markets = splitList(card.markets).map((m) => m.toUpperCase());
  if (!sameList(markets, model.markets)) body.markets = markets;
  const brands = splitList(card.brands);
  if (!sameList(brands, model.brands)) body.brands = brands;
  const tags = splitList(card.tags);
  if (!sameList(tags, model.tags)) body.tags = tags;
  const useCase = card.use_case.trim() || null;
  if (useCase !== (model.use_case ?? null)) body.use_case = useCase;
  if (card.visibility !== model.visibility) body.visibility = card.visibility;
  return body;
}
