// Idempotency keys for `rows.add` / `rows.addMany`: a client that retries after a timeout
// sends the same key and gets the first answer back instead of a second copy of its rows.
// The answer is stored in the transaction that stores the rows (engine `alsoWrite`), keyed by
// (caller, key) as the primary key, so across processes and restarts exactly one request per
// key writes rows: a concurrent duplicate fails on the key, its rows roll back, and it answers
// with the winner's stored response. Failed requests store nothing (retrying them is safe).
import { createHash } from "node:crypto";
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import { get, run, toDate, type Database, type Query } from "@motion/db";
import { isUniqueViolation } from "../../lib/unique-violation.ts";

/** How long a key's answer is kept (and a retry is recognised): 24 hours unless configured. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000;
const SWEEP_EVERY_MS = 60_000;

interface Stored {
  procedure: string;
  requestHash: string;
  response: string;
  createdAt: unknown;
  expiresAt: unknown;
}

/** JSON with object keys sorted, so `{ a, b }` and `{ b, a }` are the same request. */
function canonicalJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_key, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
    ) ?? "undefined";
  } catch {
    throw new TRPCError({ code: "BAD_REQUEST", message: "the input is not representable as JSON" });
  }
}

export function requestHash(procedure: string, input: unknown): string {
  return createHash("sha256").update(procedure).update("\0").update(canonicalJson(input)).digest("hex");
}

function* lookup(scope: string, key: string): Query<Stored | undefined> {
  return yield* get<Stored>(`SELECT "procedure", "requestHash", "response", "createdAt", "expiresAt" FROM "IdempotencyKey" WHERE "scope" = ? AND "key" = ?`, [scope, key]);
}

let lastSweep = 0;

/** Deletes expired answers, at most once a minute per process, off the request's path. */
function sweep(db: Database, now: Date): void {
  if (now.getTime() - lastSweep < SWEEP_EVERY_MS) return;
  lastSweep = now.getTime();
  void db.tx(() => run(`DELETE FROM "IdempotencyKey" WHERE "expiresAt" <= ?`, [now])).catch(() => undefined);
}

export interface IdempotentCall<T> {
  db: Database;
  /** `user:<id>` or `apikey:<id>`. */
  scope: string;
  key: string | undefined;
  procedure: string;
  /** The request as it matters for "same request": hashed canonically (key order ignored). */
  input: unknown;
  ttlMs: number;
  /** Runs the request; `store` must be written in the transaction that stores the rows. */
  execute(store: ((response: T) => Query<void>) | undefined): Promise<T>;
}

function replay<T>(stored: Stored, call: IdempotentCall<T>, hash: string): T {
  if (stored.requestHash !== hash) {
    throw new TRPCError({
      code: "UNPROCESSABLE_CONTENT",
      message:
        `idempotency key "${call.key}" was already used at ${toDate(stored.createdAt).toISOString()} for a different request ` +
        `(${stored.procedure}); a retry must send the same input, a new request needs a new key`,
    });
  }
  return superjson.parse<T>(stored.response);
}

export async function idempotent<T>(call: IdempotentCall<T>): Promise<T> {
  if (call.key === undefined) return call.execute(undefined);
  const { db, scope, key } = call;
  const hash = requestHash(call.procedure, call.input);
  const now = new Date();
  sweep(db, now);
  const live = (s: Stored | undefined) => (s && toDate(s.expiresAt).getTime() > Date.now() ? s : undefined);
  const existing = live(await db.read(() => lookup(scope, key)));
  if (existing) return replay(existing, call, hash);
  const store = (response: T): Query<void> =>
    (function* () {
      const at = new Date();
      // An expired answer under this key gives the key up.
      yield* run(`DELETE FROM "IdempotencyKey" WHERE "scope" = ? AND "key" = ? AND "expiresAt" <= ?`, [scope, key, at]);
      yield* run(
        `INSERT INTO "IdempotencyKey" ("scope", "key", "procedure", "requestHash", "response", "createdAt", "expiresAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [scope, key, call.procedure, hash, superjson.stringify(response), at, new Date(at.getTime() + call.ttlMs)],
      );
    })();
  try {
    return await call.execute(store);
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent request with this key committed first: answer with its result.
    const winner = live(await db.read(() => lookup(scope, key)));
    if (!winner) throw error;
    return replay(winner, call, hash);
  }
}
