import { expect, signIn, test, trpc, useSession } from "./support";

const RELATION = "questions";
// Eight days of questions from a year before the example's seeded month (so their history is
// their own), asked the same way each day, except one day where people pasted whole
// paragraphs: the text's length drifts.
const DAYS = Array.from({ length: 8 }, (_, i) => `2025-03-0${i + 1}`);
const BROKEN = DAYS[6]!;
const REASON = "e2e: a batch of pasted transcripts, reviewed and fine";
const POOL = [
  "What is a trigger?", "How do I roll back state?", "Who can label answers?", "What does fit return?",
  "How are rows partitioned?", "Where is the audit log?", "What is an alias?", "How do I add a relation?",
  "Can infer write state?", "What is a fit run?", "How do API keys work?", "What does pin do?",
  "How are params hashed?", "What is the review queue?", "Where are blobs stored?", "How do I retry a fit?",
  "What is drift?", "How big can a row be?", "Which databases work?", "How do I export labels?",
];
const PEOPLE = ["ana", "ben", "cho", "dev"];

function questionsOf(day: string) {
  return POOL.map((text, i) => ({
    text: day === BROKEN ? Array.from({ length: 8 }, () => text).join(" ") : text,
    askedBy: PEOPLE[i % PEOPLE.length],
    askedAt: `${day}T${String(8 + (i % 10)).padStart(2, "0")}:15:00Z`,
  }));
}

test.describe.serial("drift", () => {
  test("an operator sees the flagged partition, reads why, and releases it with a reason", async ({ page }) => {
    test.setTimeout(120_000);
    await useSession(page, "admin");
    // Seeded through the public API, a day per batch; infer answers each question as usual.
    for (const day of DAYS) {
      const added = await trpc(page.request, "mutation", "rows.addMany", { relation: RELATION, rows: questionsOf(day) });
      expect(added.error, `rows.addMany ${day}`).toBeUndefined();
    }
    const checked = await trpc(page.request, "mutation", "drift.check", { relation: RELATION });
    expect(checked.error).toBeUndefined();
    await expect
      .poll(async () => ((await trpc(page.request, "query", "drift.partitions", { relation: RELATION, from: DAYS[0], to: DAYS[7] })).data ?? []).map((p: { status: string }) => p.status))
      .toEqual(["insufficient-history", "insufficient-history", "insufficient-history", "insufficient-history", "insufficient-history", "ok", "drift", "ok"]);

    // The Overview lists the open alert and links to the partition.
    await page.goto("/");
    const alert = page.getByTestId("drift-alert").filter({ hasText: BROKEN });
    await expect(alert).toBeVisible();
    await expect(alert).toHaveAttribute("href", `/drift/${RELATION}?partition=${BROKEN}`);
    // Alerts come a page at a time: the card counts what the API's first page holds.
    const firstPage = (await trpc(page.request, "query", "drift.alerts", {})).data as { items: unknown[]; nextCursor: string | null };
    expect(firstPage.items.length).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId("drift-alerts")).toContainText(`Open drift alerts (${firstPage.items.length}${firstPage.nextCursor ? "+" : ""})`);

    // The Drift page: /drift picks the relation with an open flag.
    await page.getByRole("link", { name: "Drift", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/drift/${RELATION}$`));
    const heatmap = page.getByTestId("drift-heatmap");
    await expect(heatmap).toBeVisible();
    const cell = heatmap.locator(`[data-testid="heatmap-cell"][data-column="text"][data-partition="${BROKEN}"]`);
    await expect(cell).toHaveAttribute("title", /^text · 2025-03-07: \|z\| = \d+/);
    expect(Number(await cell.getAttribute("data-z"))).toBeGreaterThanOrEqual(7);
    await expect(page.getByTestId(`flagged-${BROKEN}`).getByTestId("drift-status")).toHaveText("drift");
    // The example's seed has its own flagged day (a month of history): count relative to it.
    const openBefore = Number(await page.getByTestId("drift-open").textContent());
    expect(openBefore).toBeGreaterThanOrEqual(1);
    // Each statistic of a column is charted with its band and the flags marked.
    await page.getByTestId("heatmap-column-text").click();
    await expect(page.getByTestId("column-charts")).toHaveAttribute("data-column", "text");
    await expect(page.getByTestId("series-lengthMean")).toContainText(/\d+ flagged/);
    await expect(page.getByTestId("series-lengthMean").locator(".recharts-area")).toHaveCount(1);
    if (process.env.DRIFT_SHOTS) await page.screenshot({ path: "/tmp/driftui-1280.png", fullPage: true });

    // Open the partition from its heatmap cell.
    await cell.click();
    await expect(page).toHaveURL(new RegExp(`partition=${BROKEN}`));
    const detail = page.getByTestId("partition-detail");
    await expect(detail).toBeVisible();
    await expect(detail.getByTestId("drift-status").first()).toHaveText("drift");
    await expect(detail.getByTestId("drift-explanation")).toContainText(/text: (mean|p95) length rose from [\d.]+ to [\d.]+, z = \d/);
    await expect(detail.getByTestId("finding-row").first()).toHaveAttribute("data-responsible", "true");
    await expect(detail.getByTestId("drift-event").first()).toContainText("flagged");

    // Release, with a reason and a confirmation.
    await detail.getByTestId("decision-release").click();
    const dialog = page.getByTestId("decision-dialog");
    await expect(dialog).toContainText(`Release ${BROKEN}?`);
    const confirm = dialog.getByTestId("decision-confirm");
    await expect(confirm).toBeDisabled();
    await dialog.getByLabel(/Reason/).fill(REASON);
    await confirm.click();
    await expect(dialog).toBeHidden();
    await expect(detail.getByTestId("drift-status").first()).toHaveText("released");
    const released = detail.getByTestId("drift-event").filter({ hasText: "released" });
    await expect(released).toContainText(REASON);
    await expect(released).toContainText("admin@e2e.local");
    await expect(detail.getByTestId("decision-release")).toBeDisabled();

    // Back on the page: the status, the event, no open flag; the Overview alert is gone.
    // (Escape would first dismiss the confirmation toast: close the panel with its button.)
    await detail.getByRole("button", { name: "Close" }).click();
    await expect(detail).toBeHidden();
    await expect(page.getByTestId(`flagged-${BROKEN}`).getByTestId("drift-status")).toHaveText("released");
    await expect(page.getByTestId("drift-events").getByTestId("drift-event").first()).toContainText(REASON);
    await expect(page.getByTestId("drift-open")).toHaveText(String(openBefore - 1));
    await page.getByRole("link", { name: "Overview" }).click();
    await expect(page.getByTestId("triggers-table")).toBeVisible();
    await expect(page.getByTestId("drift-alert").filter({ hasText: BROKEN })).toHaveCount(0);
  });

  test("fits a 390 px wide screen: the heatmap scrolls inside its card, the detail is a full-width sheet", async ({ page }) => {
    await useSession(page, "admin");
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`/drift/${RELATION}?partition=${BROKEN}`);
    const detail = page.getByTestId("partition-detail");
    await expect(detail).toBeVisible();
    const box = (await detail.boundingBox())!;
    expect(box.x).toBeLessThanOrEqual(1);
    expect(box.width).toBeGreaterThanOrEqual(388);
    await expect(detail.getByTestId("drift-explanation")).toBeVisible();
    await page.keyboard.press("Escape");
    const heatmap = page.getByTestId("drift-heatmap");
    await expect(heatmap).toBeVisible();
    // Overflow stays inside the heatmap's scroller, not the page.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    if (process.env.DRIFT_SHOTS) await page.screenshot({ path: "/tmp/driftui-390.png", fullPage: true });
  });

  test("a viewer sees the drift views with no enabled decision, and a direct release is refused", async ({ page }) => {
    await signIn(page, "viewer");
    await page.goto(`/drift/${RELATION}?partition=${BROKEN}`);
    const detail = page.getByTestId("partition-detail");
    await expect(detail.getByTestId("drift-explanation")).toContainText("text:");
    for (const decision of ["release", "drop", "markValid"]) await expect(detail.getByTestId(`decision-${decision}`)).toBeDisabled();
    await page.keyboard.press("Escape");
    await expect(page.getByTestId("drift-heatmap")).toBeVisible();
    await expect(page.getByTestId("drift-check")).toHaveCount(0);
    await expect(page.getByRole("button", { name: /^(Release|Drop|Mark valid)/, disabled: false })).toHaveCount(0);

    const direct = await trpc(page.request, "mutation", "drift.markValid", { relation: RELATION, partition: BROKEN, reason: "viewer tries" });
    expect(direct.status).toBe(403);
    expect(direct.error?.data.code).toBe("FORBIDDEN");
  });
});
