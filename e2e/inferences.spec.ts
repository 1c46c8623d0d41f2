import { expect, test, trpc, useSession } from "./support";

test("an operator searches inferences, shares the view, opens one from a row and labels it", async ({ page }) => {
  await useSession(page, "labeler");
  await page.goto("/inferences");
  const marker = `zebra-${Date.now()}`;
  const added = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: `How do I roll back (${marker})?`, askedBy: "e2e" } });
  expect(added.error).toBeUndefined();
  const inferenceId = added.data.inferences[0].id as string;

  // Text search finds it by a word of the question; the view is in the URL.
  await page.getByLabel("Search text").fill(marker.toUpperCase());
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page).toHaveURL(new RegExp(`q=${marker.toUpperCase()}`));
  const rows = page.getByTestId("inference-row");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(marker);

  // A filter that excludes it: nothing matches; clearing brings the full list back.
  await page.getByRole("combobox", { name: "Label" }).click();
  await page.getByRole("option", { name: "Labeled good" }).click();
  await expect(page.getByText("No inferences match")).toBeVisible();
  await page.getByRole("button", { name: "Clear" }).click();
  await expect(rows.first()).toBeVisible();
  await expect(page).toHaveURL(/\/inferences$/);

  // From the row's panel to the inference, then label it there.
  await page.goto(`/relations/questions?row=${added.data.id}`);
  await page.getByTestId("row-panel").getByTestId("row-inference-open").first().click();
  await expect(page).toHaveURL(new RegExp(`/inferences\\?open=${inferenceId}`));
  const panel = page.getByTestId("inference-panel");
  await expect(panel).toContainText(marker);
  await panel.getByLabel("Note").fill("answered from the rollback page");
  await panel.getByRole("button", { name: "Good" }).click();
  await expect(panel.getByText("answered from the rollback page")).toBeVisible();
  const stored = await trpc(page.request, "query", "inferences.get", { id: inferenceId });
  expect(stored.data.feedback.at(-1)).toMatchObject({ label: "good", note: "answered from the rollback page", actor: "labeler@e2e.local" });

  // The shared link opens the same view for someone else (here: a reload).
  await page.goto(`/inferences?q=${marker}&label=good`);
  await expect(page.getByTestId("inference-row")).toHaveCount(1);
});
