/**
 * Cron helper: a quick local check of an expression's shape, a sentence for the common patterns,
 * and the run times (computed by the server) written in the user's own time zone.
 */
import type { MessageKey, Translate } from "../i18n";
import { formatDateTimeWithDay } from "./dates";

const FIELD = /^(\*|\d+(-\d+)?)(\/\d+)?(,(\*|\d+(-\d+)?)(\/\d+)?)*$/;
const NAMED = /^[A-Za-z]{3}(-[A-Za-z]{3})?(,[A-Za-z]{3}(-[A-Za-z]{3})?)*$/;
const MACROS = new Set(["@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"]);

/** True when the expression has the shape of a five-field cron (the server has the last word). */
export function isCronShaped(expr: string): boolean {
  const s = expr.trim();
  if (MACROS.has(s.toLowerCase())) return true;
  const parts = s.split(/\s+/);
  if (parts.length !== 5) return false;
  return parts.every((p, i) => FIELD.test(p) || ((i === 3 || i === 4) && NAMED.test(p)));
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function isNum(s: string): boolean {
  return /^\d+$/.test(s);
}

/** A sentence for the common patterns ("Every day at 06:00"); `cron.custom` otherwise. */
export function describeCron(expr: string, t: Translate): string {
  const s = expr.trim().toLowerCase();
  if (s === "@hourly") return t("cron.everyHourAt", { m: "00" });
  if (s === "@daily" || s === "@midnight") return t("cron.dailyAt", { time: "00:00" });
  if (!isCronShaped(s)) return t("cron.invalid");
  const [min, hour, dom, month, dow] = s.split(/\s+/);
  if (s === "* * * * *") return t("cron.everyMinute");
  const stepMatch = /^\*\/(\d+)$/.exec(min);
  if (stepMatch && hour === "*" && dom === "*" && month === "*" && dow === "*") {
    return t("cron.everyNMinutes", { n: stepMatch[1] });
  }
  if (isNum(min) && hour === "*" && dom === "*" && month === "*" && dow === "*") {
    return t("cron.everyHourAt", { m: pad(Number(min)) });
  }
  if (!isNum(min) || !isNum(hour) || month !== "*") return t("cron.custom");
  const time = `${pad(Number(hour))}:${pad(Number(min))}`;
  if (dom === "*" && dow === "*") return t("cron.dailyAt", { time });
  if (dom === "*" && (dow === "1-5" || dow === "mon-fri")) return t("cron.weekdaysAt", { time });
  if (dom === "*" && isNum(dow) && Number(dow) <= 7) {
    const day = t(`cron.day.${Number(dow) % 7}` as MessageKey);
    return t("cron.weeklyAt", { day, time });
  }
  if (isNum(dom) && dow === "*") return t("cron.monthlyAt", { d: Number(dom), time });
  return t("cron.custom");
}

/** The browser's time zone (IANA name), "UTC" when it cannot tell. */
export function userTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** ISO instants written for a person in `timeZone`: "Mon 23 Nov 2026, 06:00" (the app's one date format). */
export function formatRunTimes(isoTimes: string[], timeZone: string, locale: string): string[] {
  return isoTimes.map((iso) => formatDateTimeWithDay(iso, locale, timeZone));
}

/** A few common zones first, then the browser's list when it has one. */
export function timeZones(): string[] {
  const common = ["UTC", "Europe/Paris", "Europe/London", "Europe/Berlin", "Europe/Madrid", "Europe/Rome", "America/New_York", "Asia/Singapore"];
  let all: string[] = [];
  try {
    const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
    all = intl.supportedValuesOf ? intl.supportedValuesOf("timeZone") : [];
  } catch {
    all = [];
  }
  const zone = userTimeZone();
  return Array.from(new Set([zone, ...common, ...all]));
}
