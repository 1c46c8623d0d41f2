// Operators (tables `User` and `Account`; better-auth creates them, through the adapter in
// session-store.ts). The role is stored as given (viewer | labeler | admin: the API decides
// what each allows); a disabled user has `disabledAt` set and cannot start a session.
import { execute, prepare, selectAll, selectFirst, storage, toDate, toDateOrNull, type Database, type Query } from "@motion/db";
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
  return yield* selectFirst(storage.selectFrom("User").select(["id", "email", "role", "disabledAt"]).where("id", "=", userId));
}

/** Admins who can still sign in, not counting `exceptId`. */
export function* otherActiveAdmins(exceptId: string): Query<number> {
  const row = yield* selectFirst(storage.selectFrom("User").select((eb) => eb.fn.countAll().as("n")).where("role", "=", "admin").where("disabledAt", "is", null).where("id", "<>", exceptId));
  return Number(row?.n ?? 0);
}

/** Stores a new password hash on the user's credential account (creating it if missing). */
export function* storePasswordHash(userId: string, hash: string, at: Date, newAccountId: string): Query<void> {
  const changed = yield* execute(storage.updateTable("Account").set({ password: hash, updatedAt: at }).where("userId", "=", userId).where("providerId", "=", "credential"));
  if (changed === 0) {
    yield* execute(storage.insertInto("Account").values({ id: newAccountId, accountId: userId, providerId: "credential", userId, password: hash, createdAt: at, updatedAt: at }));
  }
}

export function* setDisabled(userId: string, actor: string, at: Date): Query<void> {
  yield* execute(storage.updateTable("User").set({ disabledAt: at, disabledBy: actor, updatedAt: at }).where("id", "=", userId));
}

export function* clearDisabled(userId: string, at: Date): Query<void> {
  yield* execute(storage.updateTable("User").set({ disabledAt: null, disabledBy: null, updatedAt: at }).where("id", "=", userId));
}

/** Deletes the user and their sign-in credentials (sessions go with the user, see offboarding.ts). */
export function* deleteUserAndAccounts(userId: string): Query<void> {
  yield* execute(storage.deleteFrom("Account").where("userId", "=", userId));
  yield* execute(storage.deleteFrom("User").where("id", "=", userId));
}

export type SetRoleResult = { error: "NOT_FOUND" | "LAST_ADMIN" } | { user: { id: string; email: string; role: string; previousRole: string } };

// Checked before every session is created: compiled once.
const MAY_SIGN_IN = prepare((id: string) => storage.selectFrom("User").select("disabledAt").where("id", "=", id));

export class UserStore {
  constructor(private readonly db: Database) {}

  /** Whether the user exists and is not disabled (checked before a session is created). */
  async maySignIn(userId: string): Promise<boolean> {
    const user = await this.db.read(() => MAY_SIGN_IN.first(userId));
    return user !== undefined && !isDisabled(user);
  }

  /** By e-mail as stored (lower case). */
  findByEmail(email: string): Promise<{ id: string; email: string; name: string; role: string } | undefined> {
    return this.db.read(() => selectFirst(storage.selectFrom("User").select(["id", "email", "name", "role", "createdAt"]).where("email", "=", email)));
  }

  /** The e-mail of the oldest admin, or null when there is none. */
  async firstAdminEmail(): Promise<string | null> {
    const admin = await this.db.read(() => selectFirst(storage.selectFrom("User").select("email").where("role", "=", "admin").orderBy("createdAt").limit(1)));
    return admin?.email ?? null;
  }

  /** Newest first (keyset on the time-sortable id). */
  async list(filter: { cursor?: string | null; limit: number }): Promise<Page<UserRecord>> {
    let query = storage.selectFrom("User").select(["id", "email", "name", "role", "createdAt", "updatedAt", "disabledAt", "disabledBy"]);
    if (filter.cursor) query = query.where("id", "<", filter.cursor);
    const rows = await this.db.read(() => selectAll(query.orderBy("id", "desc").limit(filter.limit + 1)));
    return pageOf(
      rows.map((u) => ({
        id: u.id,
        email: u.email,
        name: u.name,
        role: u.role,
        createdAt: toDate(u.createdAt),
        updatedAt: toDate(u.updatedAt),
        disabledAt: toDateOrNull(u.disabledAt),
        disabledBy: u.disabledBy ?? null,
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
      const user = yield* selectFirst(storage.selectFrom("User").select(["id", "email", "role"]).where("id", "=", userId));
      if (!user) return { error: "NOT_FOUND" as const };
      if (user.role === "admin" && role !== "admin" && (yield* otherActiveAdmins(user.id)) === 0) return { error: "LAST_ADMIN" as const };
      yield* execute(storage.updateTable("User").set({ role, updatedAt: now }).where("id", "=", user.id));
      yield* recordAudit({ actor, action: "users.setRole", target: user.id, reason: options.reason ?? null, data: { email: user.email, from: user.role, to: role }, at: now });
      return { user: { id: user.id, email: user.email, role, previousRole: user.role } };
    });
  }

  /** Makes a known user admin (first start, MOTION_ADMIN_EMAIL), audited as `users.setRole`. */
  promoteToAdmin(user: { id: string; email: string; role: string }, options: { actor: string; reason: string }): Promise<void> {
    const now = new Date();
    return this.db.tx(function* () {
      yield* execute(storage.updateTable("User").set({ role: "admin", updatedAt: now }).where("id", "=", user.id));
      yield* recordAudit({ actor: options.actor, action: "users.setRole", target: user.id, reason: options.reason, data: { email: user.email, from: user.role, to: "admin" }, at: now });
    });
  }
}
