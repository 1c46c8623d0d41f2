// Engine and database errors become tRPC errors by their `code`/`name` (never `instanceof`:
// the console bundles its own copy of the engine modules).
import { TRPCError } from "@trpc/server";

export interface Issue {
  path: (string | number)[];
  message: string;
  code: string;
  /** Row index in a batch (engine row validation). */
  index?: number;
}

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The TRPCError an engine / database error stands for, or null for a genuine bug. */
export function toTRPCError(error: unknown): TRPCError | null {
  if (error instanceof TRPCError) return error;
  const code = field(error, "code");
  const name = field(error, "name");
  const message = String(field(error, "message") ?? "request failed");
  if (code === "VALIDATION" || name === "ValidationError") return new TRPCError({ code: "BAD_REQUEST", message, cause: error as Error });
  if (code === "NOT_FOUND" || name === "NotFoundError" || code === "P2025") return new TRPCError({ code: "NOT_FOUND", message, cause: error as Error });
  if (code === "CONFLICT" || name === "ConflictError") return new TRPCError({ code: "CONFLICT", message, cause: error as Error });
  // A fit route's backlog is at its bound: the client should slow down and retry.
  if (code === "BACKPRESSURE" || name === "BackpressureError") return new TRPCError({ code: "TOO_MANY_REQUESTS", message, cause: error as Error });
  // Unique violations (Prisma, PostgreSQL 23505, SQLite constraint) from a race: a conflict.
  if (code === "P2002" || code === "23505" || code === "SQLITE_CONSTRAINT_PRIMARYKEY" || code === "SQLITE_CONSTRAINT_UNIQUE") {
    return new TRPCError({ code: "CONFLICT", message: "already exists", cause: error as Error });
  }
  return null;
}

/** Issues with paths from a zod error or an engine ValidationError (duck-typed). */
export function issuesOf(cause: unknown): Issue[] | null {
  const issues = field(cause, "issues");
  if (!Array.isArray(issues)) return null;
  return issues.slice(0, 50).map((issue) => {
    const path = field(issue, "path");
    const index = field(issue, "index");
    return {
      path: Array.isArray(path) ? path.map((p) => (typeof p === "number" ? p : String(p))) : [],
      message: String(field(issue, "message") ?? ""),
      code: String(field(issue, "code") ?? "invalid"),
      ...(typeof index === "number" ? { index } : {}),
    };
  });
}

/** Issues re-rooted under an input path: the engine validates `params` on its own, so its paths start inside it. */
export function rerootedValidationError(error: unknown, prefix: (string | number)[]): TRPCError | null {
  const issues = issuesOf(error);
  if (!issues || !(field(error, "code") === "VALIDATION" || field(error, "name") === "ValidationError")) return null;
  const rerooted = issues.map((i) => ({ path: [...prefix, ...i.path], message: i.message, code: i.code }));
  const message = describeIssues(rerooted);
  return new TRPCError({ code: "BAD_REQUEST", message, cause: Object.assign(new Error(message), { issues: rerooted }) });
}

/** `rows.3.text: Expected string; limit: Too small` — a readable summary of input issues. */
export function describeIssues(issues: readonly Issue[], max = 5): string {
  const parts = issues.slice(0, max).map((i) => `${i.path.length ? i.path.join(".") : "input"}: ${i.message}`);
  if (issues.length > max) parts.push(`and ${issues.length - max} more`);
  return parts.join("; ");
}

/** Engine row issues re-rooted under the procedure's input path (`row` or `rows.<i>`). */
export function rowValidationError(error: unknown, root: "row" | "rows"): TRPCError | null {
  const issues = issuesOf(error);
  if (!issues || !(field(error, "code") === "VALIDATION" || field(error, "name") === "ValidationError")) return null;
  const rerooted = issues.map((i) => ({ ...i, path: root === "row" ? ["row", ...i.path] : ["rows", ...(i.index !== undefined && i.index >= 0 ? [i.index] : []), ...i.path] }));
  return new TRPCError({ code: "BAD_REQUEST", message: String(field(error, "message")), cause: Object.assign(new Error(String(field(error, "message"))), { issues: rerooted }) });
}

const MAX_DEPTH = 32;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const MAX_NODES = 200_000;

/**
 * Input strings with NUL characters or unpaired surrogates cannot be stored by PostgreSQL
 * (text/jsonb); deep or huge structures could exhaust the stack. Reject them up front, with
 * the path, as BAD_REQUEST.
 */
export function checkRawInput(input: unknown): Issue | null {
  return visitRaw({ nodes: 0, path: [] }, input, 0);
}

/**
 * One walk of checkRawInput: `path` is a stack (pushed and popped, copied only into an issue),
 * so a large batch allocates nothing per value — this runs on every API call's input.
 */
interface RawWalk {
  nodes: number;
  path: (string | number)[];
}

function visitRaw(walk: RawWalk, value: unknown, depth: number): Issue | null {
  if (++walk.nodes > MAX_NODES) return { path: [...walk.path], message: "input is too large", code: "too_big" };
  if (typeof value === "string") {
    // eslint-disable-next-line no-control-regex
    if (/\u0000/.test(value)) return { path: [...walk.path], message: "strings may not contain NUL characters", code: "invalid_string" };
    if (LONE_SURROGATE.test(value)) return { path: [...walk.path], message: "strings may not contain unpaired surrogates", code: "invalid_string" };
    return null;
  }
  if (typeof value !== "object" || value === null) return null;
  if (depth >= MAX_DEPTH) return { path: [...walk.path], message: `input is nested deeper than ${MAX_DEPTH} levels`, code: "too_big" };
  const path = walk.path;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      path.push(i);
      const issue = visitRaw(walk, value[i], depth + 1);
      path.pop();
      if (issue) return issue;
    }
    return null;
  }
  if (value instanceof Date || value instanceof Uint8Array) return null;
  for (const key of Object.keys(value)) {
    path.push(key);
    const issue = visitRaw(walk, key, depth + 1) ?? visitRaw(walk, (value as Record<string, unknown>)[key], depth + 1);
    path.pop();
    if (issue) return issue;
  }
  return null;
}
