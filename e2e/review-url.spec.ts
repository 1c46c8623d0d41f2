// The Review page keeps its view in the URL: a shared link or a reload shows the same filter
// and version, and `?inference=<id>` (what the Inferences and Relations panels link to) opens
// that one inference ready to label.
import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

test("the label filter and version in the URL survive a reload", async ({ page }) => {
  await useSession(page, "labeler");
  const described = await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER });
  const latest = described.data.latestVersion as number;

  await page.goto(`/review/${TRIGGER}`);
  await page.getByRole("tab", { name: "Good" }).click();
  await expect(page).toHaveURL(/[?&]label=good(&|$)/);
  await page.getByRole("combobox", { name: "State version" }).click();
  await page.getByRole("option", { name: `v${latest}`, exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`[?&]version=${latest}(&|$)`));

  await page.reload();
  await expect(page.getByRole("tab", { name: "Good" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("combobox", { name: "State version" })).toHaveText(`v${latest}`);
  // Every listed item is the filtered version (the server prefetch used the URL too).
  const items = page.getByTestId("review-item");
  if ((await items.count()) > 0) await expect(items.first()).toContainText(`v${latest}`);

  // A bad value falls back to the default instead of breaking the page.
  await page.goto(`/review/${TRIGGER}?label=nope&version=x`);
  await expect(page.getByRole("tab", { name: "Unlabeled" })).toHaveAttribute("aria-selected", "true");
});

test("a ?inference= link opens that exact inference ready to label, even when the filter hides it", async ({ page }) => {
  await useSession(page, "labeler");
  const asked = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: `Review link ${Date.now()}`, askedBy: "e2e" } });
  expect(asked.error).toBeUndefined();
  const id = (asked.data.inferences[0] as { id: string }).id;

  // From the Inferences page's panel, its "Review" link.
  await page.goto(`/inferences?open=${encodeURIComponent(id)}`);
  await page.getByTestId("inference-review-link").click();
  await expect(page).toHaveURL(new RegExp(`/review/${TRIGGER}\\?inference=${id}$`));
  const panel = page.getByTestId("label-panel");
  await expect(panel).toHaveAttribute("data-inference", id);

  // Under a filter that excludes it (it is unlabeled), it is fetched on its own and still opens.
  await page.goto(`/review/${TRIGGER}?label=bad&inference=${encodeURIComponent(id)}`);
  await expect(panel).toHaveAttribute("data-inference", id);
  await panel.getByTestId("label-good").click();
  await expect
    .poll(async () => ((await trpc(page.request, "query", "inferences.get", { id })).data?.feedback as { label: string }[] | undefined)?.map((f) => f.label))
    .toEqual(["good"]);
});
