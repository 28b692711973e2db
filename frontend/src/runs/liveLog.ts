/**
 * A run's log as the page follows it: fetched in pages after the last line seen (the route answers at
 * most PAGE lines at a time, oldest first), so that a long log reaches its last lines instead of
 * stopping at its first page; the page keeps the last MAX_LINES lines.
 */
import type { ExecutionLog } from "../api/types";
import { formatTime } from "../lib/dates";

/** The most lines the logs route answers at once (stores/executions.py). */
export const PAGE = 1000;
/** The most lines kept on screen: the last ones. */
export const MAX_LINES = 2000;

export interface LogTail {
  lines: ExecutionLog[];
  /** The id of the last line seen: the next page starts after it. */
  after: number;
  /** How many earlier lines were dropped to keep the last MAX_LINES. */
  dropped: number;
}

export const EMPTY_TAIL: LogTail = { lines: [], after: 0, dropped: 0 };

/** `tail` with a page of newer lines added (a line seen already is skipped), trimmed to the last `max`. */
export function appendLines(tail: LogTail, page: readonly ExecutionLog[], max = MAX_LINES): LogTail {
  const fresh = page.filter((l) => l.id > tail.after);
  if (!fresh.length) return tail;
  const all = [...tail.lines, ...fresh];
  const cut = Math.max(0, all.length - max);
  return { lines: cut ? all.slice(cut) : all, after: fresh[fresh.length - 1].id, dropped: tail.dropped + cut };
}

/** True when a page of this size may have more lines after it (fetch the next one at once). */
export function pageIsFull(page: readonly ExecutionLog[]): boolean {
  return page.length >= PAGE;
}

/** One line as shown: its time of day in the user's zone, its level unless info, its message. */
export function formatLine(line: ExecutionLog, locale: string, timeZone?: string): string {
  const level = line.level !== "info" ? `${line.level.toUpperCase()} ` : "";
  return `${formatTime(line.at, locale, timeZone)} ${level}${line.message}`;
}

/** True when a scrolled box shows its end (within `slack` pixels): new lines then keep it at the end. */
export function atBottom(box: { scrollTop: number; scrollHeight: number; clientHeight: number }, slack = 24): boolean {
  return box.scrollHeight - box.scrollTop - box.clientHeight <= slack;
}
