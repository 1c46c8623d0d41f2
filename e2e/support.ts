import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test as base, expect, type APIRequestContext, type Page } from "@playwright/test";

/**
 * Every spec's `test`: it fails when the page logs an error, throws, or breaks the Content
 * Security Policy (a violation is reported as an error). Expected 4xx answers of the API are
 * not errors of the page.
 */
export const test = base.extend<{ browserErrors: string[] }>({
  browserErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(message.text())) return;
        errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
      await page.addInitScript(() => {
        document.addEventListener("securitypolicyviolation", (e) => console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`));
      });
      await use(errors);
      expect(errors, "errors in the browser").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

export const AUTH_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), ".auth");

export const USERS = {
  admin: { email: process.env.MOTION_E2E_ADMIN_EMAIL ?? "admin@e2e.local", password: process.env.MOTION_E2E_ADMIN_PASSWORD ?? "e2e-admin-password" },
  labeler: { email: "labeler@e2e.local", password: "e2e-labeler-password" },
  viewer: { email: "viewer@e2e.local", password: "e2e-viewer-password" },
} as const;

/** Signs in through the form, like an operator. If the sign-in limit answers, wait and retry. */
export async function signIn(page: Page, who: keyof typeof USERS, from = "/sign-in"): Promise<void> {
  await page.goto(from);
  await page.getByLabel("Email").fill(USERS[who].email);
  await page.getByLabel("Password").fill(USERS[who].password);
  for (let attempt = 0; ; attempt++) {
    await page.getByRole("button", { name: "Sign in" }).click();
    const outcome = await Promise.race([
      page.getByTestId("me-email").waitFor().then(() => "in" as const),
      page.getByText(/too many/i).waitFor().then(() => "limited" as const),
    ]);
    if (outcome === "in" || attempt >= 2) break;
    await page.waitForTimeout(10_500);
  }
  await expect(page.getByTestId("me-email")).toHaveText(USERS[who].email);
}

/** Starts signed in with the session global setup stored (admin or labeler). */
export async function useSession(page: Page, who: "admin" | "labeler"): Promise<void> {
  const state = JSON.parse(readFileSync(path.join(AUTH_DIR, `${who}.json`), "utf8")) as { cookies: Parameters<ReturnType<Page["context"]>["addCookies"]>[0] };
  await page.context().addCookies(state.cookies);
}

/** Calls a tRPC procedure over HTTP with the request context's cookies (superjson envelope). */
export async function trpc(request: APIRequestContext, kind: "query" | "mutation", path: string, input: unknown) {
  const res =
    kind === "query"
      ? await request.get(`/api/trpc/${path}?input=${encodeURIComponent(JSON.stringify({ json: input }))}`)
      : await request.post(`/api/trpc/${path}`, { data: { json: input } });
  const body = (await res.json()) as { result?: { data: { json: any } }; error?: { json: { message: string; data: { code: string } } } };
  return { status: res.status(), data: body.result?.data.json, error: body.error?.json };
}
