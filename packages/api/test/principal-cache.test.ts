// Identities are remembered for a moment (a session lookup costs more than the rest of a
// request), yet taking access away works on the very next request: revoking a key, demoting or
// disabling a user, signing out. Real databases.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "@motion/db";
import { Motion } from "@motion/engine";
import { createMotionApi, hashApiKey, PrincipalCache } from "../src/index.ts";
import { testApp } from "./fixtures/app.ts";
import { databaseFactories, openEnv, outcome, PASSWORD, SECRET, signIn, type TestEnv } from "./harness.ts";

const factories = await databaseFactories();

describe.each(factories)("remembered identities on %s", (_name, makeDatabase) => {
  let env: TestEnv;
  let seq = 0;
  beforeAll(async () => {
    env = await openEnv(makeDatabase);
  });
  afterAll(async () => env?.close());

  async function operator() {
    const email = `cache${++seq}@example.com`;
    const user = await env.api.createUser({ email, password: PASSWORD, role: "admin" });
    const { cookie } = await signIn(env.api, env.baseURL, email, PASSWORD);
    const asUser = () => env.api.createCaller(new Headers({ cookie }));
    const { key, id: keyId } = await asUser().apiKeys.create({ name: `k${seq}`, role: "admin" });
    const withKey = () => env.api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
    return { user, email, cookie, key, keyId, asUser, withKey };
  }

  it("remembers a key: a change behind the API's back shows only after invalidate()", async () => {
    const op = await operator();
    expect(await outcome(() => op.withKey().triggers.list())).toBe("OK");
    // Revoked straight in the database (another tool): this process still remembers the key…
    await env.motion.db.tx(() => run(`UPDATE "ApiKey" SET "revokedAt" = ? WHERE "hash" = ?`, [new Date(), hashApiKey(op.key)]));
    expect(await outcome(() => op.withKey().triggers.list())).toBe("OK");
    // …until the cache is told (or its 2 s run out).
    env.api.principals.invalidate();
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED");
  });

  it("revoking a key through the API refuses it on the next request", async () => {
    const op = await operator();
    for (let i = 0; i < 3; i++) expect(await outcome(() => op.withKey().triggers.list())).toBe("OK");
    await env.caller("admin").apiKeys.revoke({ id: op.keyId, reason: "leaked" });
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED");
  });

  it("demoting, disabling and signing out take effect on the next request", async () => {
    const op = await operator();
    expect(await outcome(() => op.asUser().users.list({ limit: 5 }))).toBe("OK");
    expect(await outcome(() => op.withKey().users.list({ limit: 5 }))).toBe("OK");
    await env.caller("admin").users.setRole({ userId: op.user.id, role: "viewer" });
    // The session and the key (which acts with its owner's role at most) are viewers now.
    expect(await outcome(() => op.asUser().users.list({ limit: 5 }))).toBe("FORBIDDEN");
    expect(await outcome(() => op.withKey().users.list({ limit: 5 }))).toBe("FORBIDDEN");
    expect(await outcome(() => op.asUser().triggers.list())).toBe("OK");
    await env.caller("admin").users.disable({ userId: op.user.id });
    expect(await outcome(() => op.asUser().triggers.list())).toBe("UNAUTHORIZED");
    expect(await outcome(() => op.withKey().triggers.list())).toBe("UNAUTHORIZED");

    const other = await operator();
    expect(await outcome(() => other.asUser().triggers.list())).toBe("OK");
    const out = await env.api.handle(new Request(`${env.baseURL}/api/auth/sign-out`, { method: "POST", headers: { cookie: other.cookie, origin: env.baseURL, "content-type": "application/json" }, body: "{}" }));
    expect(out.status).toBe(200);
    expect(await outcome(() => other.asUser().triggers.list())).toBe("UNAUTHORIZED");
  });

  if (_name === "postgresql") it("another API process forgets a revoked key at once (NOTIFY), long before its cache would expire", async () => {
    const op = await operator();
    // A second process on the same database, remembering identities for a minute.
    const other = await Motion.open({ app: testApp, databaseUrl: env.db.url, fitIn: "inline", runFits: false });
    try {
      const api = createMotionApi({ motion: other, baseURL: env.baseURL, secret: SECRET, principals: new PrincipalCache(60_000) });
      await new Promise((resolve) => setTimeout(resolve, 300)); // its LISTEN session is up
      const there = () => api.createCaller(new Headers({ authorization: `Bearer ${op.key}` })).triggers.list();
      expect(await outcome(there)).toBe("OK");
      expect(await outcome(there)).toBe("OK"); // remembered now
      await env.caller("admin").apiKeys.revoke({ id: op.keyId });
      let refused = "OK";
      for (let i = 0; i < 40 && refused === "OK"; i++) {
        refused = await outcome(there);
        if (refused === "OK") await new Promise((resolve) => setTimeout(resolve, 25));
      }
      expect(refused).toBe("UNAUTHORIZED");
    } finally {
      await other.close();
    }
  });

  it("a forged session cookie is nobody, and the cache expires on its own", async () => {
    const forged = env.api.createCaller(new Headers({ cookie: "motion.session_token=not-a-real-token.sig" }));
    expect(await outcome(() => forged.triggers.list())).toBe("UNAUTHORIZED");
    const cache = new PrincipalCache(100);
    let lookups = 0;
    const lookup = async () => ({ principal: { kind: "apiKey" as const, id: "k", name: "k", role: "viewer" as const, ownerId: null }, expiresAt: null });
    const counted = () => (lookups++, lookup());
    await Promise.all([cache.resolve("key:x", counted), cache.resolve("key:x", counted)]);
    await cache.resolve("key:x", counted);
    expect(lookups).toBe(1); // concurrent requests share one lookup; the next one is remembered
    await new Promise((resolve) => setTimeout(resolve, 150));
    await cache.resolve("key:x", counted);
    expect(lookups).toBe(2);
    // A credential expiring sooner than the ttl is remembered only until then.
    await cache.resolve("key:y", async () => ({ principal: null, expiresAt: Date.now() - 1 }));
    let again = 0;
    await cache.resolve("key:y", async () => (again++, { principal: null }));
    expect(again).toBe(1);
  });
});
