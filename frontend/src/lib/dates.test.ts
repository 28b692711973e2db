import { describe, expect, it } from "vitest";
import { dayPattern, dayStart, formatDate, formatDateTime, formatDateTimeWithDay, formatDay, formatTime, parseDay } from "./dates";

const ISO = "2026-11-23T05:07:09Z";

describe("the one date format", () => {
  it("writes a date and time the same way everywhere, per language", () => {
    expect(formatDateTime(ISO, "en-GB", "UTC")).toBe("23 Nov 2026, 05:07");
    expect(formatDateTime(ISO, "fr-FR", "UTC")).toMatch(/^23 nov\. 2026(,| à) 05:07$/);
    expect(formatDate(ISO, "en-GB", "UTC")).toBe("23 Nov 2026");
    expect(formatDate(ISO, "fr-FR", "UTC")).toBe("23 nov. 2026");
  });

  it("writes the date and time of a time zone when one is given (a schedule's own)", () => {
    // Winter and summer time in Paris; New York is five hours behind UTC in November.
    expect(formatDateTime(ISO, "en-GB", "Europe/Paris")).toBe("23 Nov 2026, 06:07");
    expect(formatDateTime("2026-06-01T05:00:00Z", "en-GB", "Europe/Paris")).toBe("1 Jun 2026, 07:00");
    expect(formatDateTime(ISO, "en-GB", "America/New_York")).toBe("23 Nov 2026, 00:07");
  });

  it("adds the weekday for run times, and the seconds for log lines", () => {
    expect(formatDateTimeWithDay(ISO, "en-GB", "UTC")).toMatch(/^Mon,? 23 Nov 2026,? 05:07$/);
    expect(formatDateTimeWithDay(ISO, "fr-FR", "UTC")).toMatch(/^lun\. 23 nov\. 2026/);
    expect(formatTime(ISO, "en-GB", "UTC")).toBe("05:07:09");
  });

  it("says '–' for a missing date and keeps text that is not one", () => {
    expect(formatDateTime(null, "en-GB")).toBe("–");
    expect(formatDate(undefined, "fr-FR")).toBe("–");
    expect(formatDateTime("not a date", "en-GB")).toBe("–");
    expect(formatDateTimeWithDay("not a date", "en-GB")).toBe("not a date");
    expect(formatTime("", "en-GB")).toBe("");
  });
});

describe("typed days", () => {
  it("reads a day typed day first, or in ISO form", () => {
    expect(parseDay("23/11/2026")).toBe("2026-11-23");
    expect(parseDay(" 1.2.2026 ")).toBe("2026-02-01");
    expect(parseDay("01-02-2026")).toBe("2026-02-01");
    expect(parseDay("2026-11-23")).toBe("2026-11-23");
  });

  it("refuses what is not a day of the calendar", () => {
    for (const bad of ["31/02/2026", "29/02/2025", "13/13/2026", "2026/11/23", "23/11/26", "tomorrow", ""]) {
      expect(parseDay(bad)).toBeNull();
    }
    expect(parseDay("29/02/2028")).toBe("2028-02-29");
  });

  it("writes a typed day in the one format, whatever the user's zone", () => {
    expect(formatDay("2026-11-23", "en-GB")).toBe("23 Nov 2026");
    expect(formatDay("2026-11-23", "fr-FR")).toBe("23 nov. 2026");
    expect(dayPattern("en")).toBe("dd/mm/yyyy");
    expect(dayPattern("fr")).toBe("jj/mm/aaaa");
  });

  it("turns a day into the instants that bound it in the user's zone", () => {
    const start = dayStart("2026-11-23");
    const end = dayStart("2026-11-23", true);
    expect(start && end && new Date(end).getTime() - new Date(start).getTime()).toBe(24 * 3600 * 1000);
    expect(new Date(start!).getDate()).toBe(23);
    expect(dayStart("")).toBeUndefined();
  });
});
