import { describe, expect, it } from "vitest";
import type { SelfService } from "../api/types";
import { translator } from "../i18n";
import { aSelfService } from "../test/catalog";
import { approveBody, openMarkets, openingTarget, proposedDeploymentName, proposedMarket } from "./marketsPanel";

const en = translator("en");

/** The panel's self-service, here also open to ES (no deployment there yet). */
function ss(over: Partial<SelfService> = {}): SelfService {
  return aSelfService({ markets: ["ES", "FR", "IT"], suggested_names: { ES: "churn-es", FR: "churn-fr-2", IT: "churn-it" }, ...over });
}

describe("the deploy dialog's proposals", () => {
  it("proposes the first open market that has no deployment yet", () => {
    expect(proposedMarket(ss({ deployments: [{ name: "churn-es", market: "ES", owner: "ds", state: "active" }] }))).toBe("FR");
    expect(proposedMarket(ss({ markets: ["FR"] }))).toBe("FR");
    expect(proposedMarket(ss({ all_markets: true, markets: ["*"] }))).toBe("");
  });

  it("names the deployment as the API would, with its free name when it knows one", () => {
    expect(proposedDeploymentName(ss(), "FR")).toBe("churn-fr-2");
    expect(proposedDeploymentName(ss(), "pt")).toBe("churn-pt");
    expect(proposedDeploymentName(ss(), " ")).toBe("");
  });
});

describe("the opening in words", () => {
  it("says what it serves and where", () => {
    expect(openingTarget(ss(), en)).toBe("follows alias champion (now v2)");
    expect(openingTarget(ss({ alias: null, version: 3 }), en)).toBe("serves version 3");
    expect(openMarkets(ss(), en)).toBe("ES, FR, IT");
    expect(openMarkets(ss({ all_markets: true, markets: ["*"] }), en)).toBe("every market");
  });
});

describe("approveBody", () => {
  it("sends nothing when the model is open: the market is added to the opening", () => {
    expect(approveBody(ss(), { aliases: { champion: 2 }, latest_version: 3 })).toBeUndefined();
  });

  it("opens a closed model with its champion, else its latest version", () => {
    const closed = ss({ open: false, alias: null, markets: [] });
    expect(approveBody(closed, { aliases: { champion: 2 }, latest_version: 3 })).toEqual({ alias: "champion" });
    expect(approveBody(closed, { aliases: {}, latest_version: 3 })).toEqual({ version: 3 });
  });
});
