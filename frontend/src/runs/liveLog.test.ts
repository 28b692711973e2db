import { describe, expect, it } from "vitest";
import type { ExecutionLog } from "../api/types";
import { appendLines, atBottom, EMPTY_TAIL, formatLine, PAGE, pageIsFull } from "./liveLog";

const line = (id: number, message = `line ${id}`, level = "info"): ExecutionLog => ({ id, at: "2026-11-23T05:07:09Z", level, message });
const lines = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_v, i) => line(from + i));

describe("the live log", () => {
  it("adds newer lines and remembers the last id for the next page", () => {
    let tail = appendLines(EMPTY_TAIL, lines(1, 3));
    expect(tail.after).toBe(3);
    tail = appendLines(tail, [line(3), ...lines(4, 5)]); // a line seen already is skipped
    expect(tail.lines.map((l) => l.id)).toEqual([1, 2, 3, 4, 5]);
    expect(appendLines(tail, [])).toBe(tail);
  });

  it("keeps the last lines of a long log", () => {
    let tail = EMPTY_TAIL;
    for (let start = 1; start <= 5000; start += PAGE) tail = appendLines(tail, lines(start, start + PAGE - 1), 2000);
    expect(tail.lines).toHaveLength(2000);
    expect(tail.lines[tail.lines.length - 1].id).toBe(5000);
    expect(tail.lines[0].id).toBe(3001);
    expect(tail.dropped).toBe(3000);
  });

  it("asks for the next page at once while pages come back full", () => {
    expect(pageIsFull(lines(1, PAGE))).toBe(true);
    expect(pageIsFull(lines(1, 10))).toBe(false);
  });

  it("writes a line with its time, and its level unless info", () => {
    expect(formatLine(line(1, "started"), "en-GB", "UTC")).toBe("05:07:09 started");
    expect(formatLine(line(2, "disk low", "warning"), "en-GB", "UTC")).toBe("05:07:09 WARNING disk low");
  });

  it("follows the end only while the box shows it", () => {
    expect(atBottom({ scrollTop: 680, scrollHeight: 1000, clientHeight: 320 })).toBe(true);
    expect(atBottom({ scrollTop: 100, scrollHeight: 1000, clientHeight: 320 })).toBe(false);
  });
});
