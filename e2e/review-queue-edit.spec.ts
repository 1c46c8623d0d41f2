// An admin edits a named queue from its card: name, description and assignees change, the
// items (and their progress) stay; one item is given to another labeler, so the queue's own
// labeler gets the next one; a labeler sees no edit button.
import { expect, test, trpc, useSession, USERS } from "./support";

test("edit a queue's name, description and assignees", async ({ page }) => {
  await useSession(page, "admin");
  const name = `to edit ${Date.now()}`;
  const created = await trpc(page.request, "mutation", "queues.create", { name, trigger: "docs-qa", feed: { maxItems: 3 }, assignees: [] });
  expect(created.error).toBeUndefined();
  const id: string = created.data.id;

  await page.goto("/queues");
  const card = page.locator(`[data-testid=queue-card][data-queue="${id}"]`);
  await expect(card).toContainText("anyone with the labeler role");
  const progress = await card.getByTestId("queue-progress").textContent();
  await card.getByTestId("edit-queue").click();
  const dialog = page.getByTestId("edit-queue-dialog");
  await expect(dialog.getByLabel("Name")).toHaveValue(name);
  await dialog.getByLabel("Name").fill(`${name} renamed`);
  await dialog.getByLabel(/Description/).fill("answers about rollback");
  await dialog.getByLabel(/Assign to/).fill(USERS.labeler.email);
  await dialog.getByTestId("save-queue").click();
  await expect(dialog).toHaveCount(0);

  await expect(card.locator("h3")).toHaveText(`${name} renamed`);
  await expect(card).toContainText("answers about rollback");
  await expect(card).toContainText(USERS.labeler.email);
  await expect(card.getByTestId("queue-progress")).toHaveText(progress!);
  const stored = await trpc(page.request, "query", "queues.get", { id });
  expect(stored.data).toMatchObject({ name: `${name} renamed`, description: "answers about rollback", assignees: [USERS.labeler.email] });

  // One item for one labeler: the first item in queue order goes to someone else, so the
  // labeler the queue is assigned to gets the second.
  const items = await trpc(page.request, "query", "inferences.list", { trigger: "docs-qa", limit: 3 });
  const first: string = items.data.items[0].id;
  await card.getByTestId("edit-queue").click();
  const form = page.getByTestId("assign-item-form");
  await form.getByLabel("Inference id").fill(first);
  await form.getByLabel(/Labeler/).fill("labeler2@e2e.local");
  await form.getByTestId("assign-item").click();
  await expect(form.getByRole("status")).toHaveText("Assigned to labeler2@e2e.local");
  await form.getByLabel("Inference id").fill("0000000000notinqueue");
  await form.getByTestId("assign-item").click();
  await expect(form.getByRole("alert")).toContainText("not in review queue");
  await page.keyboard.press("Escape");

  // A labeler works queues but does not edit them.
  await page.context().clearCookies();
  await useSession(page, "labeler");
  await page.goto("/queues");
  await expect(page.locator(`[data-testid=queue-card][data-queue="${id}"]`)).toBeVisible();
  await expect(page.locator(`[data-testid=queue-card][data-queue="${id}"]`).getByTestId("edit-queue")).toHaveCount(0);
  const next = await trpc(page.request, "mutation", "queues.next", { queueId: id });
  expect(next.data.inference.id).toBe(items.data.items[1].id);
  await trpc(page.request, "mutation", "review.release", { inferenceId: next.data.inference.id });
});
