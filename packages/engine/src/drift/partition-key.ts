// A row's partition: a sortable, ISO-like key of its time at the relation's granularity,
// in UTC: "2001-02-17T05" (hour), "2001-02-17" (day), "2001-W07" (ISO week), "2001-02" (month).
import { type Granularity, type PartitionSource, type PartitionSpec } from "./profile-options.ts";

/** A row whose partitionBy yields no valid time; the caller rejects its batch with `path`. */
export class PartitionKeyError extends Error {
  constructor(
    message: string,
    /** Path of the offending field inside the row ([] for a function). */
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = "PartitionKeyError";
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** ISO 8601 week: weeks start on Monday; week 1 holds the year's first Thursday. */
function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const year = day.getUTCFullYear();
  const week = Math.ceil(((day.getTime() - Date.UTC(year, 0, 1)) / 86_400_000 + 1) / 7);
  return `${pad(year, 4)}-W${pad(week)}`;
}

/** The key of an instant at a granularity. */
export function partitionKeyOf(date: Date, granularity: Granularity = "day"): string {
  const ymd = `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
  switch (granularity) {
    case "hour":
      return `${ymd}T${pad(date.getUTCHours())}`;
    case "day":
      return ymd;
    case "week":
      return isoWeek(date);
    case "month":
      return ymd.slice(0, 7);
  }
}

/** "YYYY-MM-DD" (optionally with a time) or "YYYY-MM"; a bare date is read as UTC. */
const DATE_LIKE = /^\d{4}-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/;

function toDate(value: unknown): Date | string {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? "an invalid Date" : value;
  if (typeof value === "number") {
    const date = new Date(value);
    return Number.isFinite(value) && !Number.isNaN(date.getTime()) ? date : `the number ${value}, not an epoch-milliseconds time`;
  }
  if (typeof value === "string") {
    const text = value.trim();
    if (!DATE_LIKE.test(text)) return `"${value.slice(0, 40)}", not a date such as "2001-02-17" or "2001-02-17T05:00:00Z"`;
    let iso = text.replace(" ", "T");
    if (/^\d{4}-\d{2}$/.test(iso)) iso += "-01";
    // Date-time strings without a zone would be read as local time; partitions are UTC.
    if (/T\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(iso)) iso += "Z";
    if (/T\d{2}Z$/.test(iso)) iso = iso.replace(/Z$/, ":00Z");
    const date = new Date(iso);
    return Number.isNaN(date.getTime()) ? `"${value.slice(0, 40)}", not a valid date` : date;
  }
  if (value === undefined || value === null) return "missing";
  return `a ${typeof value}, not a Date, date string or epoch milliseconds`;
}

function readPath(row: unknown, path: string[]): unknown {
  let value = row;
  for (const key of path) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export type PartitionKeyFn<T = any> = (row: T, ingestedAt: Date) => string;

/**
 * Compiles a partition spec into a function of (validated row, ingest time). Throws
 * PartitionKeyError for a row whose time is missing or invalid.
 */
export function partitionKeyFunction<T = any>(spec: PartitionSpec<T> = {}): PartitionKeyFn<T> {
  const granularity = spec.granularity ?? "day";
  const by: PartitionSource<T> | undefined = spec.by;
  if (by === undefined) return (_row, ingestedAt) => partitionKeyOf(ingestedAt, granularity);
  if (typeof by === "function") {
    return (row) => {
      let value: unknown;
      try {
        value = by(row);
      } catch (error) {
        throw new PartitionKeyError(`partitionBy threw: ${(error as Error).message}`, []);
      }
      const date = toDate(value);
      if (typeof date === "string") throw new PartitionKeyError(`partitionBy returned ${date}`, []);
      return partitionKeyOf(date, granularity);
    };
  }
  const path = by.split(".");
  return (row) => {
    const date = toDate(readPath(row, path));
    if (typeof date === "string") throw new PartitionKeyError(`partition field "${by}" is ${date}`, path);
    return partitionKeyOf(date, granularity);
  };
}
