import { readFileSync } from "node:fs";
import { expect, signIn, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";
const CORRECTION = "Use a Bearer API key or a signed-in session (e2e correction).";

test.describe.serial("an operator runs the example app", () => {
  test("signs in, browses a relation and opens a row", async ({ page }) => {
    await signIn(page, "admin");
    await page.getByRole("link", { name: "Relations" }).click();
    // The Overview also links to questions (its drift alert, its relations card): wait to leave it.
    await expect(page).toHaveURL(/\/relations\/?$/);
    await page.getByRole("link", { name: /questions/ }).click();
    await expect(page).toHaveURL(/\/relations\/questions/);
    const rows = page.getByTestId("row");
    await expect(rows.first()).toBeVisible();
    expect(await rows.count()).toBeGreaterThanOrEqual(5);
    await rows.first().click();
    await expect(page).toHaveURL(/[?&]row=/);
    const panel = page.getByTestId("row-panel");
    await expect(panel).toBeVisible();
    await expect(panel.getByText(/Inferences \(\d+\)/)).toBeVisible();
    await expect(panel.getByTestId("row-inference").first()).toContainText(`${TRIGGER}/questions`);
    // The open row is part of the URL: reloading shows the same panel.
    await page.reload();
    await expect(page.getByTestId("row-panel")).toBeVisible();
  });

  test("labels two responses with the keyboard", async ({ page }) => {
    await useSession(page, "labeler");
    await page.goto(`/review/${TRIGGER}`);
    await expect(page.getByTestId("me-role")).toHaveText("labeler");
    const progress = page.getByTestId("progress-labeled");
    await expect(progress).toHaveText(/\d+ \/ \d+/);
    const before = Number((await progress.textContent())!.split("/")[0]!.trim());
    await expect(page.getByTestId("shortcuts")).toContainText("good");

    await page.getByTestId("start-queue").click();
    const panel = page.getByTestId("label-panel");
    await expect(panel).toBeVisible();
    await expect(page.getByTestId("lock-info")).toBeVisible();
    // The example app says which provider answered (offline here: no OPENAI_API_KEY).
    await expect(page.getByTestId("answered-by")).toContainText("answered by local");
    const first = await panel.getAttribute("data-inference");

    await page.keyboard.press("g"); // good → next item
    await expect(panel).not.toHaveAttribute("data-inference", first!);
    await expect(progress).toHaveText(new RegExp(`^${before + 1} /`));

    await page.keyboard.press("e"); // edit the correction: the chatbot's form, its answer first
    const correction = page.getByTestId("correction-form").getByLabel("Answer");
    await expect(correction).toBeFocused();
    await correction.fill(CORRECTION);
    await page.keyboard.press("Escape"); // leave the field
    const second = await panel.getAttribute("data-inference");
    await page.keyboard.press("b"); // bad, with the correction
    await expect(progress).toHaveText(new RegExp(`^${before + 2} /`));
    // The queue hands out the next item (a review.next call) before going back makes sense.
    await expect(panel).not.toHaveAttribute("data-inference", second!);

    // k goes back to the previous item, which shows its label.
    await page.keyboard.press("k");
    await expect(page.getByTestId("current-label")).toHaveText("labeled bad");
  });

  test("exports the labeled set as fine-tuning JSONL and as raw CSV", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto(`/review/${TRIGGER}`);
    await page.getByTestId("export-menu").click();
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-openai-jsonl").click()]);
    expect(download.suggestedFilename()).toBe(`${TRIGGER}-finetune.jsonl`);
    const text = readFileSync((await download.path())!, "utf8");
    const lines = text.trim().split("\n").map((l) => JSON.parse(l) as { messages: { role: string; content: string }[] });
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const l of lines) {
      expect(l.messages.some((m) => m.role === "user")).toBe(true);
      expect(l.messages.at(-1)!.role).toBe("assistant");
    }
    // The bad label's correction replaced the answer.
    expect(lines.some((l) => l.messages.at(-1)!.content.includes(CORRECTION))).toBe(true);

    // The raw labels as CSV: a header (with a column per declared score), one row per labeled inference, the correction in its column.
    await page.getByTestId("export-menu").click();
    const [csvDownload] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-csv").click()]);
    expect(csvDownload.suggestedFilename()).toBe(`${TRIGGER}-labels.csv`);
    const csv = readFileSync((await csvDownload.path())!, "utf8").trimEnd().split("\r\n");
    expect(csv[0]).toBe("inferenceId,rowId,relation,route,stateVersion,label,actor,labeledAt,labels,note,input,output,correction,score.helpfulness,score.question_kind");
    expect(csv.length).toBeGreaterThanOrEqual(1 + lines.length);
    expect(csv.some((row) => row.includes(CORRECTION))).toBe(true);
  });

  test("rolls a trigger back with a reason; the overview and the next inference follow", async ({ page }) => {
    await useSession(page, "admin");
    // Let fits started by the labels above finish, so nothing moves `active` after the rollback.
    await expect.poll(async () => (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data?.pendingRows, { timeout: 30_000 }).toBe(0);
    await expect.poll(async () => (await trpc(page.request, "query", "fits.list", { trigger: TRIGGER, status: "running" })).data?.items.length, { timeout: 30_000 }).toBe(0);

    await page.goto(`/state/${TRIGGER}`);
    const active = page.getByTestId("state-active");
    await expect(active).toHaveText(/^v\d+/);
    const from = Number((await active.textContent())!.match(/^v(\d+)/)![1]);
    expect(from).toBeGreaterThan(1);

    await page.getByTestId("rollback-1").click();
    const dialog = page.getByTestId("rollback-dialog");
    await expect(dialog.getByTestId("rollback-summary")).toHaveText(new RegExp(`active:\\s*v${from}\\s*v1`));
    await expect(dialog).toContainText("new inferences will use v1");
    await expect(dialog).toContainText("fits continue from v1");
    const confirm = dialog.getByRole("button", { name: "Roll back to v1" });
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/Reason/).fill("e2e: answers regressed");
    await confirm.click();
    await expect(dialog).toBeHidden();

    await expect(active).toHaveText(/^v1/);
    await expect(page.getByTestId("alias-history")).toContainText("e2e: answers regressed");

    await page.getByRole("link", { name: "Overview" }).click();
    await expect(page.getByTestId(`trigger-row-${TRIGGER}`).getByTestId("active-version")).toHaveText("v1");

    const added = await trpc(page.request, "mutation", "rows.add", { relation: "questions", row: { text: "What is a fit run?", askedBy: "e2e" } });
    expect(added.error).toBeUndefined();
    expect(added.data.inferences[0].stateVersion).toBe(1);
  });
});
