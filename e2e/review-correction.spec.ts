// An operator corrects the page an answer cites, in the Review page's correction form (rendered
// from the chatbot's declared correction schema: the answer, and a source picked from the
// documents), and the next state version cites the page the operator picked.
import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";
const QUESTION = "Nothing ever gets fitted, what is wrong?";
// The page that answers it ("My fit never runs"); offline, the chatbot cites docs/operations.md first.
const RIGHT = "docs/troubleshooting.md";

test("an operator corrects an answer's source in the Review page; the next version cites the right page", async ({ page }) => {
  await useSession(page, "labeler");
  // Nothing of this trigger is fitting or waiting to, so the version that follows the label is
  // the one it made. (Queued retries are left out: console-fits.spec leaves runs of a route the
  // app does not have queued forever, on purpose.)
  let activity: unknown;
  const quiet = async () => {
    activity = (await trpc(page.request, "query", "triggers.idle", undefined)).data;
    const t = (activity as { triggers: { trigger: string; running: number; pending: number; claimed: number }[] } | undefined)?.triggers.find((x) => x.trigger === TRIGGER);
    return !!t && t.running === 0 && t.pending === 0 && t.claimed === 0;
  };
  await expect.poll(quiet, { timeout: 30_000 }).toBe(true).catch((error: unknown) => {
    throw new Error(`${TRIGGER} never quiet: ${JSON.stringify(activity)}`, { cause: error });
  });

  const asked = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: QUESTION, askedBy: "e2e" } });
  expect(asked.error).toBeUndefined();
  const before = asked.data.inferences[0] as { id: string; stateVersion: number; output: { sources: { url: string }[] } };
  expect(before.output.sources[0]!.url, "the question must start out citing another page first").not.toBe(RIGHT);

  // The schema the console renders the form from: the API publishes it with the trigger.
  const described = await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER });
  expect(described.data.correctionSchema.properties.source.motion.optionsFrom).toEqual({ relation: "documents", field: "url", label: "title" });

  await page.goto(`/review/${TRIGGER}`);
  await page.getByTestId("review-item").filter({ hasText: QUESTION }).first().click();
  const panel = page.getByTestId("label-panel");
  await expect(panel).toHaveAttribute("data-inference", before.id);
  await expect(panel.getByTestId("output-source").first()).toHaveAttribute("data-url", before.output.sources[0]!.url);

  await page.keyboard.press("e"); // open the correction form
  const form = panel.getByTestId("correction-form");
  await expect(form.getByLabel("Answer")).toBeFocused();
  // The answer starts as the chatbot's; only changed fields are sent, so it stays as it is.
  await expect(form.getByLabel("Answer")).not.toHaveValue("");
  await page.keyboard.press("Escape");

  // The source is a searchable select over the documents (titles and urls).
  const source = form.getByRole("combobox", { name: "Source" });
  await source.click();
  await source.fill("troubl");
  const option = page.getByRole("option", { name: /Troubleshooting/ });
  await expect(option).toContainText(RIGHT);
  await expect(page.getByRole("option")).toHaveCount(1);
  await option.click();
  await expect(form.getByTestId("correction-source-picked")).toContainText(RIGHT);

  await panel.getByTestId("label-bad").click();
  // Labeled, it leaves the Unlabeled list: the next item takes its place.
  await expect(panel).not.toHaveAttribute("data-inference", before.id);

  // What was stored is the operator's pick, not the output's sources.
  const labels = await trpc(page.request, "query", "feedback.list", { inferenceId: before.id });
  expect(labels.data.items).toHaveLength(1);
  expect(labels.data.items[0]).toMatchObject({ label: "bad", correction: { source: RIGHT } });

  // The feedback fit makes a new version; the same question on it cites the right page first.
  await expect
    .poll(async () => (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data?.activeVersion, { timeout: 30_000 })
    .toBeGreaterThan(before.stateVersion);
  const again = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: QUESTION, askedBy: "e2e" } });
  const after = again.data.inferences[0] as { id: string; stateVersion: number };
  expect(after.stateVersion).toBeGreaterThan(before.stateVersion);

  // …and the Review page shows it: the new inference, on the new version, citing the right page.
  await page.reload();
  await page.getByTestId("review-item").filter({ hasText: QUESTION }).first().click();
  await expect(panel).toHaveAttribute("data-inference", after.id);
  await expect(panel).toContainText(`state v${after.stateVersion}`);
  await expect(panel.getByTestId("output-source").first()).toHaveAttribute("data-url", RIGHT);
});
