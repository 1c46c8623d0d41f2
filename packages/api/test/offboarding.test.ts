// Offboarding: disable / enable / delete an operator and an admin's password reset end their
// sessions and keys at once; API keys expire and have unique names per owner. Real databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { all, run } from "@motion/db";
import { databaseFactories, openEnv, outcome, PASSWORD, signIn, type TestEnv, failure } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("offboarding on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  let seq = 0;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  /** A second admin, signed in, with an admin key of their own. */
  async function operator(role: "admin" | "labeler" = "admin") {
    const email = `op${++seq}@example.com`;
    const admin = env.caller("admin");
    const user = await env.api.createUser({ email, password: PASSWORD, role: "admin" });
    const { cookie } = await signIn(env.api, env.baseURL, email, PASSWORD);
    const asUser = () => env.api.createCaller(new Headers({ cookie }));
    const { key, id: keyId } = await asUser().apiKeys.create({ name: "laptop", role: "admin" });
    if (role !== "admin") await admin.users.setRole({ userId: user.id, role });
    const withKey = () => env.api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
    return { user, email, cookie, key, keyId, asUser, withKey };
  }

  async function auditOf(action: string, target: string) {
    const { items } = await env.caller("admin").audit.list({ action, limit: 200 });
    return items.filter((e) => e.target === target);
  }

  it("disable ends sessions and revokes owned keys at once; sign-in is refused; enable restores sign-in only", async () => {
    const op = await operator();
    expect(await outcome(() => op.asUser().triggers.list())).toBe("OK");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("OK");

    const disabled = await env.caller("admin").users.disable({ userId: op.user.id, reason: "left the team" });
    expect(disabled).toMatchObject({ id: op.user.id, sessionsEnded: 1, keysRevoked: 1 });
    // The old cookie and the old key are refused on the very next request.
    expect(await outcome(() => op.asUser().triggers.list())).toBe("UNAUTHORIZED");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED");
    expect(await env.api.createCaller(new Headers({ cookie: op.cookie })).auth.me()).toBeNull();
    // The right password no longer starts a session.
    const again = await signIn(env.api, env.baseURL, op.email, PASSWORD);
    expect(again.status).toBe(403);
    expect(again.cookie).not.toMatch(/session_token=[^;]/);
    // Listed as disabled, by whom; the key as revoked by the same admin.
    const listed = (await env.caller("admin").users.list({ limit: 200 })).items.find((u) => u.id === op.user.id)!;
    expect(listed.disabledAt).toBeInstanceOf(Date);
    expect(listed.disabledBy).toBe(env.emails.admin);
    const key = (await env.caller("admin").apiKeys.list({ limit: 200 })).items.find((k) => k.id === op.keyId)!;
    expect(key).toMatchObject({ status: "revoked", revokedBy: env.emails.admin, ownerEmail: op.email });
    const [entry] = await auditOf("users.disable", op.user.id);
    expect(entry).toMatchObject({ actor: env.emails.admin, reason: "left the team", data: { email: op.email, sessionsEnded: 1, keysRevoked: [{ id: op.keyId, name: "laptop" }] } });

    await env.caller("admin").users.enable({ userId: op.user.id, reason: "back" });
    const back = await signIn(env.api, env.baseURL, op.email, PASSWORD);
    expect(back.status).toBe(200);
    expect(await outcome(() => env.api.createCaller(new Headers({ cookie: back.cookie })).triggers.list())).toBe("OK");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED"); // keys stay revoked
    expect(await auditOf("users.enable", op.user.id)).toHaveLength(1);
  });

  it("delete removes the operator and their credentials; keys stay listed, revoked", async () => {
    const op = await operator("labeler");
    const added = await op.asUser().rows.add({ relation: "tickets", row: { text: "labeled before leaving" } });
    await op.asUser().feedback.label({ inferenceId: added.inferences[0]!.id, label: "good" });
    const deleted = await env.caller("apikey-admin").users.delete({ userId: op.user.id, reason: "contract ended" });
    expect(deleted).toMatchObject({ deleted: true, sessionsEnded: 1, keysRevoked: 1 });
    expect(await outcome(() => op.asUser().triggers.list())).toBe("UNAUTHORIZED");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED");
    expect((await signIn(env.api, env.baseURL, op.email, PASSWORD)).status).toBe(401);
    expect((await env.caller("admin").users.list({ limit: 200 })).items.some((u) => u.id === op.user.id)).toBe(false);
    const rows = await env.motion.db.read(() => all(`SELECT "id" FROM "Account" WHERE "userId" = ?`, [op.user.id]));
    expect(rows).toHaveLength(0);
    expect((await env.caller("admin").apiKeys.list({ limit: 200 })).items.find((k) => k.id === op.keyId)).toMatchObject({ status: "revoked", ownerEmail: null });
    // Their label keeps its actor; the deletion is audited with the key that did it.
    const [label] = (await env.caller("viewer").feedback.list({ inferenceId: added.inferences[0]!.id })).items;
    expect(label!.actor).toBe(op.email);
    const [entry] = await auditOf("users.delete", op.user.id);
    expect(entry).toMatchObject({ actor: "apikey:admin-key", reason: "contract ended", data: { email: op.email, role: "labeler" } });
    expect(await outcome(() => env.caller("admin").users.delete({ userId: op.user.id }))).toBe("NOT_FOUND");
  });

  it("refuses to disable or delete yourself, and keeps one active admin", async () => {
    const me = (await env.caller("admin").auth.me())!;
    for (const call of [() => env.caller("admin").users.disable({ userId: me.id }), () => env.caller("admin").users.delete({ userId: me.id })]) {
      const error = await failure(call);
      expect(error.code).toBe("CONFLICT");
      expect(error.message).toMatch(/yourself/);
    }
    // The admin's own key acts for its owner: also "yourself".
    expect((await failure(() => env.caller("apikey-admin").users.disable({ userId: me.id }))).code).toBe("CONFLICT");
    // A disabled admin does not count: the only active one cannot demote themselves.
    await operator();
    for (const u of (await env.caller("admin").users.list({ limit: 200 })).items) {
      if (u.role === "admin" && u.id !== me.id && !u.disabledAt) await env.caller("admin").users.disable({ userId: u.id });
    }
    const demote = await failure(() => env.caller("admin").users.setRole({ userId: me.id, role: "viewer" }));
    expect(demote.code).toBe("CONFLICT");
    expect(demote.message).toMatch(/last/);
    expect(await outcome(() => env.caller("admin").users.disable({ userId: "no-such-user" }))).toBe("NOT_FOUND");
    expect((await env.caller("admin").auth.me())!.role).toBe("admin");
  });

  it("an admin sets a new password: the old one stops working and every session ends", async () => {
    const op = await operator("labeler");
    const reset = await env.caller("admin").users.setPassword({ userId: op.user.id, password: "a brand new password", reason: "forgot it" });
    expect(reset).toMatchObject({ id: op.user.id, sessionsEnded: 1 });
    expect(await outcome(() => op.asUser().triggers.list())).toBe("UNAUTHORIZED");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("OK"); // keys are not passwords
    expect((await signIn(env.api, env.baseURL, op.email, PASSWORD)).status).toBe(401);
    expect((await signIn(env.api, env.baseURL, op.email, "a brand new password")).status).toBe(200);
    const [entry] = await auditOf("users.setPassword", op.user.id);
    expect(entry).toMatchObject({ reason: "forgot it", data: { email: op.email, sessionsEnded: 1 } });
    expect(JSON.stringify(entry)).not.toContain("brand new");
    expect((await failure(() => env.caller("admin").users.setPassword({ userId: op.user.id, password: "short" }))).code).toBe("BAD_REQUEST");
    expect(await outcome(() => env.caller("admin").users.setPassword({ userId: "nobody", password: "long enough password" }))).toBe("NOT_FOUND");
  });

  it("expired keys are refused; expiry must be in the future", async () => {
    const admin = env.caller("admin");
    const expiresAt = new Date(Date.now() + 3_600_000);
    const created = await admin.apiKeys.create({ name: "temp", role: "viewer", expiresAt });
    expect(created.expiresAt).toEqual(expiresAt);
    const withKey = () => env.api.createCaller(new Headers({ authorization: `Bearer ${created.key}` }));
    expect(await outcome(() => withKey().triggers.list())).toBe("OK");
    // An hour later (moved in the database rather than waited for).
    await env.motion.db.tx(() => run(`UPDATE "ApiKey" SET "expiresAt" = ? WHERE "id" = ?`, [new Date(Date.now() - 1), created.id]));
    // Moved behind the API's back, so its remembered identities are told (a real expiry needs
    // no telling: a key is remembered no longer than its expiresAt).
    env.api.principals.invalidate();
    expect(await outcome(() => withKey().triggers.list())).toBe("UNAUTHORIZED");
    expect((await admin.apiKeys.list({ limit: 200 })).items.find((k) => k.id === created.id)).toMatchObject({ status: "expired" });
    // An expired key gives its name up.
    const renewed = await admin.apiKeys.create({ name: "temp", role: "viewer" });
    expect(renewed.expiresAt).toBeNull();
    const past = await failure(() => admin.apiKeys.create({ name: "old", role: "viewer", expiresAt: new Date(Date.now() - 1000) }));
    expect(past.code).toBe("BAD_REQUEST");
    expect(past.message).toContain("must be in the future");
    expect(await outcome(() => admin.apiKeys.create({ name: "forever", role: "viewer", expiresAt: new Date(Date.now() + 20 * 366 * 86_400_000) }))).toBe("BAD_REQUEST");
    const [entry] = await auditOf("apiKeys.create", created.id);
    expect((entry!.data as { expiresAt: string }).expiresAt).toBe(expiresAt.toISOString());
  });

  it("names are unique among an owner's live keys: a clear CONFLICT, free again once revoked", async () => {
    const admin = env.caller("admin");
    const first = await admin.apiKeys.create({ name: "ingest", role: "labeler" });
    const dup = await failure(() => admin.apiKeys.create({ name: "ingest", role: "viewer" }));
    expect(dup.code).toBe("CONFLICT");
    expect(dup.message).toBe('an API key named "ingest" already exists for this owner; revoke it first or choose another name');
    // Another owner may use the name.
    const op = await operator();
    expect(await outcome(() => op.asUser().apiKeys.create({ name: "ingest", role: "viewer" }))).toBe("OK");
    await admin.apiKeys.revoke({ id: first.id });
    expect(await outcome(() => admin.apiKeys.create({ name: "ingest", role: "viewer" }))).toBe("OK");
    // Racing creates of one name: exactly one wins, on either database.
    const results = await Promise.all(Array.from({ length: 4 }, () => outcome(() => admin.apiKeys.create({ name: "race", role: "viewer" }))));
    expect(results.sort()).toEqual(["CONFLICT", "CONFLICT", "CONFLICT", "OK"]);
  });

  it("a key acts with at most its owner's current role", async () => {
    const op = await operator();
    expect(await outcome(() => op.withKey().users.list())).toBe("OK");
    await env.caller("admin").users.setRole({ userId: op.user.id, role: "viewer", reason: "demoted" });
    expect(await outcome(() => op.withKey().users.list())).toBe("FORBIDDEN");
    expect(await op.withKey().auth.me()).toMatchObject({ kind: "apiKey", role: "viewer" });
  });
});
