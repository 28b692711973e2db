/** The usual time zone of a market, so that a schedule for FR runs at 06:00 in Paris by default. */
import { userTimeZone } from "../lib/cron";

/** Market code → IANA time zone (the capital's, for countries spanning several). */
export const MARKET_ZONES: Readonly<Record<string, string>> = {
  FR: "Europe/Paris",
  DE: "Europe/Berlin",
  UK: "Europe/London",
  GB: "Europe/London",
  IE: "Europe/Dublin",
  ES: "Europe/Madrid",
  PT: "Europe/Lisbon",
  IT: "Europe/Rome",
  BE: "Europe/Brussels",
  NL: "Europe/Amsterdam",
  LU: "Europe/Luxembourg",
  AT: "Europe/Vienna",
  CH: "Europe/Zurich",
  PL: "Europe/Warsaw",
  CZ: "Europe/Prague",
  DK: "Europe/Copenhagen",
  SE: "Europe/Stockholm",
  NO: "Europe/Oslo",
  FI: "Europe/Helsinki",
  GR: "Europe/Athens",
  US: "America/New_York",
  CA: "America/Toronto",
  MX: "America/Mexico_City",
  BR: "America/Sao_Paulo",
  JP: "Asia/Tokyo",
  CN: "Asia/Shanghai",
  IN: "Asia/Kolkata",
  SG: "Asia/Singapore",
  AU: "Australia/Sydney",
  GLOBAL: "UTC",
};

/** The market's usual time zone ("fr" and "FR" alike), or null when the table does not know it. */
export function knownMarketZone(market: string | null | undefined): string | null {
  if (!market) return null;
  return MARKET_ZONES[market.trim().toUpperCase()] ?? null;
}

/** The default time zone of a schedule for `market`: its usual one, else the browser's. */
export function marketTimeZone(market: string | null | undefined, fallback: string = userTimeZone()): string {
  return knownMarketZone(market) ?? fallback;
}
