import Database from "better-sqlite3";
import type { Page } from "@playwright/test";
import { expect, signIn, test, trpc, useSession } from "./support";

/**
 * Dead-lettered runs written straight into the console's database: the example app's fits do
 * not fail. Their route is one the app does not have, so a retried run stays queued and never
 * changes the example's state (other specs depend on it).
 */
function insertDeadRuns(n: number): string[] {
  const db = new Database(process.env.MOTION_E2E_DB!);
  try {
    const now = Date.now();
    const ids = Array.from({ length: n }, (_, i) => `e2e-dead-${now}-${i}`);
    const insert = db.prepare(
      `INSERT INTO "FitRun" ("id", "trigger", "route", "relation", "status", "rowIds", "rowCount", "params", "paramsHash", "attempts", "maxAttempts", "error", "deadLettered", "queuedAt", "startedAt", "finishedAt", "durationMs")
       VALUES (?, 'docs-qa', 'e2e-gone', 'questions', 'failed', '[]', 0, '{}', 'e2e', 3, 3, 'e2e: planned failure', 1, ?, ?, ?, 12)`,
    );
    // Each run failed three times; the first attempt logged before it threw.
    const attempt = db.prepare(
      `INSERT INTO "FitAttempt" ("id", "fitRunId", "attempt", "outcome", "error", "errorStack", "logs", "owner", "durationMs", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const logs = JSON.stringify({ entries: [{ at: now - 59_000, level: "info", msg: "e2e: loading 3 rows" }, { at: now - 58_500, level: "warn", msg: "e2e: provider slow", data: { ms: 900 } }], dropped: 0 });
    for (const id of ids) {
      insert.run(id, now - 60_000, now - 50_000, now - 40_000);
      attempt.run(`${id}-a1`, id, 1, "failed", "e2e: planned failure 1", "Error: e2e: planned failure 1\n    at fit", logs, "e2e-host:1:x", 4, now - 58_000);
      attempt.run(`${id}-a2`, id, 2, "timeout", "fit timed out after 500 ms (maxDurationMs)", null, null, "e2e-host:1:x", 500, now - 50_000);
      attempt.run(`${id}-a3`, id, 3, "failed", "e2e: planned failure", null, null, "e2e-host:1:x", 3, now - 40_000);
    }
    return ids;
  } finally {
    db.close();
  }
}

async function retryAudits(page: Page, reason: string): Promise<string[]> {
  const r = await trpc(page.request, "query", "audit.list", { action: "fits.retry", limit: 200 });
  return (r.data.items as { target: string; reason: string | null }[]).filter((a) => a.reason === reason).map((a) => a.target).sort();
}

test.describe.serial("fit retries", () => {
  test("a retry asks for confirmation and a reason, which the audit log and the run keep", async ({ page }) => {
    const [id] = insertDeadRuns(1);
    await useSession(page, "admin");
    await page.goto(`/fits/${id}`);
    // Every failed attempt is listed with its outcome and error; the first one's logs show.
    const failures = page.getByTestId("fit-history-failed");
    await expect(failures).toHaveCount(3);
    await expect(failures.nth(0)).toContainText("Attempt 1");
    await expect(failures.nth(0).getByTestId("fit-attempt-error")).toHaveText("e2e: planned failure 1");
    await expect(failures.nth(0).getByTestId("fit-log-line")).toHaveText([/e2e: loading 3 rows/, /e2e: provider slow/]);
    await expect(failures.nth(1)).toContainText("timed out");
    await expect(failures.nth(1)).toContainText("lost with it");
    await expect(page.getByTestId("fit-history-retry")).toHaveCount(0);
    await page.getByTestId("retry-fit").click();
    const dialog = page.getByTestId("retry-dialog");
    await expect(dialog).toContainText("Retry this fit run?");
    const confirm = dialog.getByTestId("confirm-retry");
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/Reason/).fill("e2e: the provider is back");
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("fit-retry-reason")).toHaveText("e2e: the provider is back");
    await expect(page.getByTestId("fit-history-retry")).toContainText("Retried by");
    // The run waits for its next attempt, after the three failures and the retry.
    await expect(page.getByTestId("fit-history-pending")).toContainText("Attempt 1 of 3");
    await expect(page.getByTestId("retry-fit")).toHaveCount(0); // queued now, not dead-lettered
    expect(await retryAudits(page, "e2e: the provider is back")).toEqual([id]);
  });

  test("an admin retries every shown dead-lettered run at once, with one audited reason", async ({ page }) => {
    const ids = insertDeadRuns(3);
    await useSession(page, "admin");
    await page.goto("/fits?status=dead");
    await expect(page.getByTestId("fits-table").getByRole("row")).toHaveCount(4); // header + 3
    await page.getByTestId("retry-all-dead").click();
    const dialog = page.getByTestId("retry-dialog");
    await expect(dialog).toContainText("Retry 3 dead-lettered fit runs?");
    await dialog.getByLabel(/Reason/).fill("e2e: bulk after the outage");
    await dialog.getByTestId("confirm-retry").click();
    await expect(dialog).toBeHidden();
    await expect(page.getByText("3 fit runs re-queued").first()).toBeVisible();
    await expect(page.getByText("No fit runs")).toBeVisible();
    expect(await retryAudits(page, "e2e: bulk after the outage")).toEqual([...ids].sort());
  });

  test("a viewer sees no retry controls, and the API refuses a bulk retry", async ({ page }) => {
    insertDeadRuns(1);
    await signIn(page, "viewer");
    await page.goto("/fits?status=dead");
    await expect(page.getByTestId("fits-table").getByRole("row").nth(1)).toBeVisible();
    await expect(page.getByTestId("retry-all-dead")).toHaveCount(0);
    expect((await trpc(page.request, "mutation", "fits.retryMany", { ids: ["x"], reason: "nope" })).status).toBe(403);
  });
});
