// Password guessing over real HTTP: failed sign-ins are limited per account and per client IP;
// while limited even the right password is refused (429); the limits end with their window; the
// IP is the socket's unless proxies are trusted explicitly.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_SIGN_IN_LIMITS, SignInLimiter, signInLimitsFromEnv } from "../src/index.ts";
import { openServer, PASSWORD, type TestServer } from "./server-harness.ts";

const WINDOW_MS = 60_000;

async function attempt(s: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ email, password }) });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as { code?: string; message?: string } };
}

describe("sign-in limits over HTTP", () => {
  let s: TestServer;
  // The limiter's clock is the test's: windows end when the test says so, however slow the machine.
  let now = 1_000_000;
  beforeAll(async () => {
    s = await openServer({ api: { signInLimiter: new SignInLimiter({ maxPerAccount: 5, maxPerIp: 12, windowMs: WINDOW_MS }, () => now) } });
    await s.api.createUser({ email: "other@example.com", password: PASSWORD, role: "viewer" });
    await s.api.createUser({ email: "third@example.com", password: PASSWORD, role: "viewer" });
  });
  afterAll(async () => s?.close());
  // Every test starts with fresh windows.
  const nextWindow = () => (now += WINDOW_MS);

  it("25 wrong passwords fast: 429s after the account's limit, the right password refused, then allowed after the window", async () => {
    const results = await Promise.all(Array.from({ length: 25 }, () => attempt(s, s.adminEmail, "wrong password!")));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((x) => x === 401)).toHaveLength(5);
    expect(statuses.filter((x) => x === 429)).toHaveLength(20);
    const limited = results.find((r) => r.status === 429)!;
    expect(limited.body).toMatchObject({ code: "TOO_MANY_REQUESTS", message: expect.stringMatching(/too many sign-in attempts/i) });
    expect(Number(limited.retryAfter)).toBeGreaterThanOrEqual(1);

    const right = await attempt(s, s.adminEmail, PASSWORD);
    expect(right.status).toBe(429);
    // Another account from the same IP is not limited by this account's count.
    expect((await attempt(s, "other@example.com", PASSWORD)).status).toBe(200);

    now += WINDOW_MS - 1;
    expect((await attempt(s, s.adminEmail, PASSWORD)).status).toBe(429);
    now += 1; // the window is over
    expect((await attempt(s, s.adminEmail, PASSWORD)).status).toBe(200);
    nextWindow();
  });

  it("per IP: guesses spread over accounts are limited by the client's address, whatever X-Forwarded-For says", async () => {
    const emails = [s.adminEmail, "other@example.com", "third@example.com"];
    const statuses: number[] = [];
    for (let i = 0; i < 15; i++) {
      // A client-chosen header must not give each guess a fresh address.
      statuses.push((await attempt(s, emails[i % 3]!, "wrong password!", { "x-forwarded-for": `203.0.113.${i}`, "x-motion-client-ip": `198.51.100.${i}` })).status);
    }
    expect(statuses.filter((x) => x === 401)).toHaveLength(12);
    expect(statuses.slice(12)).toEqual([429, 429, 429]);
    expect((await attempt(s, "third@example.com", PASSWORD)).status).toBe(429);
    nextWindow();
  });

  it("counts guesses in every body encoding better-auth reads: form-encoded and multipart share the account's limit", async () => {
    nextWindow();
    const post = (body: string | FormData, headers: Record<string, string> = {}) => fetch(`${s.url}/api/auth/sign-in/email`, { method: "POST", headers, body });
    const form = (email: string, password: string) => post(new URLSearchParams({ email, password }).toString(), { "content-type": "application/x-www-form-urlencoded" });
    const multipart = (email: string, password: string) => {
      const data = new FormData();
      data.set("email", email);
      data.set("password", password);
      return post(data);
    };
    for (let i = 0; i < 3; i++) expect((await form("Third@Example.com", "wrong password!")).status).toBe(401);
    for (let i = 0; i < 2; i++) expect((await attempt(s, "third@example.com", "wrong password!")).status).toBe(401);
    // Five guesses, whatever their encoding: the account is limited in all of them.
    expect((await form("third@example.com", PASSWORD)).status).toBe(429);
    expect((await multipart("third@example.com", PASSWORD)).status).toBe(429);
    expect((await attempt(s, "third@example.com", PASSWORD)).status).toBe(429);
    // Bodies the limiter cannot read for certain are refused before better-auth sees them.
    const plain = await post(JSON.stringify({ email: "third@example.com", password: PASSWORD }), { "content-type": "text/plain" });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    const two = await post("email=nobody%40example.com&email=third%40example.com&password=x", { "content-type": "application/x-www-form-urlencoded" });
    expect(two.status).toBe(400);
    nextWindow();
    expect((await form("third@example.com", PASSWORD)).status).toBe(200);
    nextWindow();
  });

  it("successful sign-ins do not count", async () => {
    for (let i = 0; i < 8; i++) expect((await attempt(s, "other@example.com", PASSWORD)).status).toBe(200);
  });
});

describe("sign-in limits behind a trusted proxy", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await openServer({ api: { trustProxy: 1, signInLimits: { maxPerAccount: 100, maxPerIp: 3, windowMs: 60_000 } } });
  });
  afterAll(async () => s?.close());

  it("takes the address the proxy appended to X-Forwarded-For", async () => {
    const from = (ip: string) => ({ "x-forwarded-for": `10.9.9.9, ${ip}` });
    for (let i = 0; i < 3; i++) expect((await attempt(s, s.adminEmail, "wrong password!", from("203.0.113.7"))).status).toBe(401);
    expect((await attempt(s, s.adminEmail, "wrong password!", from("203.0.113.7"))).status).toBe(429);
    // A different client behind the same proxy has its own count.
    expect((await attempt(s, s.adminEmail, PASSWORD, from("203.0.113.8"))).status).toBe(200);
  });
});

describe("SignInLimiter", () => {
  it("counts attempts from their start and gives back successes; windows reset", () => {
    let now = 0;
    const limiter = new SignInLimiter({ maxPerAccount: 2, maxPerIp: 100, windowMs: 1000 }, () => now);
    const a = limiter.begin({ ip: "1.1.1.1", account: "A@x.io" });
    const b = limiter.begin({ ip: "1.1.1.1", account: "a@x.io " });
    expect(a.allowed && b.allowed).toBe(true);
    expect(limiter.begin({ ip: "1.1.1.1", account: "a@x.io" })).toEqual({ allowed: false, retryAfterMs: 1000 });
    if (a.allowed) a.attempt.succeeded();
    expect(limiter.begin({ ip: "1.1.1.1", account: "a@x.io" }).allowed).toBe(true);
    now = 1000;
    expect(limiter.begin({ account: "a@x.io" }).allowed).toBe(true);
  });

  it("reads its limits from the environment and refuses nonsense", () => {
    expect(DEFAULT_SIGN_IN_LIMITS).toEqual({ maxPerIp: 30, maxPerAccount: 10, windowMs: 900_000 });
    expect(signInLimitsFromEnv({ MOTION_SIGN_IN_MAX_PER_IP: "50", MOTION_SIGN_IN_MAX_PER_ACCOUNT: "4", MOTION_SIGN_IN_WINDOW_SECONDS: "60" })).toEqual({ maxPerIp: 50, maxPerAccount: 4, windowMs: 60_000 });
    expect(signInLimitsFromEnv({})).toEqual({});
    expect(() => signInLimitsFromEnv({ MOTION_SIGN_IN_MAX_PER_IP: "lots" })).toThrow(/MOTION_SIGN_IN_MAX_PER_IP/);
    expect(() => signInLimitsFromEnv({ MOTION_SIGN_IN_WINDOW_SECONDS: "0" })).toThrow(/positive integer/);
  });
});
