import { describe, expect, it } from "vitest";
import type { Model } from "../../api/types";
import { cardFromModel, EMPTY_CARD, modelCreate, modelUpdate } from "./card";

const model: Model = {
  id: 1,
  name: "churn",
  title: "Churn",
  description: "# Churn\n\nWho leaves.",
  department: "marketing",
  markets: ["FR", "DE"],
  brands: ["Solea"],
  use_case: "Retention",
  tags: ["churn"],
  visibility: "company",
  owner: "ds",
  latest_version: 2,
  version_count: 2,
  flavors: ["sklearn"],
  aliases: {},
  created_at: "2026-01-01T00:00:00Z",
  updated_at: "2026-01-02T00:00:00Z",
  state: "active",
  archived_at: null,
};

describe("the card", () => {
  it("is registered with the visibility chosen", () => {
    const body = modelCreate({ ...EMPTY_CARD, name: "x", title: " X ", department: "hr", markets: "fr, de", visibility: "restricted" });
    expect(body).toMatchObject({ name: "x", title: "X", department: "hr", markets: ["fr", "de"], visibility: "restricted", use_case: null });
    expect(EMPTY_CARD.visibility).toBe("company");
  });

  it("sends nothing when the edit changed nothing", () => {
    expect(modelUpdate(model, cardFromModel(model))).toEqual({});
  });

  it("sends only what changed, lists split and markets in capitals", () => {
    const card = { ...cardFromModel(model), title: "Churn risk ", markets: "FR, DE, be", tags: "", visibility: "restricted" as const };
    expect(modelUpdate(model, card)).toEqual({ title: "Churn risk", markets: ["FR", "DE", "BE"], tags: [], visibility: "restricted" });
  });

  it("clears the use case when it is emptied, and sends a new description as typed", () => {
    const card = { ...cardFromModel(model), use_case: "  ", description: "New text" };
    expect(modelUpdate(model, card)).toEqual({ use_case: null, description: "New text" });
  });
});
