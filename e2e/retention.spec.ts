import { expect, test, trpc, useSession } from "./support";

test("an admin deletes one row from its panel, and runs 'delete rows older than…' with a reason", async ({ page }) => {
  await useSession(page, "admin");
  await page.goto("/relations/questions");
  const added = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: "Please forget this question (e2e retention)", askedBy: "e2e" } });
  expect(added.error).toBeUndefined();
  const id = added.data.id as string;

  // The policy the example declares shows on the relation.
  await expect(page.getByTestId("retention-badge")).toHaveText(/kept 365 days/);

  // One row, from its panel: a reason is required, then the row and its inference are gone.
  await page.goto(`/relations/questions?row=${id}`);
  const panel = page.getByTestId("row-panel");
  await expect(panel.getByText("Please forget this question")).toBeVisible();
  await panel.getByTestId("delete-row-open").click();
  const dialog = page.getByTestId("delete-row-dialog");
  await expect(dialog.getByRole("button", { name: "Delete row" })).toBeDisabled();
  await dialog.getByLabel(/Reason/).fill("data-removal request #42");
  await dialog.getByRole("button", { name: "Delete row" }).click();
  await expect(page.getByText("Row deleted", { exact: true })).toBeVisible();
  await expect(panel).toBeHidden();
  const gone = await trpc(page.request, "query", "rows.get", { id });
  expect(gone.error?.data.code).toBe("NOT_FOUND");

  // Rows older than a cut-off: a future cut-off is refused in the form; a past one runs and reports.
  await page.getByTestId("purge-open").click();
  const purge = page.getByTestId("purge-dialog");
  await purge.getByLabel("Rows stored before").fill("2099-01-01T00:00");
  await expect(purge.getByText("The cut-off must not be in the future.")).toBeVisible();
  await purge.getByLabel(/Reason/).fill("clean-up before the seed (deletes nothing)");
  await expect(purge.getByRole("button", { name: "Delete rows" })).toBeDisabled();
  await purge.getByLabel("Rows stored before").fill("2001-01-01T00:00");
  await purge.getByRole("button", { name: "Delete rows" }).click();
  await expect(purge.getByTestId("purge-result")).toHaveText(/Deleted 0 rows, 0 inferences, 0 labels/);
  await expect(page.getByTestId("row").first()).toBeVisible(); // nothing else went

  // Both decisions are in the audit log with the admin as actor and the reasons.
  const audit = await trpc(page.request, "query", "audit.list", { action: "rows.delete" });
  expect(audit.data.items.some((e: { target: string; reason: string }) => e.target === id && e.reason === "data-removal request #42")).toBe(true);
});
