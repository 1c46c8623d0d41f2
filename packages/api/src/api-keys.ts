// Developer API keys: `mk_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored;
// the key itself is shown once, at creation. Lookup is one indexed query by hash.
import { createHash, randomBytes } from "node:crypto";
import { z } from "zod";
import { get, newId, run, toDateOrNull, type Database } from "@motion/db";
import { recordAudit } from "@motion/engine";
import { isUniqueViolation } from "./lib/unique-violation.ts";
import { toRole, type Principal, type Role } from "./principal.ts";

export const API_KEY_PREFIX = "mk_";
const LAST_USED_RESOLUTION_MS = 30_000;

/** A key's name: what lists show and what a live key of the same owner may not share. */
export const apiKeyNameSchema = z.string().trim().min(1).max(100).regex(/^[\w .@-]+$/, "letters, digits, space, _ . @ -");

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): { key: string; prefix: string; hash: string } {
  const key = API_KEY_PREFIX + randomBytes(32).toString("base64url");
  return { key, prefix: key.slice(0, API_KEY_PREFIX.length + 6), hash: hashApiKey(key) };
}

/** Parses `Authorization: Bearer <key>`; null when absent or not a Motion key. */
export function bearerKey(headers: Headers): string | null {
  const header = headers.get("authorization");
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match || !match[1]!.startsWith(API_KEY_PREFIX) || match[1]!.length > 200) return null;
  return match[1]!;
}

const RANK: Record<Role, number> = { viewer: 0, labeler: 1, admin: 2 };

/**
 * The principal of a live key: not revoked, not expired, and its owner (if known) neither
 * deleted nor disabled. The key acts with the lower of its own role and its owner's current
 * role, so demoting an operator also demotes the keys they made. Records its last use (at
 * most every 30 s).
 */
export async function principalForKey(db: Database, key: string, now = new Date()): Promise<Principal | null> {
  return (await lookupKey(db, hashApiKey(key), now)).principal;
}

/** principalForKey by the key's hash, with the instant the key expires (for caches). */
export async function lookupKey(db: Database, hash: string, now = new Date()): Promise<{ principal: Principal | null; expiresAt: number | null }> {
  const row = await db.read(() =>
    get<{ id: string; name: string; role: string; lastUsedAt: unknown; ownerId: string | null; ownerFound: string | null; ownerRole: string | null; ownerDisabledAt: unknown; expiresAt: unknown }>(
      `SELECT k."id", k."name", k."role", k."lastUsedAt", k."ownerId", k."expiresAt", u."id" AS "ownerFound", u."role" AS "ownerRole", u."disabledAt" AS "ownerDisabledAt"
       FROM "ApiKey" k LEFT JOIN "User" u ON u."id" = k."ownerId"
       WHERE k."hash" = ? AND k."revokedAt" IS NULL AND (k."expiresAt" IS NULL OR k."expiresAt" > ?)`,
      [hash, now],
    ),
  );
  if (!row) return { principal: null, expiresAt: null };
  if (row.ownerId !== null && (row.ownerFound === null || (row.ownerDisabledAt !== null && row.ownerDisabledAt !== undefined))) return { principal: null, expiresAt: null };
  const last = toDateOrNull(row.lastUsedAt);
  if (!last || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Off the request's path: a lost update of a timestamp is harmless.
    void db.tx(() => run(`UPDATE "ApiKey" SET "lastUsedAt" = ? WHERE "id" = ?`, [now, row.id])).catch(() => undefined);
  }
  const own = toRole(row.role);
  const role = row.ownerId === null ? own : [own, toRole(row.ownerRole)].sort((a, b) => RANK[a] - RANK[b])[0]!;
  return { principal: { kind: "apiKey", id: row.id, name: row.name, role, ownerId: row.ownerId }, expiresAt: toDateOrNull(row.expiresAt)?.getTime() ?? null };
}

export interface CreatedApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  expiresAt: Date | null;
  ownerId: string | null;
  /** The key itself: shown once, never stored. */
  key: string;
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
export function* insertApiKey(input: { name: string; role: Role; createdBy: string; ownerId: string | null; expiresAt: Date | null; at: Date }) {
  const { key, prefix, hash } = generateApiKey();
  const id = newId(input.at.getTime());
  const owner = input.ownerId === null ? `"ownerId" IS NULL` : `"ownerId" = ?`;
  const ownerParams = input.ownerId === null ? [] : [input.ownerId];
  yield* run(`UPDATE "ApiKey" SET "liveName" = NULL WHERE "liveName" = ? AND ${owner} AND "expiresAt" IS NOT NULL AND "expiresAt" <= ?`, [input.name, ...ownerParams, input.at]);
  const taken = yield* get(`SELECT "id" FROM "ApiKey" WHERE "liveName" = ? AND ${owner}`, [input.name, ...ownerParams]);
  if (taken) throw new ApiKeyNameTaken(input.name);
  yield* run(
    `INSERT INTO "ApiKey" ("id", "name", "liveName", "role", "prefix", "hash", "createdBy", "ownerId", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [id, input.name, input.name, input.role, prefix, hash, input.createdBy, input.ownerId, input.expiresAt, input.at],
  );
  return { id, name: input.name, role: input.role, prefix, createdAt: input.at, expiresAt: input.expiresAt, ownerId: input.ownerId, key } satisfies CreatedApiKey;
}

/** Longest lifetime a key may be given (the API and the CLI refuse more). */
export const MAX_API_KEY_LIFETIME_MS = 10 * 366 * 24 * 3600_000;

/**
 * Creates a key and audits it (`apiKeys.create`) in one transaction: the one path the API's
 * `apiKeys.create` and `motion api-keys create` share. A name taken by another live key of the
 * same owner throws ApiKeyNameTaken (also when a concurrent create wins the unique index).
 */
export async function createApiKey(db: Database, input: { name: string; role: Role; createdBy: string; ownerId: string | null; expiresAt: Date | null }): Promise<CreatedApiKey> {
  const at = new Date();
  try {
    return await db.tx(function* () {
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
