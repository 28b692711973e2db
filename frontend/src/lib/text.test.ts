import { describe, expect, it } from "vitest";
import { slugify, splitList } from "./text";

describe("text helpers", () => {
  it("proposes a name from the title", () => {
    expect(slugify("Prévision des ventes — France (hebdo)")).toBe("prevision-des-ventes-france-hebdo");
  });
  it("splits comma lists", () => {
    expect(splitList(" FR, DE ,, GLOBAL ")).toEqual(["FR", "DE", "GLOBAL"]);
  });
});
