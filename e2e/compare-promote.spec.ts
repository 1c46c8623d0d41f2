import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

test("Compare: make a version the candidate, shadow it, promote it with a reason", async ({ page }) => {
  await useSession(page, "admin");
  // The seed's fits must be done, so active stays put during the spec.
  await expect.poll(async () => (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data?.pendingRows, { timeout: 60_000 }).toBe(0);
  const info = (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data;
  const active = info.activeVersion as number;
  expect(active).toBeGreaterThan(0);
  const target = active - 1;
  try {
    await page.goto(`/state/${TRIGGER}/compare?a=${active}&b=${target}`);
    const panel = page.getByTestId("candidate-panel");
    await expect(panel.getByTestId("candidate-none")).toBeVisible();
    await panel.getByTestId("candidate-set").click();
    await expect(panel.getByTestId("candidate-version")).toHaveText(`candidate v${target}`);

    // Shadow every row: the caller still gets active's answer, the candidate's is only compared.
    expect((await trpc(page.request, "mutation", "experiments.settings", { trigger: TRIGGER, shadow: { share: 1 } })).error).toBeUndefined();
    await page.reload();
    await expect(panel.getByTestId("shadow-summary")).toBeVisible();

    await panel.getByTestId("candidate-promote").click();
    const dialog = page.getByTestId("candidate-dialog");
    await expect(dialog).toContainText(`from v${active} to v${target}`);
    await dialog.getByLabel(/Reason/).fill("e2e: promote from Compare");
    await dialog.getByRole("button", { name: "Promote" }).click();
    await expect(dialog).toBeHidden();
    await expect(panel.getByTestId("candidate-none")).toBeVisible();
    const after = (await trpc(page.request, "query", "experiments.get", { trigger: TRIGGER })).data;
    expect(after).toMatchObject({ active: target, candidate: null });
    const history = (await trpc(page.request, "query", "experiments.history", { trigger: TRIGGER })).data.items;
    expect(history[0]).toMatchObject({ fromVersion: target, toVersion: null, reason: "e2e: promote from Compare" });
  } finally {
    // Leave docs-qa as the other specs expect it: no shadow, active where it was.
    await trpc(page.request, "mutation", "experiments.settings", { trigger: TRIGGER, shadow: { share: 0 } });
    const now = (await trpc(page.request, "query", "experiments.get", { trigger: TRIGGER })).data;
    if (now.candidate !== null) await trpc(page.request, "mutation", "experiments.abort", { trigger: TRIGGER, reason: "e2e: clean up" });
    if (now.active !== active) await trpc(page.request, "mutation", "state.rollback", { trigger: TRIGGER, version: active, reason: "e2e: restore active" });
  }
});
