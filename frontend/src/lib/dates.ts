/**
 * The one way the app writes dates: one format per language ("23 Nov 2026, 06:00" in English,
 * "23 nov. 2026, 06:00" in French), in the user's own time zone unless a zone is given (a schedule's
 * next runs are written in the schedule's zone). Every date on screen goes through here, through
 * `useI18n().when` / `.day`, or through `formatRunTimes` (the same format with the weekday first).
 */

/** Options shared by every date written: day, short month name, year; 24-hour clock. */
const DAY: Intl.DateTimeFormatOptions = { day: "numeric", month: "short", year: "numeric" };
const TIME: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };

/** An instant from the API (ISO 8601), or null when it is missing or not a date. */
function instant(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const cache = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: string, options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ""}|${JSON.stringify(options)}`;
  let fmt = cache.get(key);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat(locale, { ...options, ...(timeZone ? { timeZone } : {}) });
    cache.set(key, fmt);
  }
  return fmt;
}

/** "23 Nov 2026, 06:00"; "–" when there is no date. */
export function formatDateTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  const d = instant(iso);
  return d ? formatter(locale, { ...DAY, ...TIME }, timeZone).format(d) : "–";
}

/** "23 Nov 2026"; "–" when there is no date. */
export function formatDate(iso: string | null | undefined, locale: string, timeZone?: string): string {
  const d = instant(iso);
  return d ? formatter(locale, DAY, timeZone).format(d) : "–";
}

/** "Mon 23 Nov 2026, 06:00": the same format with the weekday first (a schedule's run times). */
export function formatDateTimeWithDay(iso: string, locale: string, timeZone?: string): string {
  const d = instant(iso);
  return d ? formatter(locale, { weekday: "short", ...DAY, ...TIME }, timeZone).format(d) : iso;
}

/** "06:00:12": the time of day with seconds (log lines). */
export function formatTime(iso: string | null | undefined, locale: string, timeZone?: string): string {
  const d = instant(iso);
  return d ? formatter(locale, { ...TIME, second: "2-digit" }, timeZone).format(d) : "";
}

/** What a typed day looks like in a language: the placeholder of a date field. */
export function dayPattern(lang: "en" | "fr"): string {
  return lang === "fr" ? "jj/mm/aaaa" : "dd/mm/yyyy";
}

/**
 * A day as typed (day first, as both languages write it: 23/11/2026, 23.11.2026, 23-11-2026; or
 * ISO 2026-11-23) as "YYYY-MM-DD"; null when it is not a real day of the calendar.
 */
export function parseDay(text: string): string | null {
  const s = text.trim();
  let y: number, m: number, d: number;
  let match = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (match) {
    [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  } else {
    match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!match) return null;
    [d, m, y] = [Number(match[1]), Number(match[2]), Number(match[3])];
  }
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
}

/** A day ("YYYY-MM-DD") written in the one format, read as that calendar day wherever the user is. */
export function formatDay(day: string, locale: string): string {
  return formatDate(`${day}T12:00:00Z`, locale, "UTC");
}

/** The start of a day ("YYYY-MM-DD") in the user's time zone, as an ISO instant; `end`: of the next day. */
export function dayStart(day: string, end = false): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T00:00:00`);
  if (end) d.setDate(d.getDate() + 1);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}
