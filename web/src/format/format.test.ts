import { describe, expect, it } from "vitest";
import { create } from "@bufbuild/protobuf";
import { DurationSchema, TimestampSchema } from "@bufbuild/protobuf/wkt";
import { formatBytes, formatCount, formatDateTime, formatDuration, formatPercent, formatTime, instant, seconds, zonedInstant } from "./format";

// Intl separates some units with a no-break space; compare on plain spaces.
const plain = (s: string) => s.replace(/[\u00a0\u202f]/g, " ");

describe("formatDuration", () => {
  it.each([
    [0, "fr", "0 s"],
    [45, "en", "45 sec"],
    [60, "fr", "1 min"],
    [59 * 60 + 59, "en", "59 min"],
    [3600, "fr", "1 h"],
    [2 * 3600 + 5 * 60, "fr", "2 h 5 min"],
    [2 * 3600 + 5 * 60, "en", "2 hr 5 min"],
    [2 * 3600 + 5 * 60, "ru", "2 ч 5 мин"],
    [26 * 3600 + 30 * 60, "fr", "26 h 30 min"], // business hours, never "1 day"
    [45, "ru", "45 с"],
  ] as const)("%i s in %s is %s", (s, lang, want) => {
    expect(plain(formatDuration(s, lang))).toBe(want);
  });

  it("writes an unset duration as a dash", () => {
    expect(formatDuration(undefined, "fr")).toBe("—");
  });

  it("reads a protobuf Duration", () => {
    expect(seconds(create(DurationSchema, { seconds: 7500n, nanos: 0 }))).toBe(7500);
    expect(seconds(undefined)).toBeUndefined();
  });
});

describe("formatDateTime across daylight saving", () => {
  // Europe/Paris springs forward on 2026-03-29 at 02:00 (CET → CEST) and falls back on
  // 2026-10-25 at 03:00 (CEST → CET).
  const beforeSpring = new Date("2026-03-29T00:30:00Z");
  const afterSpring = new Date("2026-03-29T01:30:00Z");
  const fallFirst = new Date("2026-10-25T00:30:00Z");
  const fallSecond = new Date("2026-10-25T01:30:00Z");

  it("shows the site's wall clock, an hour apart in UTC but two on the clock in spring", () => {
    expect(plain(formatTime(beforeSpring, "Europe/Paris", "fr"))).toBe("01:30");
    expect(plain(formatTime(afterSpring, "Europe/Paris", "fr"))).toBe("03:30");
  });

  it("shows 02:30 twice on the autumn night, with its offset", () => {
    expect(plain(formatTime(fallFirst, "Europe/Paris", "fr"))).toBe("02:30");
    expect(plain(formatTime(fallSecond, "Europe/Paris", "fr"))).toBe("02:30");
    const first = plain(formatDateTime(fallFirst, "Europe/Paris", "en"));
    const second = plain(formatDateTime(fallSecond, "Europe/Paris", "en"));
    expect(first).not.toBe(second);
    expect(first).toMatch(/GMT\+2/);
    expect(second).toMatch(/GMT\+1/);
  });

  it("uses each site's zone, not the browser's", () => {
    expect(plain(formatTime(afterSpring, "America/Toronto", "fr"))).toBe("21:30"); // the day before
    expect(plain(formatDateTime(afterSpring, "America/Toronto", "fr"))).toMatch(/28 mars 2026/);
  });

  it("writes the date in the three languages", () => {
    const at = new Date("2026-07-14T08:05:00Z");
    expect(plain(formatDateTime(at, "Europe/Paris", "fr"))).toMatch(/^14 juil\. 2026.*10:05/);
    expect(plain(formatDateTime(at, "Europe/Paris", "en"))).toMatch(/^Jul 14, 2026.*10:05 AM/);
    expect(plain(formatDateTime(at, "Europe/Moscow", "ru"))).toMatch(/^14 июл\. 2026.*11:05/);
  });

  it("reads a protobuf Timestamp and writes an unset one as a dash", () => {
    const ts = create(TimestampSchema, { seconds: BigInt(afterSpring.getTime() / 1000), nanos: 0 });
    expect(instant(ts)?.getTime()).toBe(afterSpring.getTime());
    expect(formatDateTime(instant(undefined), "Europe/Paris", "fr")).toBe("—");
  });
});

describe("numbers", () => {
  it("groups thousands and writes percentages per language", () => {
    expect(plain(formatCount(1234567, "fr"))).toBe("1 234 567");
    expect(formatCount(1234567, "en")).toBe("1,234,567");
    expect(plain(formatCount(1234567, "ru"))).toBe("1 234 567");
    expect(plain(formatPercent(87.54, "fr"))).toBe("87,5 %");
    expect(formatPercent(87.54, "en")).toBe("87.5%");
    expect(plain(formatPercent(100, "ru"))).toBe("100 %");
  });
});

describe("zonedInstant", () => {
  it("reads a typed time in the site's zone, on both sides of a daylight-saving change", () => {
    // Paris moves from UTC+1 to UTC+2 on 28 March 2027 at 02:00.
    expect(zonedInstant("2027-03-27T09:30", "Europe/Paris")?.toISOString()).toBe("2027-03-27T08:30:00.000Z");
    expect(zonedInstant("2027-03-29T09:30", "Europe/Paris")?.toISOString()).toBe("2027-03-29T07:30:00.000Z");
    expect(zonedInstant("2027-11-08T09:00", "America/Montreal")?.toISOString()).toBe("2027-11-08T14:00:00.000Z");
  });
  it("rejects what is not a date and time", () => {
    expect(zonedInstant("", "Europe/Paris")).toBeUndefined();
    expect(zonedInstant("2027-03-27", "Europe/Paris")).toBeUndefined();
  });
});

describe("formatBytes", () => {
  it.each([
    [512, "en", "512 byte"],
    [1536, "en", "1.5 kB"],
    [10 * 1024 * 1024, "fr", "10 Mo"],
    [2048, "ru", "2 кБ"],
  ] as const)("%i bytes in %s is %s", (n, lang, want) => {
    expect(plain(formatBytes(n, lang))).toBe(want);
  });
});
