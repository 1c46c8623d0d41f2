import { Cron } from "croner";
import { ValidationError } from "./errors.ts";

/**
 * A route's schedule: its fit runs at each cron instant (croner syntax: 5 fields, or 6 with
 * seconds first) with the rows that arrived since the last scheduled run, or none.
 */
export interface Schedule {
  cron: string;
  /** IANA time zone the cron fields are read in (default UTC). */
  timezone?: string;
  /**
   * Ticks that passed while no process was up (or were claimed later than the grace):
   * `runOnce` (default) runs one catch-up fit covering all of them; `skip` runs none of them
   * and waits for the next tick.
   */
  missed?: MissedPolicy;
  /** Most pending rows one scheduled run takes (default 10,000); the rest wait for the next tick. */
  maxRows?: number;
}

export type MissedPolicy = "runOnce" | "skip";

export const DEFAULT_SCHEDULE_MAX_ROWS = 10_000;
/** Most cron instants counted between two claims (a catch-up covering more says "at least"). */
const MAX_COUNTED = 100_000;

export interface ResolvedSchedule {
  cron: string;
  timezone: string;
  missed: MissedPolicy;
  maxRows: number;
  /** The first cron instant strictly after `at`, or null when the pattern never fires again. */
  nextAfter(at: Date): Date | null;
  /** The latest cron instant at or before `at`, or null when there is none. */
  lastAtOrBefore(at: Date): Date | null;
  /** Cron instants in (from, to]. */
  countBetween(from: Date, to: Date): number;
}

/**
 * Checks a route's `schedule` when the trigger is defined: a bad cron, an unknown time zone or
 * a bad option throws a ValidationError naming its path (e.g. ["schedule", "cron"]).
 */
export function resolveSchedule(where: string, schedule: Schedule): ResolvedSchedule {
  const fail = (path: string[], message: string): never => {
    throw new ValidationError(where, [{ index: -1, path: ["schedule", ...path], message, code: "invalid_schedule" }]);
  };
  if (typeof schedule !== "object" || schedule === null) fail([], "schedule must be an object { cron, timezone?, missed? }");
  if (typeof schedule.cron !== "string" || !schedule.cron.trim()) fail(["cron"], "cron must be a cron expression such as \"0 * * * *\"");
  const timezone = schedule.timezone ?? "UTC";
  if (typeof timezone !== "string" || !isTimeZone(timezone)) fail(["timezone"], `unknown time zone ${JSON.stringify(timezone)} (expected an IANA name such as "Europe/Berlin")`);
  const missed = schedule.missed ?? "runOnce";
  if (missed !== "runOnce" && missed !== "skip") fail(["missed"], "missed must be \"runOnce\" or \"skip\"");
  const maxRows = schedule.maxRows ?? DEFAULT_SCHEDULE_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1) fail(["maxRows"], "maxRows must be a positive integer");
  let cron: Cron;
  try {
    cron = new Cron(schedule.cron.trim(), { timezone, paused: true });
  } catch (error) {
    return fail(["cron"], `invalid cron ${JSON.stringify(schedule.cron)}: ${(error as Error).message}`);
  }
  return {
    cron: schedule.cron.trim(),
    timezone,
    missed,
    maxRows,
    nextAfter: (at) => cron.nextRun(at),
    // previousRuns excludes its reference: one millisecond later includes an instant at `at`.
    lastAtOrBefore: (at) => cron.previousRuns(1, new Date(at.getTime() + 1))[0] ?? null,
    countBetween(from, to) {
      let n = 0;
      for (let at = cron.nextRun(from); at && at.getTime() <= to.getTime() && n < MAX_COUNTED; at = cron.nextRun(at)) n++;
      return n;
    },
  };
}

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
