// Stored answers of requests sent with an idempotency key (table `IdempotencyKey`): the API's
// `rows.add` / `rows.addMany` write one in the transaction that stores the rows (`alsoWrite`),
// keyed by (scope, key) as the primary key, so across processes and restarts exactly one
// request per key writes rows. What a request and its answer are (hash, serialisation) is the
// caller's business; this module keeps the records.
import { prepare, storage, toDate, type Database, type Query } from "@motion/db";
import { isUniqueViolation } from "../unique-violation.ts";

const SWEEP_EVERY_MS = 60_000;

export interface IdempotencyRecord {
  procedure: string;
  requestHash: string;
  /** The answer as the caller serialised it. */
  response: string;
  createdAt: Date;
  expiresAt: Date;
}

let lastSweep = 0;

// Every rows.add with an Idempotency-Key runs FIND, and WRITE in its transaction: compiled once.
const FIND = prepare((scope: string, key: string) =>
  storage.selectFrom("IdempotencyKey").select(["procedure", "requestHash", "response", "createdAt", "expiresAt"]).where("scope", "=", scope).where("key", "=", key),
);
const SWEEP = prepare((now: Date) => storage.deleteFrom("IdempotencyKey").where("expiresAt", "<=", now));
const GIVE_UP_EXPIRED = prepare((scope: string, key: string, now: Date) =>
  storage.deleteFrom("IdempotencyKey").where("scope", "=", scope).where("key", "=", key).where("expiresAt", "<=", now),
);
const WRITE = prepare((scope: string, key: string, procedure: string, requestHash: string, response: string, createdAt: Date, expiresAt: Date) =>
  storage.insertInto("IdempotencyKey").values({ scope, key, procedure, requestHash, response, createdAt, expiresAt }),
);

export class IdempotencyStore {
  constructor(private readonly db: Database) {}

  /** The answer stored under (scope, key) that has not expired yet. */
  async find(scope: string, key: string): Promise<IdempotencyRecord | undefined> {
    const row = await this.db.read(() => FIND.first(scope, key));
    if (!row) return undefined;
    const expiresAt = toDate(row.expiresAt);
    if (expiresAt.getTime() <= Date.now()) return undefined;
    return { procedure: row.procedure, requestHash: row.requestHash, response: row.response, createdAt: toDate(row.createdAt), expiresAt };
  }

  /** Deletes expired answers, at most once a minute per process, off the caller's path. */
  sweep(now = new Date()): void {
    if (now.getTime() - lastSweep < SWEEP_EVERY_MS) return;
    lastSweep = now.getTime();
    void this.db.tx(() => SWEEP.run(now)).catch(() => undefined);
  }

  /**
   * Stores an answer under (scope, key) for `ttlMs`: to be run in the transaction that makes
   * the change it answers for (e.g. `motion.add`'s `alsoWrite`). An expired answer under the key
   * gives the key up; a live one makes the transaction fail (see `lostRace`).
   */
  *write(record: { scope: string; key: string; procedure: string; requestHash: string; response: string; ttlMs: number }): Query<void> {
    const at = new Date();
    yield* GIVE_UP_EXPIRED.run(record.scope, record.key, at);
    yield* WRITE.run(record.scope, record.key, record.procedure, record.requestHash, record.response, at, new Date(at.getTime() + record.ttlMs));
  }

  /** Whether `error` says a concurrent request stored its answer under the key first. */
  lostRace(error: unknown): boolean {
    return isUniqueViolation(error);
  }
}
