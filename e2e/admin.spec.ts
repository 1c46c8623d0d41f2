import type { Page } from "@playwright/test";
import { TRPCClientError } from "@trpc/client";
import { createMotionClient } from "@motion/api/client";
import { USERS, expect, signIn, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

/** The running console (the typed client talks to it like any service would). */
const baseURL = () => test.info().project.use.baseURL!;

/** A screenshot of the page as an operator sees it, kept with the run's results. */
async function snapshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: test.info().outputPath(`${name}.png`), fullPage: true });
}

/** Creates an API key through the console and returns the key read from the one-time dialog. */
async function createKeyInConsole(page: Page, name: string, role: "viewer" | "labeler"): Promise<string> {
  await page.getByTestId("new-api-key-button").click();
  const dialog = page.getByTestId("create-api-key-dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await page.getByRole("option", { name: role, exact: true }).click();
  await dialog.getByRole("button", { name: "Create key" }).click();
  const keyField = dialog.getByTestId("new-api-key");
  await expect(keyField).toHaveValue(/^mk_/);
  await expect(dialog).toContainText("This key won’t be shown again");
  await expect(dialog.getByTestId("copy-api-key")).toBeVisible();
  const key = await keyField.inputValue();
  return key;
}

/** The HTTP status of a typed-client call (200 when it succeeded). */
async function statusOf(call: Promise<unknown>): Promise<number> {
  try {
    await call;
    return 200;
  } catch (error) {
    if (error instanceof TRPCClientError) return (error.data as { httpStatus?: number } | undefined)?.httpStatus ?? -1;
    throw error;
  }
}

test.describe.serial("an admin manages operators, API keys and params", () => {
  test("creates API keys in the console; the server honours their role and the revocation", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto("/");
    await page.getByRole("link", { name: "Admin" }).click();
    await expect(page).toHaveURL(/\/admin\/users$/);
    await page.getByRole("link", { name: "API keys" }).click();
    await expect(page).toHaveURL(/\/admin\/api-keys$/);

    // A viewer key may read but not add rows.
    const viewerKey = await createKeyInConsole(page, "e2e viewer key", "viewer");
    await snapshot(page, "api-key-created");
    await page.getByTestId("api-key-done").click();
    await expect(page.getByTestId("create-api-key-dialog")).toBeHidden();
    const viewer = createMotionClient({ url: baseURL(), apiKey: viewerKey });
    expect((await viewer.health.query()).ok).toBe(true);
    expect(await statusOf(viewer.relations.list.query())).toBe(200);
    expect(await statusOf(viewer.rows.add.mutate({ relation: "questions", row: { text: "Can a viewer key add rows?", askedBy: "e2e" } }))).toBe(403);

    // A labeler key may.
    const labelerKey = await createKeyInConsole(page, "e2e labeler key", "labeler");
    await page.getByTestId("api-key-done").click();
    const labeler = createMotionClient({ url: baseURL(), apiKey: labelerKey });
    const added = await labeler.rows.add.mutate({ relation: "questions", row: { text: "How do API keys work?", askedBy: "e2e" } });
    expect(added.inferences[0]?.trigger).toBe(TRIGGER);

    // The list shows both, with their role, prefix and (for the labeler key) a last use.
    const row = page.getByTestId("api-key-row").filter({ has: page.getByText("e2e labeler key", { exact: true }) });
    await expect(row).toContainText("labeler");
    await expect(row).toContainText(labelerKey.slice(0, 6));
    await page.reload();
    await expect(row).not.toContainText("never");
    await snapshot(page, "api-keys");

    // Revoke it with a confirmation; the very next call is refused.
    await row.getByRole("button", { name: /Revoke/ }).click();
    const confirm = page.getByTestId("revoke-api-key-dialog");
    await expect(confirm).toContainText("401 Unauthorized");
    await confirm.getByLabel(/Reason/).fill("e2e: rotate");
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await expect(confirm).toBeHidden();
    await expect(row.getByTestId("api-key-status")).toContainText("revoked");
    await expect(row.getByRole("button", { name: /Revoke/ })).toHaveCount(0);
    expect(await statusOf(labeler.rows.add.mutate({ relation: "questions", row: { text: "Still there?", askedBy: "e2e" } }))).toBe(401);
    // The other key is untouched.
    expect(await statusOf(viewer.relations.list.query())).toBe(200);
  });

  test("creates a user, changes their role with a reason, and finds it in the audit log", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto("/admin/users");
    const email = `e2e-${Date.now()}@e2e.local`;

    await page.getByTestId("new-user").click();
    const create = page.getByTestId("create-user-dialog");
    await create.getByLabel("Email").fill(email);
    await create.getByLabel("Password").fill("short");
    await create.getByRole("button", { name: "Create user" }).click();
    // The server's zod issue is shown under the field it names.
    await expect(create.locator("#user-password-error")).toContainText(/8/);
    await create.getByLabel("Password").fill("e2e-new-user-password");
    await create.getByRole("button", { name: "Create user" }).click();
    await expect(create).toBeHidden();

    const row = page.getByTestId("user-row").filter({ hasText: email });
    await expect(row.getByTestId("user-role")).toHaveText("viewer");
    await row.getByRole("button", { name: /Change role/ }).click();
    const dialog = page.getByTestId("set-role-dialog");
    const submit = dialog.getByRole("button", { name: /^Change to/ });
    await expect(submit).toBeDisabled();
    await dialog.getByRole("combobox", { name: "New role" }).click();
    await page.getByRole("option", { name: "labeler", exact: true }).click();
    await expect(submit).toBeDisabled(); // a reason is required
    await dialog.getByLabel(/Reason/).fill("e2e: joins the labeling rota");
    await submit.click();
    await expect(dialog).toBeHidden();
    await expect(row.getByTestId("user-role")).toHaveText("labeler");
    await snapshot(page, "users");

    await page.getByRole("link", { name: "Audit log" }).click();
    await expect(page).toHaveURL(/\/admin\/audit$/);
    const entry = page.getByTestId("audit-row").filter({ hasText: email }).filter({ hasText: "users.setRole" });
    await expect(entry).toHaveCount(1);
    await expect(entry).toContainText("viewer → labeler");
    await expect(entry.getByTestId("audit-reason")).toHaveText("e2e: joins the labeling rota");
    await expect(entry).toContainText(USERS.admin.email);
    // The earlier test's key revocation is there too, with its reason.
    await expect(page.getByTestId("audit-row").filter({ hasText: "apiKeys.revoke" }).first()).toContainText("e2e: rotate");
    await entry.click(); // expands the recorded data
    await expect(page.getByTestId("audit-table")).toContainText(`"from": "viewer"`);
    await snapshot(page, "audit");

    // Filter by action through the URL; the filter survives a reload.
    await page.goto("/admin/audit?action=users.setRole");
    await expect(page.getByTestId("audit-row").first()).toBeVisible();
    expect(await page.getByTestId("audit-row").evaluateAll((rows) => rows.every((r) => r.getAttribute("data-action") === "users.setRole"))).toBe(true);
  });

  test("disables an operator: their open session is gone at once, and they cannot sign back in", async ({ page, browser }) => {
    test.slow(); // two browsers, and the enable / delete round after it
    await useSession(page, "admin");
    const email = `leaver-${Date.now()}@e2e.local`;
    const password = "e2e-leaver-password";
    expect((await trpc(page.request, "mutation", "users.create", { email, password, role: "labeler" })).error).toBeUndefined();

    // The operator works in their own browser.
    const theirs = await browser.newContext({ baseURL: baseURL() });
    const their = await theirs.newPage();
    await their.goto("/sign-in");
    await their.getByLabel("Email").fill(email);
    await their.getByLabel("Password").fill(password);
    await their.getByRole("button", { name: "Sign in" }).click();
    await expect(their.getByTestId("me-email")).toHaveText(email);
    expect((await trpc(their.request, "query", "auth.me", undefined)).data?.email).toBe(email);

    // The admin disables them, with a reason, after reading what will happen.
    await page.goto("/admin/users");
    const row = page.getByTestId("user-row").filter({ hasText: email });
    await expect(row.getByTestId("user-status")).toHaveText("active");
    await row.getByTestId("user-actions").click();
    await page.getByRole("menuitem", { name: /Disable/ }).click();
    const dialog = page.getByTestId("disable-user-dialog");
    await expect(dialog).toContainText("every session ends now");
    await expect(dialog).toContainText("every API key they created is revoked now");
    const submit = dialog.getByRole("button", { name: "Disable user" });
    await expect(submit).toBeDisabled(); // a reason is required
    await dialog.getByLabel(/Reason/).fill("e2e: left the team");
    await snapshot(page, "disable-user");
    await submit.click();
    await expect(dialog).toBeHidden();
    await expect(row.getByTestId("user-status")).toContainText("disabled");

    // Their session is gone: the API refuses it and the console sends them to sign in.
    expect((await trpc(their.request, "query", "triggers.list", undefined)).status).toBe(401);
    await their.reload();
    await expect(their).toHaveURL(/\/sign-in/);
    await their.getByLabel("Email").fill(email);
    await their.getByLabel("Password").fill(password);
    await their.getByRole("button", { name: "Sign in" }).click();
    await expect(their.getByRole("form", { name: "Sign in" }).getByRole("alert")).toContainText(/disabled/i);
    await theirs.close();

    // Recorded in the audit log with the reason.
    await page.goto("/admin/audit?action=users.disable");
    const entry = page.getByTestId("audit-row").filter({ hasText: email });
    await expect(entry.getByTestId("audit-reason")).toHaveText("e2e: left the team");

    // Enable again; then delete, confirming with the e-mail.
    await page.goto("/admin/users");
    await row.getByTestId("user-actions").click();
    await page.getByRole("menuitem", { name: /Enable/ }).click();
    await page.getByTestId("enable-user-dialog").getByRole("button", { name: "Enable user" }).click();
    await expect(row.getByTestId("user-status")).toHaveText("active");
    await row.getByTestId("user-actions").click();
    await page.getByRole("menuitem", { name: /Delete/ }).click();
    const del = page.getByTestId("delete-user-dialog");
    await del.getByLabel(/Reason/).fill("e2e: cleanup");
    await expect(del.getByRole("button", { name: "Delete user" })).toBeDisabled();
    await del.getByLabel(/to confirm/).fill(email);
    await del.getByRole("button", { name: "Delete user" }).click();
    await expect(del).toBeHidden();
    await expect(page.getByTestId("user-row").filter({ hasText: email })).toHaveCount(0);
  });

  test("cannot demote the last admin: the CONFLICT is shown in the dialog", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto("/admin/users");
    const row = page.getByTestId("user-row").filter({ hasText: USERS.admin.email });
    await expect(row).toContainText("you");
    await row.getByRole("button", { name: /Change role/ }).click();
    const dialog = page.getByTestId("set-role-dialog");
    await dialog.getByRole("combobox", { name: "New role" }).click();
    await page.getByRole("option", { name: "viewer", exact: true }).click();
    await expect(dialog).toContainText("you will lose access");
    await dialog.getByLabel(/Reason/).fill("e2e: tries to leave no admin");
    await dialog.getByRole("button", { name: "Change to viewer" }).click();
    await expect(dialog.getByTestId("role-error")).toContainText("Can’t demote the last admin");
    await expect(dialog.getByTestId("role-error")).toContainText("last admin");
    await snapshot(page, "last-admin");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row.getByTestId("user-role")).toHaveText("admin");
  });

  test("edits a trigger's params with validation by path, and unpins a pinned active alias", async ({ page }) => {
    await useSession(page, "admin");
    const before = (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data as { params: Record<string, unknown>; activeVersion: number };
    await page.goto(`/state/${TRIGGER}`);
    const card = page.getByTestId("params-card");
    await expect(card).toContainText(`"k": ${before.params.k}`);
    await card.getByTestId("edit-params").click();
    const editor = card.getByLabel(/Params \(JSON/);

    await editor.fill("{ not json");
    await expect(card.getByTestId("params-parse-error")).toContainText("Not valid JSON");
    await expect(card.getByTestId("save-params")).toBeDisabled();

    await editor.fill(JSON.stringify({ ...before.params, k: 999, temperature: "hot" }, null, 2));
    await expect(card.getByTestId("params-changes")).toContainText(`k ${before.params.k} → 999`);
    await card.getByTestId("save-params").click();
    const issues = card.getByTestId("params-issue");
    await expect(issues).toHaveCount(2);
    await expect(issues.filter({ hasText: /^k\b/ })).toContainText(/20/);
    await expect(issues.filter({ hasText: /^temperature\b/ })).toBeVisible();
    await snapshot(page, "params-invalid");

    await editor.fill(JSON.stringify({ ...before.params, k: 5 }, null, 2));
    await card.getByTestId("save-params").click();
    await expect(card.getByTestId("params-editor")).toBeHidden();
    await expect(card).toContainText(`"k": 5`);
    expect((await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data.params.k).toBe(5);
    // Put the example's params back for the other specs.
    expect((await trpc(page.request, "mutation", "triggers.setParams", { trigger: TRIGGER, params: before.params })).error).toBeUndefined();

    // Pin active where it is (through the API), then unpin in the console.
    expect((await trpc(page.request, "mutation", "state.rollback", { trigger: TRIGGER, version: before.activeVersion, reason: "e2e: hold", pin: true })).error).toBeUndefined();
    await page.reload();
    await expect(page.getByTestId("pinned-banner")).toContainText(`pinned to v${before.activeVersion}`);
    await snapshot(page, "state-pinned");
    await page.getByTestId("unpin").click();
    const dialog = page.getByTestId("unpin-dialog");
    await dialog.getByLabel(/Reason/).fill("e2e: release");
    await dialog.getByRole("button", { name: "Unpin" }).click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("pinned-banner")).toHaveCount(0);
    await expect(page.getByTestId("alias-history")).toContainText("e2e: release");
    expect((await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data.pinned).toBe(false);
  });

  test("a viewer sees no Admin link and gets a 403 page on an admin URL", async ({ page }) => {
    await signIn(page, "viewer");
    await expect(page.getByRole("navigation", { name: "Main" })).toContainText("Fits");
    await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
    for (const path of ["/admin/users", "/admin/api-keys", "/admin/audit"]) {
      await page.goto(path);
      await expect(page.getByTestId("forbidden")).toContainText("Admins only");
      await expect(page.getByTestId("forbidden")).toContainText("viewer");
    }
    await expect(page.getByTestId("users-table")).toHaveCount(0);
    await snapshot(page, "forbidden");
    // The viewer sees params but no editor, and the API refuses the admin procedures anyway.
    await page.goto(`/state/${TRIGGER}`);
    await expect(page.getByTestId("params-card")).toBeVisible();
    await expect(page.getByTestId("edit-params")).toHaveCount(0);
    expect((await trpc(page.request, "query", "users.list", undefined)).error?.data.code).toBe("FORBIDDEN");
    expect((await trpc(page.request, "mutation", "apiKeys.create", { name: "sneaky", role: "admin" })).status).toBe(403);
  });
});
