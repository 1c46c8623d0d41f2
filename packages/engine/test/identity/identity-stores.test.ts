// The engine's identity stores on both databases: API keys (only hashes stored, the owner's
// state decides), users and their roles, offboarding in one transaction, idempotency records.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { all, get, run } from "@motion/db";
import { ApiKeyNameTaken, Motion, defineApp, hashApiKey, hashSessionToken, relation } from "../../src/index.ts";
import { databaseFactories, type TestDatabase } from "../harness.ts";

const factories = await databaseFactories();
const notes = relation("notes", { schema: z.object({ text: z.string() }) });
const app = defineApp({ name: "identity-app", relations: [notes], triggers: [] });

describe.each(factories)("identity stores on %s", (_name, makeDatabase) => {
  let db: TestDatabase;
  let motion: Motion;
  const user = async (id: string, role: string) => {
    const at = new Date();
    await motion.db.tx(() => run(`INSERT INTO "User" ("id", "name", "email", "emailVerified", "role", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)`, [id, id, `${id}@example.com`, true, role, at, at]));
  };
  beforeAll(async () => {
    db = await makeDatabase();
    motion = await Motion.open({ app, databaseUrl: db.url, runFits: false });
    await user("u-admin", "admin");
    await user("u-labeler", "labeler");
  });
  afterAll(async () => {
    await motion?.close();
    await db?.cleanup();
  });

  it("stores only a key's hash; a lookup by hash finds it with its owner's role", async () => {
    const keys = motion.identity.apiKeys;
    const created = await keys.create({ name: "ci", role: "admin", createdBy: "u-labeler@example.com", ownerId: "u-labeler", expiresAt: null });
    expect(created.key.startsWith("mk_")).toBe(true);
    const stored = await motion.db.read(() => get<{ hash: string; prefix: string }>(`SELECT "hash", "prefix" FROM "ApiKey" WHERE "id" = ?`, [created.id]));
    expect(stored).toEqual({ hash: hashApiKey(created.key), prefix: created.key.slice(0, 9) });
    expect(await keys.lookup(hashApiKey(created.key))).toEqual({ id: created.id, name: "ci", role: "admin", ownerId: "u-labeler", ownerRole: "labeler", expiresAt: null });
    expect(await keys.lookup(hashApiKey(created.key + "x"))).toBeNull();
    await expect(keys.create({ name: "ci", role: "viewer", createdBy: "x", ownerId: "u-labeler", expiresAt: null })).rejects.toBeInstanceOf(ApiKeyNameTaken);
    const page = await keys.list({ includeRevoked: true, limit: 10 });
    expect(page.items.map((k) => [k.name, k.ownerEmail])).toContainEqual(["ci", "u-labeler@example.com"]);
  });

  it("setRole refuses to demote the last active admin and audits a change", async () => {
    const users = motion.identity.users;
    expect(await users.setRole("u-admin", "viewer", { actor: "test" })).toEqual({ error: "LAST_ADMIN" });
    expect(await users.setRole("nobody", "viewer", { actor: "test" })).toEqual({ error: "NOT_FOUND" });
    expect(await users.setRole("u-labeler", "viewer", { actor: "test", reason: "fewer rights" })).toEqual({ user: { id: "u-labeler", email: "u-labeler@example.com", role: "viewer", previousRole: "labeler" } });
    const audit = await motion.auditEvents({ action: "users.setRole", limit: 5 });
    expect(audit.items[0]).toMatchObject({ actor: "test", target: "u-labeler", reason: "fewer rights", data: { email: "u-labeler@example.com", from: "labeler", to: "viewer" } });
    expect((await users.list({ limit: 1 })).nextCursor).not.toBeNull();
  });

  it("disabling ends sessions, revokes owned keys and frees review locks in one go; the key stops working", async () => {
    const at = new Date();
    await motion.db.tx(function* () {
      yield* run(`INSERT INTO "Session" ("id", "expiresAt", "token", "userId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)`, ["s-1", new Date(Date.now() + 3_600_000), hashSessionToken("t"), "u-labeler", at, at]);
      yield* run(`INSERT INTO "LabelLock" ("inferenceId", "trigger", "holder", "holderName", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?)`, ["i-1", "t", "user:u-labeler", "u-labeler@example.com", new Date(Date.now() + 60_000), at]);
    });
    const key = await motion.identity.apiKeys.create({ name: "script", role: "viewer", createdBy: "x", ownerId: "u-labeler", expiresAt: null });
    expect(await motion.identity.offboarding.disable("u-labeler", { actor: "admin", selfId: "u-labeler" })).toEqual({ error: "SELF" });
    const result = await motion.identity.offboarding.disable("u-labeler", { actor: "admin", selfId: "u-admin" });
    expect(result).toMatchObject({ user: { id: "u-labeler", sessionsEnded: 1, keysRevoked: 2 } });
    expect(await motion.identity.apiKeys.lookup(hashApiKey(key.key))).toBeNull();
    expect(await motion.identity.users.maySignIn("u-labeler")).toBe(false);
    expect(await motion.db.read(() => all(`SELECT "inferenceId" FROM "LabelLock"`))).toEqual([]);
    expect(await motion.identity.offboarding.enable("u-labeler", { actor: "admin" })).toEqual({ id: "u-labeler", email: "u-labeler@example.com" });
    expect(await motion.identity.users.maySignIn("u-labeler")).toBe(true);
  });

  it("keeps an idempotency answer until it expires; a second live answer under the key loses the race", async () => {
    const records = motion.idempotency;
    const record = { scope: "user:u-admin", key: "k", procedure: "rows.add", requestHash: "h", response: "{}", ttlMs: 60_000 };
    await motion.db.tx(() => records.write(record));
    expect(await records.find("user:u-admin", "k")).toMatchObject({ procedure: "rows.add", requestHash: "h", response: "{}" });
    const error = await motion.db.tx(() => records.write(record)).then(() => null, (e: unknown) => e);
    expect(records.lostRace(error)).toBe(true);
    await motion.db.tx(() => records.write({ ...record, key: "short", ttlMs: -1 }));
    expect(await records.find("user:u-admin", "short")).toBeUndefined();
    await motion.db.tx(() => records.write({ ...record, key: "short", response: "[1]" }));
    expect((await records.find("user:u-admin", "short"))?.response).toBe("[1]");
  });
  it("hashes session tokens stored before tokens were hashed, and leaves hashed ones alone", async () => {
    const at = new Date();
    const later = new Date(Date.now() + 3_600_000);
    const hashed = hashSessionToken("already");
    await motion.db.tx(function* () {
      yield* run(`INSERT INTO "Session" ("id", "expiresAt", "token", "userId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)`, ["s-legacy", later, "plainLegacyToken0123456789abcdef", "u-admin", at, at]);
      yield* run(`INSERT INTO "Session" ("id", "expiresAt", "token", "userId", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?)`, ["s-hashed", later, hashed, "u-admin", at, at]);
    });
    expect(await motion.identity.sessions.hashLegacyTokens()).toBe(1);
    const tokens = await motion.db.read(() => all<{ id: string; token: string }>(`SELECT "id", "token" FROM "Session" WHERE "id" IN ('s-legacy', 's-hashed') ORDER BY "id"`));
    expect(tokens).toEqual([{ id: "s-hashed", token: hashed }, { id: "s-legacy", token: hashSessionToken("plainLegacyToken0123456789abcdef") }]);
    expect(await motion.identity.sessions.hashLegacyTokens()).toBe(0);
  });
});
