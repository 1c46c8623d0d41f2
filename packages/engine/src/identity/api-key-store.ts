// Developer API keys (table `ApiKey`): `mk_` + 32 random bytes (base64url). Only the SHA-256 of
// a key is stored; the key itself is shown once, at creation. Lookup is one indexed query by
// hash. Roles are stored as given (the API decides what a role allows).
import { randomBytes } from "node:crypto";
import { execute, newId, prepare, selectAll, selectFirst, storage, toDate, toDateOrNull, type Database, type Query } from "@motion/db";
import { recordAudit } from "../audit-log.ts";
import { sha256 } from "../hash.ts";
import { isUniqueViolation } from "../unique-violation.ts";
import { pageOf, type Page } from "../read-model/page.ts";

export const API_KEY_PREFIX = "mk_";
const LAST_USED_RESOLUTION_MS = 30_000;

export function hashApiKey(key: string): string {
  return sha256(key);
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

/** A live key as the API authorises it: its own role and, when it has an owner, the owner's current role. */
export interface LiveApiKey {
  id: string;
  name: string;
  role: string;
  ownerId: string | null;
  /** The owner's role now (null for a key without an owner). */
  ownerRole: string | null;
  expiresAt: Date | null;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  ownerId: string | null;
  /** The key itself: shown once, never stored. */
  key: string;
}

export interface NewApiKey<R extends string = string> {
  name: string;
  role: R;
  createdBy: string;
  ownerId: string | null;
  expiresAt: Date | null;
}

export interface ApiKeyRecord {
  id: string;
  name: string;
  role: string;
  prefix: string;
  createdBy: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  revokedBy: string | null;
  expiresAt: Date | null;
  ownerId: string | null;
  /** null when the owner was deleted (or the key predates owners). */
  ownerEmail: string | null;
}

export class ApiKeyNameTaken extends Error {
  constructor(readonly keyName: string) {
    super(`an API key named "${keyName}" already exists for this owner; revoke it first or choose another name`);
    this.name = "ApiKeyNameTaken";
  }
}

/**
 * Inserts a key. Names are unique among an owner's keys that are not revoked (an expired key
 * gives its name up here); the unique index on (ownerId, liveName) settles concurrent creates.
 */
export function* insertApiKey<R extends string>(input: NewApiKey<R> & { at: Date }): Query<CreatedApiKey & { role: R }> {
  const { key, prefix, hash } = generateApiKey();
  const id = newId(input.at.getTime());
  const { ownerId } = input;
  yield* execute(
    storage.updateTable("ApiKey").set({ liveName: null })
      .where("liveName", "=", input.name).where("ownerId", ownerId === null ? "is" : "=", ownerId)
      .where("expiresAt", "is not", null).where("expiresAt", "<=", input.at),
  );
  const taken = yield* selectFirst(storage.selectFrom("ApiKey").select("id").where("liveName", "=", input.name).where("ownerId", ownerId === null ? "is" : "=", ownerId));
  if (taken) throw new ApiKeyNameTaken(input.name);
  yield* execute(
    storage.insertInto("ApiKey").values({
      id, name: input.name, liveName: input.name, role: input.role, prefix, hash, createdBy: input.createdBy, ownerId, expiresAt: input.expiresAt, createdAt: input.at,
    }),
  );
  return { id, name: input.name, role: input.role, prefix, createdAt: input.at, expiresAt: input.expiresAt, ownerId: input.ownerId, key };
}

/** Revokes the user's live keys (offboarding); the keys revoked, by id. */
export function* revokeOwnedKeys(ownerId: string, actor: string, at: Date): Query<{ id: string; name: string }[]> {
  const keys = yield* selectAll(storage.selectFrom("ApiKey").select(["id", "name"]).where("ownerId", "=", ownerId).where("revokedAt", "is", null).orderBy("id"));
  if (keys.length) {
    yield* execute(storage.updateTable("ApiKey").set({ revokedAt: at, revokedBy: actor, liveName: null }).where("ownerId", "=", ownerId).where("revokedAt", "is", null));
  }
  return keys;
}

// Every uncached API request with a key runs this: compiled once.
const LIVE_KEY = prepare((hash: string, now: Date) =>
  storage.selectFrom("ApiKey as k").leftJoin("User as u", "u.id", "k.ownerId")
    .select(["k.id", "k.name", "k.role", "k.lastUsedAt", "k.ownerId", "k.expiresAt", "u.id as ownerFound", "u.role as ownerRole", "u.disabledAt as ownerDisabledAt"])
    .where("k.hash", "=", hash).where("k.revokedAt", "is", null)
    .where((eb) => eb.or([eb("k.expiresAt", "is", null), eb("k.expiresAt", ">", now)])),
);
const TOUCH = prepare((id: string, at: Date) => storage.updateTable("ApiKey").set({ lastUsedAt: at }).where("id", "=", id));

export class ApiKeyStore {
  constructor(private readonly db: Database) {}

  /**
   * The live key with this hash: not revoked, not expired, and its owner (if it has one)
   * neither deleted nor disabled; null otherwise. One indexed query. Records the key's last use
   * (at most every 30 s), off the caller's path.
   */
  async lookup(hash: string, now = new Date()): Promise<LiveApiKey | null> {
    const db = this.db;
    const row = await db.read(() => LIVE_KEY.first(hash, now));
    if (!row) return null;
    if (row.ownerId !== null && (row.ownerFound === null || (row.ownerDisabledAt !== null && row.ownerDisabledAt !== undefined))) return null;
    const last = toDateOrNull(row.lastUsedAt);
    if (!last || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_MS) {
      // Off the request's path: a lost update of a timestamp is harmless.
      void db.tx(() => TOUCH.run(row.id, now)).catch(() => undefined);
    }
    return { id: row.id, name: row.name, role: row.role, ownerId: row.ownerId, ownerRole: row.ownerId === null ? null : row.ownerRole, expiresAt: toDateOrNull(row.expiresAt) };
  }

  /**
   * Creates a key and audits it (`apiKeys.create`) in one transaction: the one path the API's
   * `apiKeys.create` and `motion api-keys create` share. A name taken by another live key of the
   * same owner throws ApiKeyNameTaken (also when a concurrent create wins the unique index).
   */
  async create<R extends string>(input: NewApiKey<R>): Promise<CreatedApiKey & { role: R }> {
    const at = new Date();
    try {
      return await this.db.tx(function* () {
        const created = yield* insertApiKey({ ...input, at });
        yield* recordAudit({
          actor: input.createdBy,
          action: "apiKeys.create",
          target: created.id,
          data: { name: created.name, role: created.role, prefix: created.prefix, expiresAt: created.expiresAt, ownerId: input.ownerId },
          at,
        });
        return created;
      });
    } catch (error) {
      if (!(error instanceof ApiKeyNameTaken) && isUniqueViolation(error)) throw new ApiKeyNameTaken(input.name);
      throw error;
    }
  }

  /** Newest first (keyset on the time-sortable id); never a key or its hash. */
  async list(filter: { includeRevoked: boolean; cursor?: string | null; limit: number }): Promise<Page<ApiKeyRecord>> {
    let query = storage.selectFrom("ApiKey as k").leftJoin("User as u", "u.id", "k.ownerId")
      .select(["k.id", "k.name", "k.role", "k.prefix", "k.createdBy", "k.createdAt", "k.lastUsedAt", "k.revokedAt", "k.revokedBy", "k.expiresAt", "k.ownerId", "u.email as ownerEmail"]);
    if (!filter.includeRevoked) query = query.where("k.revokedAt", "is", null);
    if (filter.cursor) query = query.where("k.id", "<", filter.cursor);
    const rows = await this.db.read(() => selectAll(query.orderBy("k.id", "desc").limit(filter.limit + 1)));
    return pageOf(
      rows.map((k) => ({
        id: k.id,
        name: k.name,
        role: k.role,
        prefix: k.prefix,
        createdBy: k.createdBy,
        createdAt: toDate(k.createdAt),
        lastUsedAt: toDateOrNull(k.lastUsedAt),
        revokedAt: toDateOrNull(k.revokedAt),
        revokedBy: k.revokedBy ?? null,
        expiresAt: toDateOrNull(k.expiresAt),
        ownerId: k.ownerId ?? null,
        ownerEmail: k.ownerEmail ?? null,
      })),
      filter.limit,
    );
  }

  /** Revokes a key at once and audits it (`apiKeys.revoke`); null when there is no such key. Revoking twice keeps the first instant. */
  revoke(id: string, options: { actor: string; reason?: string | null }): Promise<{ id: string; revokedAt: Date } | null> {
    const at = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const key = yield* selectFirst(storage.selectFrom("ApiKey").select(["id", "name", "revokedAt"]).where("id", "=", id));
      if (!key) return null;
      if (key.revokedAt === null || key.revokedAt === undefined) {
        yield* execute(storage.updateTable("ApiKey").set({ revokedAt: at, revokedBy: actor, liveName: null }).where("id", "=", key.id));
        yield* recordAudit({ actor, action: "apiKeys.revoke", target: key.id, reason: options.reason ?? null, data: { name: key.name }, at });
      }
      return { id: key.id, revokedAt: toDateOrNull(key.revokedAt) ?? at };
    });
  }
}
