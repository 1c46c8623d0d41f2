// The HTTP front's defences over real HTTP: security headers on pages and API (HSTS only over
// https), CSRF checks on cookie-authenticated state changes (Bearer calls unaffected; scripts
// and servers may sign in without an Origin), and session tokens stored only as hashes.
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { all, get, run } from "@motion/db";
import { createMotionApi, hashSessionToken } from "../src/index.ts";
import { databaseFactories, SECRET } from "./harness.ts";
import { openServer, PASSWORD, trpc, type TestServer } from "./server-harness.ts";

const FOREIGN = "https://evil.example";

describe("security headers", () => {
  let s: TestServer;
  let proxied: TestServer;
  beforeAll(async () => {
    s = await openServer({ server: { fallback: (_req, res) => void res.end("<!doctype html><p>page</p>") } });
    proxied = await openServer({ api: { trustProxy: 1 } });
  });
  afterAll(async () => {
    await s?.close();
    await proxied?.close();
  });

  it("API answers (tRPC, auth, errors) and pages: nosniff, no framing, a referrer policy; no HSTS over http", async () => {
    const responses = {
      trpc: await fetch(`${s.url}/api/trpc/health`),
      trpcError: await fetch(`${s.url}/api/trpc/rows.list`),
      auth: await fetch(`${s.url}/api/auth/get-session`),
      missing: await fetch(`${s.url}/api/nope`),
      page: await fetch(`${s.url}/relations`),
    };
    for (const [name, r] of Object.entries(responses)) {
      expect([name, r.headers.get("x-content-type-options")]).toEqual([name, "nosniff"]);
      expect([name, r.headers.get("x-frame-options")]).toEqual([name, "DENY"]);
      expect([name, r.headers.get("referrer-policy")]).toEqual([name, "same-origin"]);
      expect([name, r.headers.get("strict-transport-security")]).toEqual([name, null]);
    }
    for (const name of ["trpc", "trpcError", "auth", "missing"] as const) {
      expect(responses[name].headers.get("content-security-policy")).toMatch(/default-src 'none'.*frame-ancestors 'none'/);
      expect(responses[name].headers.get("cache-control")).toBe("no-store");
    }
  });

  it("HSTS when served over https (here: a trusted proxy says so); a client alone cannot claim it", async () => {
    const viaProxy = await fetch(`${proxied.url}/api/trpc/health`, { headers: { "x-forwarded-proto": "https" } });
    expect(viaProxy.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    const direct = await fetch(`${s.url}/api/trpc/health`, { headers: { "x-forwarded-proto": "https" } });
    expect(direct.headers.get("strict-transport-security")).toBeNull();
  });
});

describe("CSRF", () => {
  let s: TestServer;
  let cookie: string;
  let key: string;
  beforeAll(async () => {
    s = await openServer();
    cookie = await s.signIn();
    key = await s.adminKey();
  });
  afterAll(async () => s?.close());

  const add = (headers: Record<string, string>) => trpc(s.url, "mutation", "rows.add", { relation: "questions", row: { text: "csrf?" } }, headers);

  it("refuses cookie-authenticated mutations from a foreign or opaque origin, or a cross-site fetch", async () => {
    const attempts: Record<string, string>[] = [{ origin: FOREIGN }, { origin: "null" }, { "sec-fetch-site": "cross-site" }, { "sec-fetch-site": "same-site" }, { origin: FOREIGN, "sec-fetch-site": "same-origin" }];
    for (const headers of attempts) {
      const r = await add({ cookie, ...headers });
      expect([headers, r.status, r.error?.data.code]).toEqual([headers, 403, "FORBIDDEN"]);
      expect(r.error?.message).toMatch(/cross-site request refused/);
    }
    expect(await s.motion.db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Row" WHERE "relation" = 'questions'`))).toEqual({ n: 0 });
  });

  it("accepts them from the console's origin and from non-browser clients; queries and Bearer calls are unaffected", async () => {
    expect((await add({ cookie, origin: s.url })).status).toBe(200);
    expect((await add({ cookie, "sec-fetch-site": "same-origin" })).status).toBe(200);
    expect((await add({ cookie })).status).toBe(200); // a script: neither Origin nor Sec-Fetch-Site
    expect((await add({ authorization: `Bearer ${key}`, origin: FOREIGN, "sec-fetch-site": "cross-site" })).status).toBe(200);
    expect((await trpc(s.url, "query", "rows.count", { relation: "questions" }, { cookie, origin: FOREIGN })).data).toEqual({ count: 4 });
  });

  it("the console opened under another loopback name (localhost for 127.0.0.1) is the same site; another port is not", async () => {
    const port = new URL(s.url).port;
    for (const host of ["localhost", "[::1]"]) {
      expect([host, (await add({ cookie, origin: `http://${host}:${port}` })).status]).toEqual([host, 200]);
      const signIn = await fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: `http://${host}:${port}` }, body: JSON.stringify({ email: s.adminEmail, password: PASSWORD }) });
      expect([host, signIn.status]).toEqual([host, 200]);
    }
    expect((await add({ cookie, origin: `http://localhost:${Number(port) + 1}` })).status).toBe(403);
    expect((await add({ cookie, origin: `https://localhost:${port}` })).status).toBe(403);
  });

  it("review.next takes a lock, so it is a mutation: refused over GET", async () => {
    const r = await trpc(s.url, "query", "review.next", { trigger: "triage" }, { authorization: `Bearer ${key}` });
    expect([r.status, r.error?.data.code, r.headers.get("allow")]).toEqual([405, "METHOD_NOT_SUPPORTED", "POST"]);
    const spec = await fetch(`${s.url}/api/openapi.json`, { method: "POST" });
    expect([spec.status, spec.headers.get("allow")]).toEqual([405, "GET, HEAD"]);
    expect((await trpc(s.url, "mutation", "review.next", { trigger: "triage" }, { authorization: `Bearer ${key}` })).status).toBe(200);
  });

  it("better-auth's state changes: a foreign origin is refused; a script signs in without an Origin", async () => {
    const signOut = (headers: Record<string, string>) => fetch(`${s.url}/api/auth/sign-out`, { method: "POST", headers: { "content-type": "application/json", cookie, ...headers }, body: "{}" });
    const refused = await signOut({ origin: FOREIGN });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: "FORBIDDEN" });
    expect((await trpc(s.url, "query", "auth.me", undefined, { cookie })).data).toMatchObject({ email: s.adminEmail });
    // A login CSRF: a foreign page posting the attacker's credentials.
    const foreignSignIn = await fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: FOREIGN }, body: JSON.stringify({ email: s.adminEmail, password: PASSWORD }) });
    expect(foreignSignIn.status).toBe(403);
    // Node's fetch sends Sec-Fetch-Mode but no Origin: server-to-server sign-in works.
    const scripted = await s.signIn();
    expect((await trpc(s.url, "query", "auth.me", undefined, { cookie: scripted })).data).toMatchObject({ email: s.adminEmail });
    expect((await signOut({ origin: s.url })).status).toBe(200);
    expect((await trpc(s.url, "query", "auth.me", undefined, { cookie })).data).toBeNull();
  });
});

describe.each(await databaseFactories())("session tokens at rest on %s", (_name, makeDatabase) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await openServer({ makeDatabase });
  });
  afterAll(async () => s?.close());

  const tokenOf = (cookie: string) => decodeURIComponent(/motion\.session_token=([^;]+)/.exec(cookie)![1]!).split(".")[0]!;

  it("stores only the SHA-256 of each token; sign-in, session reads and sign-out work", async () => {
    const cookie = await s.signIn();
    const token = tokenOf(cookie);
    const stored = await s.motion.db.read(() => all<{ token: string }>(`SELECT "token" FROM "Session"`));
    expect(stored.map((r) => r.token)).toContain(hashSessionToken(token));
    expect(stored.map((r) => r.token)).not.toContain(token);
    expect(stored.every((r) => /^[0-9a-f]{64}$/.test(r.token))).toBe(true);
    expect((await trpc(s.url, "query", "auth.me", undefined, { cookie })).data).toMatchObject({ email: s.adminEmail });
    const session = (await (await fetch(`${s.url}/api/auth/get-session`, { headers: { cookie } })).json()) as { session: { token: string } };
    expect(session.session.token).toBe(token);
    // The stored hash is no credential.
    const forged = cookie.replace(token, hashSessionToken(token));
    expect((await trpc(s.url, "query", "auth.me", undefined, { cookie: forged })).data).toBeNull();
    const out = await fetch(`${s.url}/api/auth/sign-out`, { method: "POST", headers: { "content-type": "application/json", cookie, origin: s.url }, body: "{}" });
    expect(out.status).toBe(200);
    expect(await s.motion.db.read(() => get(`SELECT "id" FROM "Session" WHERE "token" = ?`, [hashSessionToken(token)]))).toBeUndefined();
  });

  it("sessions stored in plaintext before the upgrade are hashed at start and stay signed in", async () => {
    const cookie = await s.signIn();
    const token = tokenOf(cookie);
    // What an older Motion left behind: the token itself.
    await s.motion.db.tx(() => run(`UPDATE "Session" SET "token" = ? WHERE "token" = ?`, [token, hashSessionToken(token)]));
    const restarted = createMotionApi({ motion: s.motion, baseURL: s.url, secret: SECRET });
    const me = await restarted.handle(new Request(`${s.url}/api/auth/get-session`, { headers: { cookie } }));
    expect(((await me.json()) as { user?: { email: string } }).user?.email).toBe(s.adminEmail);
    expect(await s.motion.db.read(() => get(`SELECT "id" FROM "Session" WHERE "token" = ?`, [token]))).toBeUndefined();
    expect(await s.motion.db.read(() => get(`SELECT "id" FROM "Session" WHERE "token" = ?`, [hashSessionToken(token)]))).toBeDefined();
  });

  it("the session-list endpoints (which would hand out stored values) are off", async () => {
    const cookie = await s.signIn();
    for (const path of ["list-sessions", "revoke-other-sessions"]) {
      const r = await fetch(`${s.url}/api/auth/${path}`, { method: path === "list-sessions" ? "GET" : "POST", headers: { cookie, origin: s.url, "content-type": "application/json" }, ...(path === "list-sessions" ? {} : { body: "{}" }) });
      expect([path, r.status]).toEqual([path, 404]);
      expect([path, await r.json()]).toEqual([path, { code: "NOT_FOUND", message: `no route /api/auth/${path}` }]);
    }
    const unknown = await fetch(`${s.url}/api/auth/nope`);
    expect([unknown.status, unknown.headers.get("content-type")]).toEqual([404, "application/json"]);
  });
});

describe("operators' own account changes through better-auth", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await openServer();
  });
  afterAll(async () => s?.close());

  const me = async (cookie: string) => (await trpc(s.url, "query", "auth.me", undefined, { cookie })).data as { email: string } | null;
  const post = (path: string, cookie: string, body: string, contentType = "application/json") =>
    fetch(`${s.url}/api/auth/${path}`, { method: "POST", headers: { cookie, origin: s.url, "content-type": contentType }, body });

  it("changing one's password ends every other session, in any body encoding, even when the caller asks to keep them", async () => {
    let password = "first-password-1";
    await s.api.createUser({ email: "mover@example.com", password, role: "viewer" });
    for (const [encode, contentType] of [
      [(next: string) => JSON.stringify({ currentPassword: password, newPassword: next, revokeOtherSessions: false }), "application/json"],
      [(next: string) => new URLSearchParams({ currentPassword: password, newPassword: next }).toString(), "application/x-www-form-urlencoded"],
    ] as const) {
      const here = await s.signIn("mover@example.com", password);
      const stolen = await s.signIn("mover@example.com", password);
      expect((await me(stolen))?.email).toBe("mover@example.com");
      const next = `${password}-next`;
      const changed = await post("change-password", here, encode(next), contentType);
      expect([contentType, changed.status]).toEqual([contentType, 200]);
      password = next;
      expect(await me(stolen)).toBeNull();
      // The caller carries on with the session the change handed back.
      const renewed = changed.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
      expect((await me(renewed))?.email).toBe("mover@example.com");
    }
  });

  it("better-auth's own limit (password changes) answers like Motion's: TOO_MANY_REQUESTS with Retry-After", async () => {
    await s.api.createUser({ email: "hasty@example.com", password: "hasty-password-1", role: "viewer" });
    const cookie = await s.signIn("hasty@example.com", "hasty-password-1");
    const statuses: number[] = [];
    let limited: Response | undefined;
    for (let i = 0; i < 6 && !limited; i++) {
      const r = await post("change-password", cookie, JSON.stringify({ currentPassword: "wrong-password-x", newPassword: "another-password-2" }));
      statuses.push(r.status);
      if (r.status === 429) limited = r;
    }
    expect(limited, `statuses ${statuses.join(", ")}`).toBeDefined();
    expect(await limited!.json()).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/try again in \d+ s/i) });
    expect(Number(limited!.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });

  it("/api/auth errors have the documented codes", async () => {
    const signIn = (body: string) => fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json" }, body });
    const codeOf = async (r: Response) => [r.status, ((await r.json()) as { code: string }).code];
    expect(await codeOf(await signIn(JSON.stringify({ email: s.adminEmail, password: "not the password" })))).toEqual([401, "INVALID_EMAIL_OR_PASSWORD"]);
    expect(await codeOf(await signIn(JSON.stringify({ email: 5, password: [] })))).toEqual([400, "VALIDATION_ERROR"]);
    expect(await codeOf(await signIn("{not json"))).toEqual([400, "BAD_REQUEST"]);
  });

  it("a display name and image stay within bounds (every admin's users list shows them)", async () => {
    await s.api.createUser({ email: "named@example.com", password: PASSWORD, role: "viewer" });
    const cookie = await s.signIn("named@example.com", PASSWORD);
    const huge = await post("update-user", cookie, JSON.stringify({ name: "x".repeat(2_000_000) }));
    expect(huge.status).toBe(400);
    expect(await huge.json()).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/^name: /) });
    expect((await post("update-user", cookie, new URLSearchParams({ image: `https://example.com/${"a".repeat(3000)}` }).toString(), "application/x-www-form-urlencoded")).status).toBe(400);
    expect((await post("update-user", cookie, JSON.stringify({ name: "Named Operator" }))).status).toBe(200);
    const { items } = (await trpc(s.url, "query", "users.list", {}, { authorization: `Bearer ${await s.adminKey()}` })).data as { items: { email: string; name: string }[] };
    expect(items.find((u) => u.email === "named@example.com")?.name).toBe("Named Operator");
  });
});

describe("better-auth's messages in the server log", () => {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const capture = (level: string) => (fields: Record<string, unknown> | string, message?: string) => void lines.push({ level, fields: typeof fields === "string" ? {} : fields, message: typeof fields === "string" ? fields : (message ?? "") });
  const log = { debug: capture("debug"), info: capture("info"), warn: capture("warn"), error: capture("error"), child: () => log };
  let s: TestServer;
  beforeAll(async () => {
    s = await openServer({ motion: { log: log as never } });
  });
  afterAll(async () => s?.close());

  it("what a caller sends is logged through Motion's logger as a warning, never as raw ERROR text", async () => {
    // better-auth prints to the console itself unless told not to: nothing may reach it.
    const printed = [vi.spyOn(console, "error"), vi.spyOn(console, "warn"), vi.spyOn(console, "log")];
    try {
      // As a browser sends it (better-auth checks redirect targets of requests from a page).
      const signIn = (body: string, contentType = "application/json") => fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": contentType, origin: s.url }, body });
      const foreign = await signIn(JSON.stringify({ email: s.adminEmail, password: PASSWORD, callbackURL: "https://evil.example/x" }));
      expect(foreign.status).toBe(403);
      // A redirect target with a newline never reaches better-auth (it would fail writing it into a header: a 500).
      const forged = await signIn(JSON.stringify({ email: s.adminEmail, password: PASSWORD, callbackURL: "https://evil.example/\nERROR [Better Auth]: forged line" }));
      expect([forged.status, ((await forged.json()) as { message: string }).message]).toEqual([400, "callbackURL: a URL of at most 2048 characters, without control characters"]);
      expect((await fetch(`${s.url}/api/auth/get-session?callbackURL=${encodeURIComponent("/\r\nx")}`)).status).toBe(400);
      expect((await signIn("{not json")).status).toBe(400);
      expect((await signIn(JSON.stringify({ email: s.adminEmail, password: PASSWORD }), "application/vnd.api+json")).status).toBeGreaterThanOrEqual(400);
      const fromAuth = lines.filter((l) => l.fields.source === "better-auth");
      expect(fromAuth.filter((l) => l.level === "warn").map((l) => l.message)).toContain("Invalid callbackURL: https://evil.example/x");
      expect(lines.filter((l) => l.level === "error")).toEqual([]);
      expect(printed.flatMap((spy) => spy.mock.calls)).toEqual([]);
    } finally {
      for (const spy of printed) spy.mockRestore();
    }
  });
});
