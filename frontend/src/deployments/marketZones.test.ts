import { describe, expect, it } from "vitest";
import { knownMarketZone, marketTimeZone } from "./marketZones";

describe("marketTimeZone", () => {
  it.each([
    ["FR", "Europe/Paris"],
    ["DE", "Europe/Berlin"],
    ["UK", "Europe/London"],
    ["GB", "Europe/London"],
    ["ES", "Europe/Madrid"],
    ["IT", "Europe/Rome"],
    ["US", "America/New_York"],
  ])("gives %s its usual zone %s", (market, zone) => {
    expect(marketTimeZone(market, "UTC")).toBe(zone);
  });

  it("reads a market in any case and with spaces around it", () => {
    expect(marketTimeZone(" fr ", "UTC")).toBe("Europe/Paris");
  });

  it("falls back for a market it does not know, or none", () => {
    expect(marketTimeZone("ATLANTIS", "Asia/Tokyo")).toBe("Asia/Tokyo");
    expect(marketTimeZone(null, "UTC")).toBe("UTC");
    expect(knownMarketZone("ATLANTIS")).toBeNull();
  });
});
