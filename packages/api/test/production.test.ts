// Production is the default: over real HTTP, no answer — tRPC, better-auth, the server's own
// errors — carries a stack trace, a server path or an internal message, for an anonymous or a
// signed-in caller, on a bug path or a validation error. Development mode shows them (which is
// also what proves this test can see them).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { run } from "@motion/db";
import { defineApp, relation, trigger } from "@motion/engine";
import { isDevelopment } from "../src/index.ts";
import { openServer, trpc, type TestServer } from "./server-harness.ts";

const BUG = "bug in the app's own code";
// A relation whose schema has a bug (its transform throws a plain Error): a genuine 500.
const notes = relation("notes", {
  schema: z.object({ text: z.string().min(1) }).transform((value) => {
    if (value.text === "crash") throw new Error(`${BUG} at ${import.meta.filename}`);
    return value;
  }),
});
const echo = trigger("echo", { routes: [{ relation: notes, infer: ({ row }) => row.data.text }] });
const faultyApp = defineApp({ name: "faulty", relations: [notes], triggers: [echo] });

/** Anything that would tell a caller about the server's insides. */
function leaks(text: string): string[] {
  const found: string[] = [];
  if (/"stack"/.test(text)) found.push("a stack field");
  if (/\bat [^\s]+ \(|\n\s+at /.test(text)) found.push("stack frames");
  if (/\/(work|home|tmp|usr|var|root)\/|node_modules|file:\/\/|\.ts:\d+/.test(text)) found.push("a server path");
  if (text.includes(BUG)) found.push("an internal message");
  return found;
}

describe("mode", () => {
  it("is production unless MOTION_ENV (or NODE_ENV without it) says development", () => {
    expect(isDevelopment({})).toBe(false);
    expect(isDevelopment({ NODE_ENV: "production" })).toBe(false);
    expect(isDevelopment({ NODE_ENV: "test" })).toBe(false);
    expect(isDevelopment({ NODE_ENV: "development" })).toBe(true);
    expect(isDevelopment({ MOTION_ENV: "development" })).toBe(true);
    expect(isDevelopment({ MOTION_ENV: "production", NODE_ENV: "development" })).toBe(false);
  });
});

describe.each([
  ["production (the default)", false],
  ["development", true],
] as const)("errors over HTTP in %s", (_name, development) => {
  let s: TestServer;
  let cookie: string;
  let key: string;

  beforeAll(async () => {
    s = await openServer({ app: faultyApp, api: development ? { development: true } : {} });
    cookie = await s.signIn();
    key = await s.adminKey();
  });
  afterAll(async () => s?.close());

  it("the server is in the expected mode by default", () => {
    expect(s.api.development).toBe(development);
  });

  it("a bug path (500) from anonymous, cookie and API-key callers", async () => {
    const callers: Record<string, Record<string, string>> = { anonymous: {}, cookie: { cookie, origin: s.url }, key: { authorization: `Bearer ${key}` } };
    for (const [who, headers] of Object.entries(callers)) {
      const r = await trpc(s.url, "mutation", "rows.add", { relation: "notes", row: { text: "crash" } }, headers);
      if (who === "anonymous") {
        expect(r.status).toBe(401); // identity first: an anonymous caller never reaches the bug
        expect(leaks(r.text)).toEqual(development ? ["a stack field", "stack frames", "a server path"] : []);
        continue;
      }
      expect(r.status).toBe(500);
      expect(r.error?.data.code).toBe("INTERNAL_SERVER_ERROR");
      if (development) {
        expect(r.error?.message).toContain(BUG);
        expect(leaks(r.text)).toContain("stack frames");
      } else {
        expect(r.error?.message).toBe("Internal server error");
        expect(leaks(r.text)).toEqual([]);
      }
    }
  });

  it("the same over REST (/api/v1): a bug path is a bare 500 in production", async () => {
    const callers: Record<string, Record<string, string>> = { anonymous: {}, cookie: { cookie, origin: s.url }, key: { authorization: `Bearer ${key}` } };
    for (const [who, headers] of Object.entries(callers)) {
      const response = await fetch(`${s.url}/api/v1/relations/notes/rows`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ row: { text: "crash" } }) });
      const text = await response.text();
      if (who === "anonymous") {
        expect(response.status).toBe(401);
        expect(leaks(text)).toEqual(development ? ["a stack field", "stack frames", "a server path"] : []);
        continue;
      }
      expect(response.status).toBe(500);
      const body = JSON.parse(text) as { code: string; message: string };
      expect(body.code).toBe("INTERNAL_SERVER_ERROR");
      if (development) {
        expect(body.message).toContain(BUG);
        expect(leaks(text)).toContain("stack frames");
      } else {
        expect(body).toEqual({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error", issues: null });
        expect(leaks(text)).toEqual([]);
      }
    }
  });

  it("validation errors: a readable message and issues, no internals", async () => {
    const callers: Record<string, string>[] = [{}, { cookie }, { authorization: `Bearer ${key}` }];
    for (const headers of callers) {
      const r = await trpc(s.url, "query", "health", undefined, headers);
      expect(r.status).toBe(200);
      const bad = await trpc(s.url, "mutation", "rows.add", { relation: "notes", row: { text: "" } }, { ...headers, origin: s.url });
      if (!("cookie" in headers) && !("authorization" in headers)) {
        expect(bad.status).toBe(401);
        continue;
      }
      expect(bad.status).toBe(400);
      expect(bad.error?.data.code).toBe("BAD_REQUEST");
      expect(bad.error?.data.issues).toEqual([expect.objectContaining({ path: ["row", "text"] })]);
      expect(bad.error?.message).toMatch(/^row\.text: /);
      if (!development) expect(leaks(bad.text)).toEqual([]);
    }
    const parse = await fetch(`${s.url}/api/trpc/rows.add`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${key}` }, body: "{not json" });
    const text = await parse.text();
    expect(parse.status).toBe(400);
    expect(JSON.parse(text).error.json.data.code).toBe("PARSE_ERROR");
    if (!development) expect(leaks(text)).toEqual([]);
  });

  it("better-auth's errors: bad input, wrong password, unknown endpoint", async () => {
    const post = (path: string, body: string) => fetch(`${s.url}/api/auth/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body });
    for (const response of [
      await post("sign-in/email", "{]"),
      await post("sign-in/email", JSON.stringify({ email: 5, password: [] })),
      await post("sign-in/email", JSON.stringify({ email: s.adminEmail, password: "wrong password" })),
      await post("sign-up/email", JSON.stringify({ email: "a@b.c", password: "long enough password", name: "a" })),
      await fetch(`${s.url}/api/auth/nothing`),
      await fetch(`${s.url}/api/nothing`),
    ]) {
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      expect(leaks(text)).toEqual([]);
    }
  });

  it("a broken database: 500s without internals from tRPC and better-auth (last: breaks the schema)", async () => {
    // Tables gone under a running server: every query on them fails inside the database driver.
    await s.motion.db.tx(function* () {
      yield* run(`ALTER TABLE "Row" RENAME TO "RowGone"`);
      yield* run(`ALTER TABLE "User" RENAME TO "UserGone"`);
    });
    const health = await trpc(s.url, "query", "rows.list", { relation: "notes" }, { authorization: `Bearer ${key}` });
    const signIn = await fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email: s.adminEmail, password: "whatever password" }) });
    const signInText = await signIn.text();
    expect(health.status).toBeGreaterThanOrEqual(500);
    expect(signIn.status).toBeGreaterThanOrEqual(500);
    if (!development) {
      expect(leaks(health.text)).toEqual([]);
      expect(leaks(signInText)).toEqual([]);
      expect(JSON.parse(signInText)).toEqual({ code: "INTERNAL_SERVER_ERROR", message: "Internal server error" });
    }
  });
});
