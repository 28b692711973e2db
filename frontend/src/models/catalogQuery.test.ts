import { describe, expect, it } from "vitest";
import { fromUrl, summary, toggleValue, withParam } from "./catalogQuery";

describe("the catalog's query in the URL", () => {
  it("reads search words, repeated filters, page and view", () => {
    const q = fromUrl(new URLSearchParams("q=churn&market=FR&market=DE&page=2&view=table"));
    expect(q).toMatchObject({ q: "churn", market: ["FR", "DE"], page: 2, view: "table", sort: "relevance" });
    expect(fromUrl(new URLSearchParams("page=-3")).page).toBe(1);
    expect(fromUrl(new URLSearchParams("sort=bogus")).sort).toBe("-updated");
  });

  it("toggles a filter value and goes back to the first page", () => {
    const start = new URLSearchParams("market=FR&page=3");
    expect(toggleValue(start, "market", "DE").toString()).toBe("market=FR&market=DE");
    expect(toggleValue(start, "market", "FR").toString()).toBe("");
    expect(withParam(start, "page", "4").toString()).toBe("market=FR&page=4");
  });

  it("summarises a Markdown card by its first plain paragraph", () => {
    const md = "# Title\n\n> a note\n\n| a | b |\n|---|---|\n\nScores **every** member, see [docs](http://x).\n\nMore.";
    expect(summary(md)).toBe("Scores every member, see docs.");
    expect(summary("word ".repeat(100), 20)).toHaveLength(20);
  });
});
