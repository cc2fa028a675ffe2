// Formatting of what the API gives: business durations, instants in a site's time zone, counts
// and percentages, in the user's language. No business rule here: the API computes, this only
// writes it out.
import type { Duration, Timestamp } from "@bufbuild/protobuf/wkt";

/** The languages of the app, as the API's Locale. */
export type Lang = "fr" | "en" | "ru";

/** seconds returns a Duration's whole seconds, or undefined when it is unset. */
export function seconds(d: Duration | undefined): number | undefined {
  return d === undefined ? undefined : Number(d.seconds) + Math.round(d.nanos / 1e9);
}

/** instant returns a Timestamp as a Date, or undefined when it is unset. */
export function instant(t: Timestamp | undefined): Date | undefined {
  return t === undefined ? undefined : new Date(Number(t.seconds) * 1000 + Math.floor(t.nanos / 1e6));
}

function unit(lang: Lang, u: "hour" | "minute" | "second", n: number): string {
  return new Intl.NumberFormat(lang, { style: "unit", unit: u, unitDisplay: "short" }).format(n);
}

/**
 * formatDuration writes a business duration in hours and minutes ("26 h 5 min"), never in
 * days: a business day is not 24 hours. Under a minute it gives seconds; unset gives "—".
 */
export function formatDuration(totalSeconds: number | undefined, lang: Lang): string {
  if (totalSeconds === undefined || !Number.isFinite(totalSeconds)) return "—";
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return unit(lang, "second", s);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h === 0) return unit(lang, "minute", m);
  if (m === 0) return unit(lang, "hour", h);
  return `${unit(lang, "hour", h)} ${unit(lang, "minute", m)}`;
}

/** formatDateTime writes an instant as a date and time in timeZone (a site's IANA zone). */
export function formatDateTime(at: Date | undefined, timeZone: string, lang: Lang): string {
  if (at === undefined) return "—";
  return new Intl.DateTimeFormat(lang, {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: lang === "en" ? "h12" : "h23",
    timeZoneName: "short",
  }).format(at);
}

/** formatTime writes an instant's local time of day in timeZone. */
export function formatTime(at: Date | undefined, timeZone: string, lang: Lang): string {
  if (at === undefined) return "—";
  return new Intl.DateTimeFormat(lang, {
    timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: lang === "en" ? "h12" : "h23",
  }).format(at);
}

/** formatCount writes a whole number with the language's grouping. */
export function formatCount(n: number, lang: Lang): string {
  return new Intl.NumberFormat(lang).format(n);
}

/** formatPercent writes a percentage the API computed (0–100) with at most one decimal. */
export function formatPercent(percent: number, lang: Lang): string {
  return new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: 1 }).format(percent / 100);
}

/** browserTimeZone is the zone of this device, for instants not tied to a site. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** zoneOffset is how far timeZone's wall clock is ahead of UTC at an instant, in milliseconds. */
function zoneOffset(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(at);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

/**
 * zonedInstant reads a wall-clock time typed in a form ("2027-03-28T09:30", as a
 * datetime-local input gives it) as a time in timeZone; undefined when it is not one.
 */
export function zonedInstant(local: string, timeZone: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) return undefined;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  const first = wall - zoneOffset(new Date(wall), timeZone);
  return new Date(wall - zoneOffset(new Date(first), timeZone));
}

/** formatBytes writes a file size in the largest unit that keeps it at or above 1. */
export function formatBytes(bytes: number, lang: Lang): string {
  const units = ["byte", "kilobyte", "megabyte"] as const;
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return new Intl.NumberFormat(lang, { style: "unit", unit: units[i], unitDisplay: "short", maximumFractionDigits: 1 }).format(value);
}

/** dayOf is the "YYYY-MM-DD" of an instant in timeZone, as a date input takes it. */
export function dayOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(at);
}

/** daysAgo is the "YYYY-MM-DD" n days before today (after, for negative n) in timeZone. */
export function daysAgo(n: number, timeZone: string): string {
  return dayOf(new Date(Date.now() - n * 86_400_000), timeZone);
}

/** formatDay writes a calendar day ("YYYY-MM-DD", already local) in the language. */
export function formatDay(day: string, lang: Lang): string {
  const at = new Date(`${day}T00:00:00Z`);
  if (Number.isNaN(at.getTime())) return day;
  return new Intl.DateTimeFormat(lang, { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric" }).format(at);
}
