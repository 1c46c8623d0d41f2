import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

test("alias history: a fit's two moves are one row, operator moves can be shown alone; versions show their checksum", async ({ page }) => {
  await useSession(page, "admin");
  // Two operator moves that leave the state as it was: pin active where it is, then unpin.
  const before = (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data as { activeVersion: number };
  expect((await trpc(page.request, "mutation", "state.rollback", { trigger: TRIGGER, version: before.activeVersion, reason: "e2e: hold for the audit", pin: true })).error).toBeUndefined();
  expect((await trpc(page.request, "mutation", "state.unpin", { trigger: TRIGGER, reason: "e2e: release after the audit" })).error).toBeUndefined();

  await page.goto(`/state/${TRIGGER}`);
  const history = page.getByTestId("alias-history");
  const automatic = history.locator('[data-testid="alias-move"][data-automatic="true"]');
  await expect(automatic.first()).toBeVisible();
  // Each automatic row carries both aliases the fit (or setUp) moved.
  for (const row of await automatic.all()) {
    await expect(row.getByText("active", { exact: true })).toBeVisible();
    await expect(row.getByText("latest", { exact: true })).toBeVisible();
  }
  const events = (await trpc(page.request, "query", "state.aliasHistory", { trigger: TRIGGER })).data.items as unknown[];
  expect(await history.getByTestId("alias-move").count()).toBeLessThan(events.length);

  await page.getByTestId("operator-moves").click();
  await expect(page).toHaveURL(/moves=operator/);
  await expect(history.locator('[data-automatic="true"]')).toHaveCount(0);
  await expect(history.getByTestId("alias-move").first()).toContainText("e2e: release after the audit");
  await expect(history.getByTestId("alias-move").nth(1)).toContainText("e2e: hold for the audit");
  await page.reload();
  await expect(history.locator('[data-automatic="true"]')).toHaveCount(0);

  // The checksum the docs promise, per version.
  const versions = (await trpc(page.request, "query", "state.versions", { trigger: TRIGGER })).data.items as { version: number; checksum: string }[];
  const newest = versions[0]!;
  await expect(page.getByTestId(`version-row-${newest.version}`).getByTestId("version-checksum")).toHaveText(newest.checksum.slice(0, 12));
});
