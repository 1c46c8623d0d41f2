// A named review queue worked by two labelers at once (two browser contexts): each gets
// different items, and the queue's progress adds up to what both labeled.
import type { Page } from "@playwright/test";
import { expect, test, trpc, useSession, USERS } from "./support";

const SECOND = { email: "labeler2@e2e.local", password: "e2e-labeler2-password" };
const ITEMS = 4;

/** Labels the item the queue handed out (with a helpfulness score); null when the queue is empty. */
async function labelOne(page: Page, label: "good" | "bad"): Promise<string | null> {
  const panel = page.getByTestId("label-panel");
  const empty = page.getByText("The queue is empty");
  await expect(panel.or(empty)).toBeVisible();
  if (await empty.isVisible()) return null;
  const id = (await panel.getAttribute("data-inference"))!;
  await panel.getByTestId(`score-helpfulness-${label === "good" ? 5 : 2}`).click();
  await panel.getByTestId(label === "good" ? "label-good" : "label-bad").click();
  // The next item (or the empty queue) replaces this one.
  await expect(page.locator(`[data-testid=label-panel][data-inference="${id}"]`)).toHaveCount(0);
  return id;
}

test("named queue with two labelers", async ({ page, browser }) => {
  await useSession(page, "admin");
  const created = await trpc(page.context().request, "mutation", "users.create", { ...SECOND, role: "labeler", name: "second labeler" });
  if (created.error && !/exist/i.test(created.error.message)) throw new Error(created.error.message);

  // The admin creates the queue in the dialog: a seeded sample of 4, assigned to both labelers.
  const name = `two labelers ${Date.now()}`;
  await page.goto("/queues");
  await page.getByTestId("new-queue").click();
  const dialog = page.getByTestId("create-queue-dialog");
  await dialog.getByLabel("Name").fill(name);
  await dialog.getByRole("combobox", { name: "Label state" }).click();
  await page.getByRole("option", { name: "Any" }).click();
  await dialog.getByRole("combobox", { name: "Sampling" }).click();
  await page.getByRole("option", { name: "A fixed number" }).click();
  await dialog.getByLabel("Items", { exact: true }).fill(String(ITEMS));
  await dialog.getByLabel("Seed").fill("e2e");
  await dialog.getByLabel(/Assign to/).fill(`${USERS.labeler.email}, ${SECOND.email}`);
  await dialog.getByTestId("create-queue").click();
  const card = page.getByTestId("queue-card").filter({ hasText: name });
  await expect(card.getByTestId("queue-progress")).toHaveText(`0 done · 0 skipped · ${ITEMS} pending of ${ITEMS}`, { timeout: 20_000 });
  const queueId = (await card.getAttribute("data-queue"))!;

  // Labeler A (stored session) and labeler B (a fresh context signed in through the API).
  const a = page;
  await a.context().clearCookies();
  await useSession(a, "labeler");
  const bContext = await browser.newContext();
  const signedIn = await bContext.request.post("/api/auth/sign-in/email", { data: SECOND });
  expect(signedIn.ok()).toBe(true);
  const b = await bContext.newPage();
  for (const p of [a, b]) {
    await p.goto("/queues");
    await p.getByTestId("my-queues").click();
    await p.getByTestId("queue-card").filter({ hasText: name }).getByTestId("work-queue").click();
    await expect(p).toHaveURL(new RegExp(`mode=queue&queue=${queueId}`));
  }

  const byA: string[] = [];
  const byB: string[] = [];
  // Both hold an item at the same time, then label in turns until the queue is empty.
  for (let round = 0; round < ITEMS + 1; round++) {
    const [x, y] = await Promise.all([labelOne(a, "good"), labelOne(b, "bad")]);
    if (x) byA.push(x);
    if (y) byB.push(y);
    if (!x && !y) break;
  }
  expect(byA.length).toBeGreaterThan(0);
  expect(byB.length).toBeGreaterThan(0);
  expect(new Set([...byA, ...byB]).size).toBe(byA.length + byB.length);
  expect(byA.length + byB.length).toBe(ITEMS);

  const queue = await trpc(a.context().request, "query", "queues.get", { id: queueId });
  expect(queue.data.progress).toEqual({ total: ITEMS, pending: 0, done: ITEMS, skipped: 0 });
  await expect(b.getByTestId("named-queue-progress")).toContainText(`${ITEMS} done`);
  const one = await trpc(a.context().request, "query", "inferences.get", { id: byB[0] });
  expect(one.data.scores.helpfulness.value).toBe(2);
  expect(one.data.scores.helpfulness.actor).toBe(SECOND.email);
  await bContext.close();
});
