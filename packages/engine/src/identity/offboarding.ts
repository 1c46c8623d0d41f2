// Offboarding an operator: everything that lets a user act — sessions, API keys they own,
// review locks they hold — ends in the same transaction that disables, deletes or re-keys them,
// so their very next request is UNAUTHORIZED. Each change is audited in that transaction.
import { execute, newId, storage, toDate, type Database, type Query } from "@motion/db";
import { recordAudit } from "../audit-log.ts";
import { revokeOwnedKeys } from "./api-key-store.ts";
import { endSessions } from "./session-store.ts";
import { clearDisabled, deleteUserAndAccounts, findUser, isDisabled, otherActiveAdmins, setDisabled, storePasswordHash, type UserRow } from "./user-store.ts";

/** Why an offboarding was refused: no such user, the caller themselves, or the last active admin. */
export type OffboardingRefusal = { error: "NOT_FOUND" | "SELF" | "LAST_ADMIN" };

export interface OffboardingOptions {
  actor: string;
  /** The user the caller acts as (a key's owner), who may not offboard themselves; null for none. */
  selfId: string | null;
  reason?: string | null;
}

/** Revokes the user's live API keys and frees review locks held by them or their keys. */
function* revokeAccess(userId: string, actor: string, at: Date): Query<{ sessions: number; revokedKeys: { id: string; name: string }[] }> {
  const sessions = yield* endSessions(userId);
  const revokedKeys = yield* revokeOwnedKeys(userId, actor, at);
  const holders = [`user:${userId}`, ...revokedKeys.map((k) => `apikey:${k.id}`)];
  yield* execute(storage.deleteFrom("LabelLock").where("holder", "in", holders));
  return { sessions, revokedKeys };
}

/** Why the caller may not disable or delete `user` (null when they may). */
function* refuse(selfId: string | null, user: UserRow | undefined): Query<OffboardingRefusal | null> {
  if (!user) return { error: "NOT_FOUND" };
  if (selfId === user.id) return { error: "SELF" };
  if (user.role === "admin" && !isDisabled(user) && (yield* otherActiveAdmins(user.id)) === 0) return { error: "LAST_ADMIN" };
  return null;
}

export class Offboarding {
  constructor(private readonly db: Database) {}

  /**
   * Disables an operator: they cannot sign in, their sessions end and the API keys they own are
   * revoked, all at once. Audited (`users.disable`). Not yourself, not the last active admin.
   */
  disable(userId: string, options: OffboardingOptions): Promise<OffboardingRefusal | { user: { id: string; email: string; disabledAt: Date; sessionsEnded: number; keysRevoked: number } }> {
    const at = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const user = yield* findUser(userId);
      const refused = yield* refuse(options.selfId, user);
      if (refused) return refused;
      const wasDisabled = isDisabled(user!);
      if (!wasDisabled) yield* setDisabled(user!.id, actor, at);
      const revoked = yield* revokeAccess(user!.id, actor, at);
      yield* recordAudit({ actor, action: "users.disable", target: user!.id, reason: options.reason ?? null, data: { email: user!.email, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys }, at });
      return { user: { id: user!.id, email: user!.email, disabledAt: wasDisabled ? toDate(user!.disabledAt) : at, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys.length } };
    });
  }

  /** Lets a disabled operator sign in again (their revoked API keys stay revoked). Audited (`users.enable`); null when there is no such user. */
  enable(userId: string, options: { actor: string; reason?: string | null }): Promise<{ id: string; email: string } | null> {
    const at = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const user = yield* findUser(userId);
      if (!user) return null;
      if (isDisabled(user)) {
        yield* clearDisabled(user.id, at);
        yield* recordAudit({ actor, action: "users.enable", target: user.id, reason: options.reason ?? null, data: { email: user.email }, at });
      }
      return { id: user.id, email: user.email };
    });
  }

  /**
   * Deletes an operator and their sign-in credentials; the API keys they own are revoked (and
   * kept, revoked, for the audit trail), as are their review locks. Audited (`users.delete`).
   * Not yourself, not the last active admin.
   */
  delete(userId: string, options: OffboardingOptions): Promise<OffboardingRefusal | { user: { id: string; email: string; deleted: true; sessionsEnded: number; keysRevoked: number } }> {
    const at = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const user = yield* findUser(userId);
      const refused = yield* refuse(options.selfId, user);
      if (refused) return refused;
      const revoked = yield* revokeAccess(user!.id, actor, at);
      yield* deleteUserAndAccounts(user!.id);
      yield* recordAudit({ actor, action: "users.delete", target: user!.id, reason: options.reason ?? null, data: { email: user!.email, role: user!.role, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys }, at });
      return { user: { id: user!.id, email: user!.email, deleted: true as const, sessionsEnded: revoked.sessions, keysRevoked: revoked.revokedKeys.length } };
    });
  }

  /**
   * Stores a new password hash (made by the caller's password hasher) for an operator and ends
   * every session of theirs; their API keys are untouched. Audited (`users.setPassword`)
   * without the password; null when there is no such user.
   */
  setPassword(userId: string, passwordHash: string, options: { actor: string; reason?: string | null }): Promise<{ id: string; email: string; sessionsEnded: number } | null> {
    const at = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const user = yield* findUser(userId);
      if (!user) return null;
      yield* storePasswordHash(user.id, passwordHash, at, newId(at.getTime()));
      const sessions = yield* endSessions(user.id);
      yield* recordAudit({ actor, action: "users.setPassword", target: user.id, reason: options.reason ?? null, data: { email: user.email, sessionsEnded: sessions }, at });
      return { id: user.id, email: user.email, sessionsEnded: sessions };
    });
  }
}
