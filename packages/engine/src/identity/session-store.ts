// Operators' sessions (table `Session`, written by better-auth through the adapter this module
// wraps). Tokens at rest: the database keeps only the SHA-256 of each session token, so a copy
// of the database (a backup, a replica) holds no usable session. better-auth has no option for
// this, so its database adapter is wrapped: every write of a session's `token` stores the hash,
// every lookup by token looks up the hash, and rows found by a token carry the token they were
// found by (better-auth signs it into the refreshed cookie). Rows found any other way (by user)
// carry the hash, which is no credential; the endpoints that would hand those out
// (list/revoke sessions) are disabled by the API's auth configuration.
import { execute, selectAll, sql, storage, type Database, type Provider, type Query } from "@motion/db";
import { sha256 } from "../hash.ts";

type Where = { field: string; value: unknown; operator?: string };
type Row = Record<string, unknown> | null;
/** The parts of better-auth's DBAdapter this wrapper touches (kept structural on purpose). */
interface AdapterLike {
  create(args: { model: string; data: Record<string, unknown> }): Promise<unknown>;
  findOne(args: { model: string; where: Where[] }): Promise<unknown>;
  findMany(args: { model: string; where?: Where[] }): Promise<unknown[]>;
  count(args: { model: string; where?: Where[] }): Promise<number>;
  update(args: { model: string; where: Where[]; update: Record<string, unknown> }): Promise<unknown>;
  updateMany(args: { model: string; where: Where[]; update: Record<string, unknown> }): Promise<number>;
  delete(args: { model: string; where: Where[] }): Promise<void>;
  deleteMany(args: { model: string; where: Where[] }): Promise<number>;
  consumeOne(args: { model: string; where: Where[] }): Promise<unknown>;
  incrementOne(args: { model: string; where: Where[]; increment: Record<string, number>; set?: Record<string, unknown> }): Promise<unknown>;
  transaction?<R>(callback: (trx: never) => Promise<R>): Promise<R>;
}

const SESSION = "session";
/** Hashes are 64 hex characters; better-auth's tokens are 32 alphanumerics. */
const HASHED = /^[0-9a-f]{64}$/;

export function hashSessionToken(token: string): string {
  return sha256(token);
}

/** Token lookups rewritten to hashes, and the plaintext each hash stands for. */
function hashWhere(where: Where[] | undefined): { where: Where[] | undefined; plain: Map<string, string> } {
  const plain = new Map<string, string>();
  if (!where) return { where, plain };
  const hash = (value: unknown) => {
    if (typeof value !== "string") return value;
    const h = hashSessionToken(value);
    plain.set(h, value);
    return h;
  };
  return {
    where: where.map((w) => (w.field !== "token" ? w : { ...w, value: Array.isArray(w.value) ? w.value.map(hash) : hash(w.value) })),
    plain,
  };
}

function restore<T>(row: T, plain: Map<string, string>): T {
  if (!row || typeof row !== "object") return row;
  const token = (row as Record<string, unknown>).token;
  const original = typeof token === "string" ? plain.get(token) : undefined;
  return original ? ({ ...row, token: original } as T) : row;
}

function hashData<T extends Record<string, unknown> | undefined>(data: T): T {
  if (!data || typeof data.token !== "string") return data;
  return { ...data, token: hashSessionToken(data.token) };
}

function wrap<A extends AdapterLike>(adapter: A): A {
  const wrapped: AdapterLike = {
    ...adapter,
    async create(args) {
      if (args.model !== SESSION || typeof args.data.token !== "string") return adapter.create(args);
      const row = await adapter.create({ ...args, data: hashData(args.data) });
      return restore(row as Row, new Map([[hashSessionToken(args.data.token), args.data.token]]));
    },
    async findOne(args) {
      if (args.model !== SESSION) return adapter.findOne(args);
      const { where, plain } = hashWhere(args.where);
      return restore((await adapter.findOne({ ...args, where: where! })) as Row, plain);
    },
    async findMany(args) {
      if (args.model !== SESSION) return adapter.findMany(args);
      const { where, plain } = hashWhere(args.where);
      return (await adapter.findMany({ ...args, where })).map((row) => restore(row as Row, plain));
    },
    async count(args) {
      return adapter.count(args.model === SESSION ? { ...args, where: hashWhere(args.where).where } : args);
    },
    async update(args) {
      if (args.model !== SESSION) return adapter.update(args);
      const { where, plain } = hashWhere(args.where);
      return restore((await adapter.update({ ...args, where: where!, update: hashData(args.update) })) as Row, plain);
    },
    async updateMany(args) {
      return adapter.updateMany(args.model === SESSION ? { ...args, where: hashWhere(args.where).where!, update: hashData(args.update) } : args);
    },
    async delete(args) {
      return adapter.delete(args.model === SESSION ? { ...args, where: hashWhere(args.where).where! } : args);
    },
    async deleteMany(args) {
      return adapter.deleteMany(args.model === SESSION ? { ...args, where: hashWhere(args.where).where! } : args);
    },
    async consumeOne(args) {
      if (args.model !== SESSION) return adapter.consumeOne(args);
      const { where, plain } = hashWhere(args.where);
      return restore((await adapter.consumeOne({ ...args, where: where! })) as Row, plain);
    },
    async incrementOne(args) {
      if (args.model !== SESSION) return adapter.incrementOne(args);
      const { where, plain } = hashWhere(args.where);
      return restore((await adapter.incrementOne({ ...args, where: where!, ...(args.set ? { set: hashData(args.set) } : {}) })) as Row, plain);
    },
  };
  if (adapter.transaction) {
    const transaction = adapter.transaction.bind(adapter);
    wrapped.transaction = (callback) => transaction((trx: never) => callback(wrap(trx as AdapterLike) as never));
  }
  return wrapped as A;
}

/** Wraps a better-auth adapter factory (e.g. `prismaAdapter(...)`) so session tokens are stored hashed. */
export function withHashedSessionTokens<F extends (...args: never[]) => unknown>(factory: F): F {
  return ((...args: Parameters<F>) => wrap(factory(...args) as AdapterLike)) as unknown as F;
}

/** Ends every session of the user (they are signed out on their next request); how many ended. */
export function* endSessions(userId: string): Query<number> {
  return yield* execute(storage.deleteFrom("Session").where("userId", "=", userId));
}

/** Sessions created before tokens were hashed: hash them in place (they stay signed in). */
function* hashLegacyTokens(): Query<number> {
  const rows = yield* selectAll(storage.selectFrom("Session").select(["id", "token"]).where(sql<number>`length(${sql.ref("token")})`, "<>", 64));
  let changed = 0;
  for (const row of rows) {
    if (HASHED.test(row.token)) continue;
    changed += yield* execute(storage.updateTable("Session").set({ token: hashSessionToken(row.token) }).where("id", "=", row.id));
  }
  return changed;
}

/**
 * How better-auth's Prisma adapter is called (`prismaAdapter(client, { provider })`): passed in
 * by the caller, so the engine does not depend on better-auth.
 */
export type PrismaAdapterFactory<R> = (prisma: Database["prisma"], config: { provider: Provider }) => R;

export class SessionStore {
  constructor(private readonly db: Database) {}

  /**
   * better-auth's `database` option: its Prisma adapter on this database, with session tokens
   * stored as SHA-256 hashes (see the top of this file).
   */
  authDatabase<R extends (...args: never[]) => unknown>(prismaAdapter: PrismaAdapterFactory<R>): R {
    return withHashedSessionTokens(prismaAdapter(this.db.prisma, { provider: this.db.provider }));
  }

  /** Sessions created before tokens were hashed: hash them in place (they stay signed in). */
  hashLegacyTokens(): Promise<number> {
    return this.db.tx(() => hashLegacyTokens());
  }
}
