import type { z } from "zod";

export interface RowIssue {
  /** Index of the row in the batch. */
  index: number;
  /** zod path inside the row, e.g. ["author", "email"]. */
  path: (string | number)[];
  message: string;
  code: string;
}

/** A batch was rejected because at least one row did not match its relation's schema. */
export class ValidationError extends Error {
  readonly code = "VALIDATION";
  constructor(
    readonly relation: string,
    readonly issues: RowIssue[],
  ) {
    const first = issues[0];
    // Index -1: the issue is about the input as a whole (or a definition), not one row of it.
    const at = first ? [first.index >= 0 ? `row ${first.index}` : "", first.path.length ? `at ${first.path.join(".")}` : ""].filter(Boolean).join(" ") : "";
    const where = first ? `${at}${at ? ": " : ""}${first.message}` : "";
    const more = issues.length > 1 ? ` (and ${issues.length - 1} more issue${issues.length > 2 ? "s" : ""})` : "";
    super(`Invalid ${relation} ${where}${more}${issues[0]?.code === "invalid_schedule" || issues[0]?.code === "invalid_migration" ? "" : "; nothing was written"}`);
    this.name = "ValidationError";
  }

  static fromZod(relation: string, index: number, error: z.ZodError): RowIssue[] {
    return error.issues.map((issue) => ({
      index,
      path: issue.path.map((p) => (typeof p === "symbol" ? String(p) : p)),
      message: issue.message,
      code: issue.code,
    }));
  }
}

export class NotFoundError extends Error {
  readonly code = "NOT_FOUND";
  constructor(message: string) {
    super(message);
    this.name = "NotFoundError";
  }
}

/** The request is well-formed but conflicts with the current state (e.g. wrong trigger). */
export class ConflictError extends Error {
  readonly code = "CONFLICT";
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/**
 * A trigger's state could not be brought to its current schema: no declared path from the
 * version's schema (a rollback to it is refused), or a `migrate` threw (nothing was written).
 * A CONFLICT (409 in the API).
 */
export class StateMigrationError extends ConflictError {
  constructor(
    message: string,
    readonly trigger: string,
    readonly version: number,
    readonly fromSchema: number,
    readonly toSchema: number,
    readonly cause?: unknown,
  ) {
    super(message);
    this.name = "StateMigrationError";
  }
}

/** A route's backlog of rows waiting for a fit is at its bound (route option `backpressure`). */
export class BackpressureError extends Error {
  readonly code = "BACKPRESSURE";
  constructor(
    readonly trigger: string,
    readonly route: string,
    readonly pending: number,
    readonly limit: number,
    /** A hint for when to try again. */
    readonly retryAfterMs: number,
  ) {
    super(`route ${trigger}/${route} has ${pending} rows waiting for a fit (limit ${limit}); nothing was written, try again later`);
    this.name = "BackpressureError";
  }
}

/** An infer threw. The row is stored; the inference is stored with the error. */
export class InferenceError extends Error {
  readonly code = "INFERENCE";
  constructor(
    readonly rowId: string,
    readonly trigger: string,
    readonly route: string,
    readonly cause: unknown,
  ) {
    super(`infer of ${trigger}/${route} failed on row ${rowId}: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = "InferenceError";
  }
}
