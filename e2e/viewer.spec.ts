import { expect, signIn, test, trpc } from "./support";

const TRIGGER = "docs-qa";

test("a viewer sees no rollback or labeling controls, and a direct rollback is refused", async ({ page }) => {
  await signIn(page, "viewer");
  await expect(page.getByTestId("me-role")).toHaveText("viewer");

  await page.goto(`/state/${TRIGGER}`);
  await expect(page.getByTestId("versions-table")).toBeVisible();
  await expect(page.getByTestId("version-row-0")).toBeVisible();
  await expect(page.getByRole("button", { name: /Roll back/ })).toHaveCount(0);

  await page.goto(`/review/${TRIGGER}`);
  await expect(page.getByTestId("review-list")).toBeVisible();
  await expect(page.getByTestId("start-queue")).toHaveCount(0);
  await expect(page.getByTestId("label-good")).toHaveCount(0);

  const direct = await trpc(page.request, "mutation", "state.rollback", { trigger: TRIGGER, version: 0, reason: "viewer tries" });
  expect(direct.status).toBe(403);
  expect(direct.error?.data.code).toBe("FORBIDDEN");

  const label = await trpc(page.request, "mutation", "feedback.label", { inferenceId: "nope", label: "good" });
  expect(label.error?.data.code).toBe("FORBIDDEN");
});
