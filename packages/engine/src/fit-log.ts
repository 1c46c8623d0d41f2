import { format } from "node:util";
import type { Logger } from "./logger.ts";

export type FitLogLevel = "debug" | "info" | "warn" | "error";

/** One `log` call inside a fit, as kept with its run. */
export interface FitLogEntry {
  /** Epoch milliseconds. */
  at: number;
  level: FitLogLevel;
  msg: string;
  /** The object logged with the message (JSON-safe, bounded), if any. */
  data?: unknown;
}

/** What one attempt of a fit logged: the first `FIT_LOG_LIMITS.entries` calls, and how many more. */
export interface FitLogs {
  entries: FitLogEntry[];
  dropped: number;
}

/**
 * Bounds per attempt, so a fit logging in a loop cannot bloat the run's row or the message
 * back from its thread: the first 200 calls are kept, later ones only counted.
 */
export const FIT_LOG_LIMITS = { entries: 200, msgChars: 2_000, dataChars: 4_000 } as const;

const LEVELS: readonly FitLogLevel[] = ["debug", "info", "warn", "error"];

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** The logged object as JSON-safe data (errors as name and message), clipped to the bound. */
function jsonSafe(value: unknown): unknown {
  const replacer = (_key: string, v: unknown) => (v instanceof Error ? { name: v.name, message: v.message } : typeof v === "bigint" ? v.toString() : v);
  let text: string | undefined;
  try {
    text = JSON.stringify(value instanceof Error ? replacer("", value) : value, replacer);
  } catch {
    return { unserializable: Object.prototype.toString.call(value) };
  }
  if (text === undefined) return undefined;
  return text.length > FIT_LOG_LIMITS.dataChars ? { truncated: clip(text, FIT_LOG_LIMITS.dataChars) } : JSON.parse(text);
}

/** Collects the `log` calls of one fit attempt, within FIT_LOG_LIMITS. */
export class FitLogBuffer {
  readonly entries: FitLogEntry[] = [];
  dropped = 0;

  add(level: FitLogLevel, args: readonly unknown[], bindings: Record<string, unknown> | null): void {
    if (this.entries.length >= FIT_LOG_LIMITS.entries) {
      this.dropped++;
      return;
    }
    // pino's call shapes: (msg, ...printf args) or (object, msg?, ...printf args).
    const [first, ...rest] = args;
    let msg = "";
    let data: unknown;
    if (typeof first === "string") msg = format(first, ...rest);
    else {
      data = first === undefined ? undefined : first;
      const [text, ...more] = rest;
      if (typeof text === "string") msg = format(text, ...more);
      else if (first instanceof Error) msg = first.message;
    }
    if (bindings) data = data !== null && typeof data === "object" && !(data instanceof Error) ? { ...bindings, ...data } : data === undefined ? bindings : { ...bindings, value: data };
    const entry: FitLogEntry = { at: Date.now(), level, msg: clip(msg, FIT_LOG_LIMITS.msgChars) };
    const safe = data === undefined ? undefined : jsonSafe(data);
    if (safe !== undefined) entry.data = safe;
    this.entries.push(entry);
  }

  /** Null when the fit logged nothing, so a quiet fit stores and sends nothing extra. */
  logs(): FitLogs | null {
    return this.entries.length || this.dropped ? { entries: this.entries, dropped: this.dropped } : null;
  }
}

/**
 * The `log` a fit receives: every call goes to the process logger as before and is also kept
 * in `buffer`, for the run's record. `child` keeps its bindings on the kept entries too.
 */
export function capturingLogger(base: Logger, buffer: FitLogBuffer, bindings: Record<string, unknown> | null = null): Logger {
  const logger = {} as Record<string, unknown>;
  for (const level of LEVELS) {
    logger[level] = (...args: unknown[]) => {
      buffer.add(level, args, bindings);
      (base[level] as (...a: unknown[]) => void)(...args);
    };
  }
  logger.child = (more: Record<string, unknown>) => capturingLogger(base.child(more) as Logger, buffer, { ...bindings, ...more });
  return logger as unknown as Logger;
}

/** Logs travel with a fit's error (thrown in a thread or inline) on this property. */
const LOGS = Symbol.for("motion.fitLogs");

export function attachLogs(error: unknown, logs: FitLogs | null): unknown {
  if (logs && error !== null && typeof error === "object") {
    try {
      Object.defineProperty(error, LOGS, { value: logs, enumerable: false, configurable: true });
    } catch {
      // A frozen error keeps its logs to itself; the failure is still recorded.
    }
  }
  return error;
}

export function logsOf(error: unknown): FitLogs | null {
  return error !== null && typeof error === "object" ? ((error as Record<symbol, FitLogs | undefined>)[LOGS] ?? null) : null;
}
