import path from "node:path";
import { AUTH_DIR, expect, signIn, test, trpc, useSession } from "./support";

const ADMIN_STATE = path.join(AUTH_DIR, "admin.json");

/** What would tell a caller about the server's insides. */
const INTERNALS = /"stack"|\n\s+at |\/(work|home|tmp|usr|root)\/|node_modules|file:\/\/|\.tsx?:\d+/;

test.describe("the console as npm start serves it: production defaults", () => {
  test("pages: security headers, a per-response CSP nonce on every script, and no CSP violations while browsing", async ({ page, request }) => {
    const first = await request.get("/sign-in");
    const second = await request.get("/sign-in");
    const policy = first.headers()["content-security-policy"]!;
    expect(policy).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]+' 'strict-dynamic'/);
    expect(policy).toContain("frame-ancestors 'none'");
    expect(policy).not.toContain("unsafe-eval");
    expect(second.headers()["content-security-policy"]).not.toBe(policy);
    expect(first.headers()).toMatchObject({ "x-frame-options": "DENY", "x-content-type-options": "nosniff", "referrer-policy": "same-origin" });
    expect(first.headers()["strict-transport-security"]).toBeUndefined(); // plain http
    const nonce = /'nonce-([^']+)'/.exec(policy)![1]!;
    const html = await first.text();
    const scripts = html.match(/<script\b[^>]*>/g) ?? [];
    expect(scripts.length).toBeGreaterThan(3);
    expect(scripts.filter((tag) => !tag.includes(`nonce="${nonce}"`))).toEqual([]);

    // Browsing signed in: the auto fixture fails the test on any CSP violation or page error.
    await useSession(page, "admin");
    for (const path of ["/", "/relations/questions", "/fits", "/state/docs-qa", "/review/docs-qa", "/admin/users", "/admin/api-keys", "/nope"]) {
      await page.goto(path);
      await expect(page.locator("body")).not.toBeEmpty();
    }
    await expect(page.getByText("This page could not be found.")).toBeVisible();
  });

  test("sign-in's `next` never leads off the console, signed in or through the form", async ({ page, playwright, baseURL }) => {
    const signedIn = await playwright.request.newContext({ baseURL, storageState: ADMIN_STATE });
    for (const next of ["//evil.example/x", "/\\evil.example", "https://evil.example/", "/.//evil.example", "/x/..//evil.example"]) {
      const answer = await signedIn.get(`/sign-in?next=${encodeURIComponent(next)}`, { maxRedirects: 0 });
      expect(answer.status(), next).toBe(307);
      expect(answer.headers()["location"], next).toBe("/");
    }
    const inside = await signedIn.get(`/sign-in?next=${encodeURIComponent("/fits?status=failed")}`, { maxRedirects: 0 });
    expect(inside.headers()["location"]).toBe("/fits?status=failed");
    await signedIn.dispose();

    // The form: browsers read "/\host" as another site; after signing in the console stays put.
    await signIn(page, "viewer", `/sign-in?next=${encodeURIComponent("/\\evil.example/x")}`);
    expect(new URL(page.url()).origin).toBe(new URL(baseURL!).origin);
    expect(page.url()).not.toContain("evil");
  });

  test("another site cannot frame the console", async ({ browser, baseURL }) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.route("http://framer.test/", (route) => route.fulfill({ contentType: "text/html", body: `<iframe id="f" src="${baseURL}/sign-in" width="600" height="400"></iframe>` }));
    await page.goto("http://framer.test/");
    await page.waitForTimeout(1_000);
    const framed = page.frames().find((f) => f.url().startsWith(baseURL!));
    expect(framed ? await framed.locator("form[aria-label='Sign in']").count() : 0).toBe(0);
    await context.close();
  });

  test("API errors carry no stack, server path or internal message, for anonymous and signed-in callers", async ({ request, playwright, baseURL }) => {
    const anonymous = await trpc(request, "query", "rows.list", { relation: "questions" });
    expect(anonymous.status).toBe(401);
    const ctx = await playwright.request.newContext({ baseURL, storageState: ADMIN_STATE });
    expect((await trpc(ctx, "query", "auth.me", undefined)).data).toMatchObject({ role: "admin" });
    const invalid = await trpc(ctx, "query", "rows.list", { relation: "questions", limit: -1 });
    expect(invalid.status).toBe(400);
    expect(invalid.error?.data.code).toBe("BAD_REQUEST");
    const notFound = await trpc(ctx, "query", "rows.list", { relation: "nope" });
    expect(notFound.status).toBe(404);
    const badJson = await ctx.post("/api/trpc/rows.add", { headers: { "content-type": "application/json" }, data: Buffer.from("{not json") });
    expect(badJson.status()).toBe(400);
    const badJsonBody = await badJson.text();
    expect(JSON.parse(badJsonBody).error.json.data.code).toBe("PARSE_ERROR");
    const badSignIn = await request.post("/api/auth/sign-in/email", { data: { email: 5, password: [] } });
    expect(badSignIn.status()).toBe(400);
    for (const [name, text] of [
      ["anonymous", JSON.stringify(anonymous)],
      ["validation", JSON.stringify(invalid)],
      ["not found", JSON.stringify(notFound)],
      ["bad JSON", badJsonBody],
      ["sign-in", await badSignIn.text()],
    ] as const) {
      expect([name, INTERNALS.test(text)]).toEqual([name, false]);
    }
    // A page's own bug path (a malformed URL in a route parameter): a bare 500, nothing inside.
    for (const caller of [request, ctx]) {
      const broken = await caller.get("/relations/%E0%A4%A");
      expect(broken.status()).toBe(500);
      expect(INTERNALS.test(await broken.text())).toBe(false);
    }
    await ctx.dispose();
  });

  test("a cookie-authenticated mutation from another origin is refused; the console's own origin is not", async ({ playwright, baseURL }) => {
    const ctx = await playwright.request.newContext({ baseURL, storageState: ADMIN_STATE });
    const foreign = await ctx.post("/api/trpc/apiKeys.create", { headers: { origin: "https://evil.example" }, data: { json: { name: "csrf", role: "admin" } } });
    expect(foreign.status()).toBe(403);
    expect(await foreign.text()).toMatch(/cross-site request refused/);
    const own = await ctx.post("/api/trpc/auth.me", { headers: { origin: baseURL! }, data: {} });
    expect(own.status()).toBe(200); // a query over POST (method override) from the console's origin
    await ctx.dispose();
  });
});
