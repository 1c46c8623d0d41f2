// Offboarding an operator: everything that lets a user act — sessions, API keys they own,
// review locks they hold — ends in the same transaction that disables, deletes or re-keys them,
// so their very next request is UNAUTHORIZED.
import { all, get, run, type Query } from "@motion/db";

export interface UserRow {
  id: string;
  email: string;
  role: string;
  disabledAt: unknown;
}

export function* findUser(userId: string): Query<UserRow | undefined> {
  return yield* get<UserRow>(`SELECT "id", "email", "role", "disabledAt" FROM "User" WHERE "id" = ?`, [userId]);
}

/** Admins who can still sign in, not counting `exceptId`. */
export function* otherActiveAdmins(exceptId: string): Query<number> {
  const row = yield* get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "User" WHERE "role" = 'admin' AND "disabledAt" IS NULL AND "id" <> ?`, [exceptId]);
  return Number(row?.n ?? 0);
}

/** Ends every session of the user (they are signed out on their next request). */
export function* endSessions(userId: string): Query<number> {
  return yield* run(`DELETE FROM "Session" WHERE "userId" = ?`, [userId]);
}

/** Revokes the user's live API keys and frees review locks held by them or their keys. */
export function* revokeAccess(userId: string, actor: string, at: Date): Query<{ sessions: number; revokedKeys: { id: string; name: string }[] }> {
  const sessions = yield* endSessions(userId);
  const revokedKeys = yield* all<{ id: string; name: string }>(`SELECT "id", "name" FROM "ApiKey" WHERE "ownerId" = ? AND "revokedAt" IS NULL ORDER BY "id"`, [userId]);
  if (revokedKeys.length) {
    yield* run(`UPDATE "ApiKey" SET "revokedAt" = ?, "revokedBy" = ?, "liveName" = NULL WHERE "ownerId" = ? AND "revokedAt" IS NULL`, [at, actor, userId]);
  }
  const holders = [`user:${userId}`, ...revokedKeys.map((k) => `apikey:${k.id}`)];
  yield* run(`DELETE FROM "LabelLock" WHERE "holder" IN (${holders.map(() => "?").join(", ")})`, holders);
  return { sessions, revokedKeys };
}

/** Stores a new password hash on the user's credential account (creating it if missing). */
export function* storePasswordHash(userId: string, hash: string, at: Date, newAccountId: string): Query<void> {
  const changed = yield* run(`UPDATE "Account" SET "password" = ?, "updatedAt" = ? WHERE "userId" = ? AND "providerId" = 'credential'`, [hash, at, userId]);
  if (changed === 0) {
    yield* run(
      `INSERT INTO "Account" ("id", "accountId", "providerId", "userId", "password", "createdAt", "updatedAt") VALUES (?, ?, 'credential', ?, ?, ?, ?)`,
      [newAccountId, userId, userId, hash, at, at],
    );
  }
}
