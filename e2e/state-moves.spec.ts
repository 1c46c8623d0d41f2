import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

interface Outcome {
  version: number;
  feedback: { labeled: number; goodRate: number | null };
}

test.describe.serial("moving active shows what changes before it happens", () => {
  let latest = 0;

  test("the timeline shows each version's good-rate and label count", async ({ page }) => {
    await useSession(page, "admin");
    // The seed's fits must be done, so `latest` stays put during the spec.
    await expect.poll(async () => (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data?.pendingRows, { timeout: 60_000 }).toBe(0);
    await expect.poll(async () => (await trpc(page.request, "query", "fits.list", { trigger: TRIGGER, status: "running" })).data?.items.length, { timeout: 60_000 }).toBe(0);
    const info = (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data;
    latest = info.latestVersion;
    expect(latest).toBeGreaterThan(1);
    if (info.activeVersion !== latest) {
      const moved = await trpc(page.request, "mutation", "state.rollback", { trigger: TRIGGER, version: latest, reason: "e2e: start from latest" });
      expect(moved.error).toBeUndefined();
    }
    const outcomes = (await trpc(page.request, "query", "state.outcomes", { trigger: TRIGGER, limit: 50 })).data.items as Outcome[];
    const labeled = outcomes.find((o) => o.feedback.labeled > 0);
    expect(labeled, "the seed labels inferences of some version").toBeDefined();

    await page.goto(`/state/${TRIGGER}`);
    const row = page.getByTestId(`version-row-${labeled!.version}`);
    await expect(row.getByTestId("version-good-rate")).toHaveText(`${Math.round(labeled!.feedback.goodRate! * 100)}%`);
    await expect(row.getByTestId("version-labels")).toHaveText(`${labeled!.feedback.labeled} label${labeled!.feedback.labeled === 1 ? "" : "s"}`);
  });

  test("a rollback shows the state diff, the labels it leaves behind and both versions' outcomes first", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto(`/state/${TRIGGER}`);
    await expect(page.getByTestId("state-active")).toHaveText(new RegExp(`^v${latest}`));
    await page.getByTestId("rollback-1").click();
    const dialog = page.getByTestId("rollback-dialog");
    await expect(dialog.getByRole("heading", { name: `Roll back ${TRIGGER}?` })).toBeVisible();
    await expect(dialog).toHaveAttribute("data-direction", "back");
    const diff = dialog.getByTestId("version-diff");
    await expect(diff.getByTestId("diff-dropped")).toContainText("Leaves behind");
    await expect(diff.getByTestId("diff-keys")).toContainText(/keys? differs?/);
    await expect(diff.locator("[data-testid^='diff-key-']").first()).toBeVisible();
    await expect(dialog.getByTestId("labels-left-behind")).toContainText("not re-fitted");
    await expect(dialog.getByTestId("rollback-refit")).not.toBeChecked();
    const compare = dialog.getByTestId("outcomes-compare");
    await expect(compare).toContainText(`now v${latest}`);
    await expect(compare).toContainText("after v1");
    await expect(compare).toContainText("Good-rate");
    const confirm = dialog.getByRole("button", { name: "Roll back to v1" });
    await expect(confirm).toHaveClass(/bg-destructive/);
    await dialog.getByLabel(/Reason/).fill("e2e: compare before moving");
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("state-active")).toHaveText(/^v1/);
  });

  test("a move to a newer version is worded as a move forward, without a red button", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto(`/state/${TRIGGER}`);
    await expect(page.getByTestId("state-active")).toHaveText(/^v1/);
    const button = page.getByTestId(`rollback-${latest}`);
    await expect(button).toHaveText("Move forward");
    await button.click();
    const dialog = page.getByTestId("rollback-dialog");
    await expect(dialog.getByRole("heading", { name: `Move active forward on ${TRIGGER}?` })).toBeVisible();
    await expect(dialog).toHaveAttribute("data-direction", "forward");
    await expect(dialog.getByTestId("diff-added")).toContainText("Brings in");
    await expect(dialog.getByRole("button", { name: /Roll back/ })).toHaveCount(0);
    const confirm = dialog.getByRole("button", { name: `Move active forward to v${latest}` });
    await expect(confirm).not.toHaveClass(/bg-destructive/);
    await dialog.getByLabel(/Reason/).fill("e2e: forward again");
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(page.getByTestId("state-active")).toHaveText(new RegExp(`^v${latest}`));
    await expect(page.getByTestId("alias-history")).toContainText("e2e: forward again");
  });
});
