// Developer API keys: `mk_` + 32 random bytes (base64url). Only the SHA-256 of a key is stored;
// the key itself is shown once, at creation. Lookup is one indexed query by hash.
import { createHash, randomBytes } from "node:crypto";
import { get, newId, run, toDateOrNull, type Database } from "@motion/db";
import { toRole, type Principal, type Role } from "./principal.ts";

export const API_KEY_PREFIX = "mk_";
const LAST_USED_RESOLUTION_MS = 30_000;

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

/** The principal of a live (not revoked) key; records its last use (at most every 30 s). */
export async function principalForKey(db: Database, key: string, now = new Date()): Promise<Principal | null> {
  const row = await db.read(() =>
    get<{ id: string; name: string; role: string; lastUsedAt: unknown }>(
      `SELECT "id", "name", "role", "lastUsedAt" FROM "ApiKey" WHERE "hash" = ? AND "revokedAt" IS NULL`,
      [hashApiKey(key)],
    ),
  );
  if (!row) return null;
  const last = toDateOrNull(row.lastUsedAt);
  if (!last || now.getTime() - last.getTime() >= LAST_USED_RESOLUTION_MS) {
    // Off the request's path: a lost update of a timestamp is harmless.
    void db.tx(() => run(`UPDATE "ApiKey" SET "lastUsedAt" = ? WHERE "id" = ?`, [now, row.id])).catch(() => undefined);
  }
  return { kind: "apiKey", id: row.id, name: row.name, role: toRole(row.role) };
}

export interface CreatedApiKey {
  id: string;
  name: string;
  role: Role;
  prefix: string;
  createdAt: Date;
  /** The key itself: shown once, never stored. */
  key: string;
}

export function* insertApiKey(input: { name: string; role: Role; createdBy: string; at: Date }) {
  const { key, prefix, hash } = generateApiKey();
  const id = newId(input.at.getTime());
  yield* run(
    `INSERT INTO "ApiKey" ("id", "name", "role", "prefix", "hash", "createdBy", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`,
    [id, input.name, input.role, prefix, hash, input.createdBy, input.at],
  );
  return { id, name: input.name, role: input.role, prefix, createdAt: input.at, key } satisfies CreatedApiKey;
}
