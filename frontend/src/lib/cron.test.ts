import { describe, expect, it } from "vitest";
import { translator } from "../i18n";
import { describeCron, formatRunTimes, isCronShaped, timeZones } from "./cron";

const en = translator("en");
const fr = translator("fr");

describe("isCronShaped", () => {
  it.each(["0 6 * * 1", "*/15 * * * *", "0 6 1,15 * *", "30 2 * * mon-fri", "@daily", "0 0 1 jan *"])("accepts %s", (s) => {
    expect(isCronShaped(s)).toBe(true);
  });
  it.each(["", "0 6 * *", "0 6 * * 1 2", "every day", "0 6 * * ?"])("refuses %s", (s) => {
    expect(isCronShaped(s)).toBe(false);
  });
});

describe("describeCron", () => {
  it("says common schedules in words", () => {
    expect(describeCron("0 6 * * 1", en)).toBe("Every Monday at 06:00");
    expect(describeCron("30 7 * * *", en)).toBe("Every day at 07:30");
    expect(describeCron("0 8 * * 1-5", en)).toBe("Monday to Friday at 08:00");
    expect(describeCron("0 2 1 * *", en)).toBe("On day 1 of every month at 02:00");
    expect(describeCron("*/15 * * * *", en)).toBe("Every 15 minutes");
    expect(describeCron("5 * * * *", en)).toBe("Every hour at minute 05");
    expect(describeCron("0 6 * * 0", fr)).toBe("Chaque dimanche à 06:00");
  });

  it("falls back to 'custom' or explains the expected shape", () => {
    expect(describeCron("0 6 1-7 * 1", en)).toBe("Custom schedule");
    expect(describeCron("nonsense", en)).toMatch(/five parts/);
  });
});

describe("formatRunTimes", () => {
  it("writes instants in the viewer's time zone", () => {
    const times = ["2026-11-23T05:00:00Z", "2026-06-01T05:00:00Z"];
    // Winter and summer time in Paris; the punctuation around the weekday varies with ICU versions.
    const [winter, summer] = formatRunTimes(times, "Europe/Paris", "en-GB");
    expect(winter).toMatch(/^Mon,? 23 Nov 2026,? 06:00$/);
    expect(summer).toMatch(/^Mon,? 1 Jun 2026,? 07:00$/);
    expect(formatRunTimes(times, "UTC", "en-GB")[0]).toMatch(/05:00$/);
    expect(formatRunTimes(["not a date"], "UTC", "en-GB")).toEqual(["not a date"]);
  });

  it("offers the browser's zone first", () => {
    const zones = timeZones();
    expect(zones[0]).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(zones).toContain("Europe/Paris");
  });
});
