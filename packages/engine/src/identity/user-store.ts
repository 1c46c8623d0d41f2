// Operators (tables `User` and `Account`; better-auth creates them, through the adapter in
// session-store.ts). The role is stored as given (viewer | labeler | admin: the API decides
// what each allows); a disabled user has `disabledAt` set and cannot start a session.
import { all, get, run, toDate, toDateOrNull, type Database, type Query } from "@motion/db";
import { recordAudit } from "../audit-log.ts";
import { pageOf, type Page } from "../read-model/page.ts";

export interface UserRow {
  id: string;
  email: string;
  role: string;
  disabledAt: unknown;
}

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: string;
  createdAt: Date;
  updatedAt: Date;
  disabledAt: Date | null;
  disabledBy: string | null;
}

export const isDisabled = (user: { disabledAt: unknown }): boolean => user.disabledAt !== null && user.disabledAt !== undefined;

export function* findUser(userId: string): Query<UserRow | undefined> {
  return yield* get<UserRow>(`SELECT "id", "email", "role", "disabledAt" FROM "User" WHERE "id" = ?`, [userId]);
}

/** Admins who can still sign in, not counting `exceptId`. */
export function* otherActiveAdmins(exceptId: string): Query<number> {
  const row = yield* get<{ n: unknown }>(`SELECT COUNT(*) AS "n" FROM "User" WHERE "role" = 'admin' AND "disabledAt" IS NULL AND "id" <> ?`, [exceptId]);
  return Number(row?.n ?? 0);
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

export function* setDisabled(userId: string, actor: string, at: Date): Query<void> {
  yield* run(`UPDATE "User" SET "disabledAt" = ?, "disabledBy" = ?, "updatedAt" = ? WHERE "id" = ?`, [at, actor, at, userId]);
}

export function* clearDisabled(userId: string, at: Date): Query<void> {
  yield* run(`UPDATE "User" SET "disabledAt" = NULL, "disabledBy" = NULL, "updatedAt" = ? WHERE "id" = ?`, [at, userId]);
}

/** Deletes the user and their sign-in credentials (sessions go with the user, see offboarding.ts). */
export function* deleteUserAndAccounts(userId: string): Query<void> {
  yield* run(`DELETE FROM "Account" WHERE "userId" = ?`, [userId]);
  yield* run(`DELETE FROM "User" WHERE "id" = ?`, [userId]);
}

export type SetRoleResult = { error: "NOT_FOUND" | "LAST_ADMIN" } | { user: { id: string; email: string; role: string; previousRole: string } };

export class UserStore {
  constructor(private readonly db: Database) {}

  /** Whether the user exists and is not disabled (checked before a session is created). */
  async maySignIn(userId: string): Promise<boolean> {
    const user = await this.db.read(() => get<{ disabledAt: unknown }>(`SELECT "disabledAt" FROM "User" WHERE "id" = ?`, [userId]));
    return user !== undefined && !isDisabled(user);
  }

  /** By e-mail as stored (lower case). */
  findByEmail(email: string): Promise<{ id: string; email: string; name: string; role: string } | undefined> {
    return this.db.read(() => get<{ id: string; email: string; name: string; role: string }>(`SELECT "id", "email", "name", "role", "createdAt" FROM "User" WHERE "email" = ?`, [email]));
  }

  /** The e-mail of the oldest admin, or null when there is none. */
  async firstAdminEmail(): Promise<string | null> {
    const admin = await this.db.read(() => get<{ email: string }>(`SELECT "email" FROM "User" WHERE "role" = 'admin' ORDER BY "createdAt" LIMIT 1`));
    return admin?.email ?? null;
  }

  /** Newest first (keyset on the time-sortable id). */
  async list(filter: { cursor?: string | null; limit: number }): Promise<Page<UserRecord>> {
    const rows = await this.db.read(() =>
      all<Record<string, unknown>>(
        `SELECT "id", "email", "name", "role", "createdAt", "updatedAt", "disabledAt", "disabledBy" FROM "User"${filter.cursor ? ` WHERE "id" < ?` : ""} ORDER BY "id" DESC LIMIT ?`,
        filter.cursor ? [filter.cursor, filter.limit + 1] : [filter.limit + 1],
      ),
    );
    return pageOf(
      rows.map((u) => ({
        id: u.id as string,
        email: u.email as string,
        name: u.name as string,
        role: u.role as string,
        createdAt: toDate(u.createdAt),
        updatedAt: toDate(u.updatedAt),
        disabledAt: toDateOrNull(u.disabledAt),
        disabledBy: (u.disabledBy as string | null) ?? null,
      })),
      filter.limit,
    );
  }

  /** Audits a user created through better-auth (`users.create`). */
  recordCreated(user: { id: string; email: string; role: string }, options: { actor: string; reason?: string | null }): Promise<void> {
    return this.db.tx(() => recordAudit({ actor: options.actor, action: "users.create", target: user.id, reason: options.reason ?? null, data: { email: user.email, role: user.role } }));
  }

  /**
   * Changes a user's role, audited (`users.setRole`, from → to) in the same transaction.
   * Refuses to demote the last active admin.
   */
  setRole(userId: string, role: string, options: { actor: string; reason?: string | null }): Promise<SetRoleResult> {
    const now = new Date();
    const { actor } = options;
    return this.db.tx(function* () {
      const user = yield* get<{ id: string; email: string; role: string }>(`SELECT "id", "email", "role" FROM "User" WHERE "id" = ?`, [userId]);
      if (!user) return { error: "NOT_FOUND" as const };
      if (user.role === "admin" && role !== "admin" && (yield* otherActiveAdmins(user.id)) === 0) return { error: "LAST_ADMIN" as const };
      yield* run(`UPDATE "User" SET "role" = ?, "updatedAt" = ? WHERE "id" = ?`, [role, now, user.id]);
      yield* recordAudit({ actor, action: "users.setRole", target: user.id, reason: options.reason ?? null, data: { email: user.email, from: user.role, to: role }, at: now });
      return { user: { id: user.id, email: user.email, role, previousRole: user.role } };
    });
  }

  /** Makes a known user admin (first start, MOTION_ADMIN_EMAIL), audited as `users.setRole`. */
  promoteToAdmin(user: { id: string; email: string; role: string }, options: { actor: string; reason: string }): Promise<void> {
    const now = new Date();
    return this.db.tx(function* () {
      yield* run(`UPDATE "User" SET "role" = 'admin', "updatedAt" = ? WHERE "id" = ?`, [now, user.id]);
      yield* recordAudit({ actor: options.actor, action: "users.setRole", target: user.id, reason: options.reason, data: { email: user.email, from: user.role, to: "admin" }, at: now });
    });
  }
}
