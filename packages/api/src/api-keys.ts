// Developer API keys as the API sees them: the Bearer header, the key's name rules, and the
// role a key acts with. Keys are made, stored (SHA-256 only), looked up and revoked by the
// engine's API key store (`motion.identity.apiKeys`, packages/engine/src/identity/api-key-store.ts).
import { z } from "zod";
import { API_KEY_PREFIX, hashApiKey, type ApiKeyStore, type CreatedApiKey as StoredApiKey } from "@motion/engine";
import { toRole, type Principal, type Role } from "./principal.ts";

export { API_KEY_PREFIX, ApiKeyNameTaken, hashApiKey, generateApiKey } from "@motion/engine";

/** A key just made: the key itself is in `key`, shown this once. */
export type CreatedApiKey = StoredApiKey & { role: Role };

/** A key's name: what lists show and what a live key of the same owner may not share. */
export const apiKeyNameSchema = z.string().trim().min(1).max(100).regex(/^[\w .@-]+$/, "letters, digits, space, _ . @ -");

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
 * role, so demoting an operator also demotes the keys they made. The store records its last
 * use (at most every 30 s).
 */
export async function principalForKey(keys: ApiKeyStore, key: string, now = new Date()): Promise<Principal | null> {
  return (await lookupKey(keys, hashApiKey(key), now)).principal;
}

/** principalForKey by the key's hash, with the instant the key expires (for caches). */
export async function lookupKey(keys: ApiKeyStore, hash: string, now = new Date()): Promise<{ principal: Principal | null; expiresAt: number | null }> {
  const live = await keys.lookup(hash, now);
  if (!live) return { principal: null, expiresAt: null };
  const own = toRole(live.role);
  const role = live.ownerId === null ? own : [own, toRole(live.ownerRole)].sort((a, b) => RANK[a] - RANK[b])[0]!;
  return { principal: { kind: "apiKey", id: live.id, name: live.name, role, ownerId: live.ownerId }, expiresAt: live.expiresAt?.getTime() ?? null };
}

/** Longest lifetime a key may be given (the API and the CLI refuse more). */
export const MAX_API_KEY_LIFETIME_MS = 10 * 366 * 24 * 3600_000;

/**
 * Creates a key and audits it (`apiKeys.create`) in one transaction: the one path the API's
 * `apiKeys.create` and `motion api-keys create` share (`new Identity(db).apiKeys` there). A
 * name taken by another live key of the same owner throws ApiKeyNameTaken.
 */
export function createApiKey<R extends Role>(keys: ApiKeyStore, input: { name: string; role: R; createdBy: string; ownerId: string | null; expiresAt: Date | null }): Promise<CreatedApiKey & { role: R }> {
  return keys.create(input);
}
