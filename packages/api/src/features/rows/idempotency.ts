// Idempotency keys for `rows.add` / `rows.addMany`: a client that retries after a timeout
// sends the same key and gets the first answer back instead of a second copy of its rows.
// The answer is stored in the transaction that stores the rows (engine `alsoWrite`), keyed by
// (caller, key) as the primary key, so across processes and restarts exactly one request per
// key writes rows: a concurrent duplicate fails on the key, its rows roll back, and it answers
// with the winner's stored response. Failed requests store nothing (retrying them is safe).
import { createHash } from "node:crypto";
import { TRPCError } from "@trpc/server";
import superjson from "superjson";
import type { IdempotencyRecord, IdempotencyStore } from "@motion/engine";

/** How long a key's answer is kept (and a retry is recognised): 24 hours unless configured. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 3600_000;

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

/** What `store` returns: the write to run in the rows' transaction (`alsoWrite`). */
type StoreWrite = ReturnType<IdempotencyStore["write"]>;

export interface IdempotentCall<T> {
  /** `motion.idempotency`: where answers are kept (the engine's identity/idempotency-store.ts). */
  records: IdempotencyStore;
  /** `user:<id>` or `apikey:<id>`. */
  scope: string;
  key: string | undefined;
  procedure: string;
  /** The request as it matters for "same request": hashed canonically (key order ignored). */
  input: unknown;
  ttlMs: number;
  /** Runs the request; `store` must be written in the transaction that stores the rows. */
  execute(store: ((response: T) => StoreWrite) | undefined): Promise<T>;
}

function replay<T>(stored: IdempotencyRecord, call: IdempotentCall<T>, hash: string): T {
  if (stored.requestHash !== hash) {
    throw new TRPCError({
      code: "UNPROCESSABLE_CONTENT",
      message:
        `idempotency key "${call.key}" was already used at ${stored.createdAt.toISOString()} for a different request ` +
        `(${stored.procedure}); a retry must send the same input, a new request needs a new key`,
    });
  }
  return superjson.parse<T>(stored.response);
}

export async function idempotent<T>(call: IdempotentCall<T>): Promise<T> {
  if (call.key === undefined) return call.execute(undefined);
  const { records, scope, key } = call;
  const hash = requestHash(call.procedure, call.input);
  records.sweep(new Date());
  const existing = await records.find(scope, key);
  if (existing) return replay(existing, call, hash);
  const store = (response: T): StoreWrite =>
    // An expired answer under this key gives the key up (the store deletes it first).
    records.write({ scope, key, procedure: call.procedure, requestHash: hash, response: superjson.stringify(response), ttlMs: call.ttlMs });
  try {
    return await call.execute(store);
  } catch (error) {
    if (!records.lostRace(error)) throw error;
    // A concurrent request with this key committed first: answer with its result.
    const winner = await records.find(scope, key);
    if (!winner) throw error;
    return replay(winner, call, hash);
  }
}
