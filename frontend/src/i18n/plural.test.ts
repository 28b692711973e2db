import { describe, expect, it } from "vitest";
import { en } from "./en";
import { fr } from "./fr";
import { countTranslator, pluralKey } from "./index";

describe("plurals", () => {
  it("picks the form of the count by the language's rules", () => {
    const enN = countTranslator("en");
    const frN = countTranslator("fr");
    expect(enN("home.runCount", 1)).toBe("1 run");
    expect(enN("home.runCount", 2)).toBe("2 runs");
    expect(enN("home.runCount", 0)).toBe("0 runs");
    expect(frN("home.runCount", 1)).toBe("1 exécution");
    expect(frN("home.runCount", 2)).toBe("2 exécutions");
    // French counts 0 as singular.
    expect(frN("home.runCount", 0)).toBe("0 exécution");
    expect(frN("catalog.results", 1)).toBe("1 modèle");
    expect(frN("catalog.results", 12)).toBe("12 modèles");
  });

  it("falls back on the plural sentence when a language has no other form for a key", () => {
    expect(pluralKey("en", "run.columnsOk", 3)).toBe("run.columnsOk");
    expect(pluralKey("en", "run.columnsOk", 1)).toBe("run.columnsOk.one");
    expect(pluralKey("en", "home.runsActive", 1)).toBe("home.runsActive");
  });

  it("has every singular form in both languages", () => {
    const forms = (dict: Record<string, string>) => Object.keys(dict).filter((k) => k.endsWith(".one")).sort();
    expect(forms(fr)).toEqual(forms(en));
    for (const key of forms(en)) expect(key.slice(0, -4) in en).toBe(true);
  });
});
