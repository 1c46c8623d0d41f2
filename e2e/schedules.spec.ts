import { expect, signIn, test, trpc, useSession } from "./support";

/**
 * The example chatbot polls its fine-tuning job on a schedule (route `fine-tune-poll`, every
 * 5 minutes): the Fits page shows it with cron, time zone, next and last run. Run now queues a
 * manual tick; with no fine-tuning job the poll changes nothing, so no version is made (other
 * specs depend on the example's state).
 */
test.describe.serial("schedules on the Fits page", () => {
  test("shows each schedule's cron, time zone, next and last run; an admin runs it now", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto("/fits");
    const row = page.getByTestId("schedules-panel").locator('[data-schedule="docs-qa/fine-tune-poll"]');
    await expect(row).toBeVisible();
    await expect(row.getByTestId("schedule-cron")).toHaveText("*/5 * * * *");
    await expect(row.getByTestId("schedule-timezone")).toHaveText("UTC");
    await expect(row.getByTestId("schedule-next").locator("time")).toHaveText(/^(in \d+ (sec|min)\.?|just now)$/);
    const api = await trpc(page.request, "query", "schedules.list", {});
    const listed = (api.data.items as { route: string; nextRunAt: string }[]).find((s) => s.route === "fine-tune-poll")!;
    expect(new Date(listed.nextRunAt).getUTCMinutes() % 5).toBe(0);

    await row.getByTestId("schedule-run-now").click();
    await expect(page.getByText("Scheduled fit of docs-qa/fine-tune-poll queued").first()).toBeVisible();
    const last = row.getByTestId("schedule-last");
    // (A cron tick landing right after the click would be the last run instead: both are fine.)
    await expect(last).toContainText(/manual|ago|just now/);
    const ticks = await trpc(page.request, "query", "schedules.history", { trigger: "docs-qa" });
    expect((ticks.data.items as { kind: string }[]).some((t) => t.kind === "manual")).toBe(true);
    expect(ticks.data).toHaveProperty("nextCursor");
    await expect(last.locator("[data-status]")).toHaveAttribute("data-status", "succeeded");
    await expect(last).toContainText("no change");
    // The run is in the fit history, marked as scheduled.
    await expect(page.getByTestId("fits-table").getByTestId("fit-scheduled").first()).toBeVisible();
    // Its page says why it ran.
    await last.getByRole("link").click();
    await expect(page.getByTestId("fit-reason")).toHaveText(/scheduled tick/);
  });

  test("a viewer sees the schedules without the run-now control, and the API refuses it", async ({ page }) => {
    await signIn(page, "viewer");
    await page.goto("/fits");
    await expect(page.getByTestId("schedule-row").first()).toBeVisible();
    await expect(page.getByTestId("schedule-run-now")).toHaveCount(0);
    expect((await trpc(page.request, "mutation", "schedules.runNow", { trigger: "docs-qa" })).status).toBe(403);
  });
});
