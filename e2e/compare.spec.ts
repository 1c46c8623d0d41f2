import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

test("Compare: two versions side by side from the State page, the pair in the URL, a move from there", async ({ page }) => {
  await useSession(page, "admin");
  const info = await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER });
  const active = info.data.activeVersion as number;
  expect(active).toBeGreaterThan(0); // the seed fitted documents

  // A question answered now by the active version, so both sides have inferences in range.
  const asked = await trpc(page.request, "mutation", "rows.addMany", { relation: "questions", rows: [{ text: "How do I compare two versions?" }] });
  expect(asked.status).toBe(200);

  await page.goto(`/state/${TRIGGER}`);
  await page.getByTestId("compare-link").click();
  await expect(page).toHaveURL(new RegExp(`/state/${TRIGGER}/compare`));
  const view = page.getByTestId("compare-view");
  // Default pair: active against the newest other version with labels (the seed labels two rounds).
  await expect(page.getByRole("combobox", { name: "Version A" })).toContainText(`v${active}`);
  await expect(page.getByRole("combobox", { name: "Version B" })).toContainText(/v\d+/);
  const shownB = Number(/v(\d+)/.exec((await page.getByRole("combobox", { name: "Version B" }).textContent()) ?? "")![1]);
  const outcomesB = await trpc(page.request, "query", "state.outcomes", { trigger: TRIGGER, versions: [shownB] });
  expect(outcomesB.data.items[0].feedback.labeled).toBeGreaterThanOrEqual(20);
  await expect(view.getByTestId("outcomes-compare")).toContainText("Inferences");
  await expect(view.getByTestId("compare-verdict")).toContainText("good-rate of");
  await expect(view.getByTestId("quality-chart").locator(".recharts-surface")).toBeVisible();
  await expect(view.getByTestId("compare-diff")).toBeVisible();
  // Outcomes over time: hourly over the last 7 days, a series per side with points, drawn as lines.
  const overTime = await trpc(page.request, "query", "state.outcomesOverTime", { trigger: TRIGGER, versions: [active, shownB] });
  expect(overTime.data.bucket).toBe("hour");
  const served = (v: number) => (overTime.data.series as { version: number; points: { inferences: number; feedback: { goodRate: number | null } }[] }[]).find((s) => s.version === v)!;
  expect(served(active).points.reduce((n, p) => n + p.inferences, 0)).toBeGreaterThanOrEqual(1);
  expect(served(shownB).points.reduce((n, p) => n + p.inferences, 0)).toBeGreaterThanOrEqual(20);
  const charts = view.getByTestId("over-time");
  await expect(charts).toHaveAttribute("data-bucket", "hour");
  await expect(charts.getByTestId("over-time-series-a")).toHaveAttribute("data-points", String(served(active).points.length));
  await expect(charts.getByTestId("over-time-series-b")).toHaveAttribute("data-points", String(served(shownB).points.length));
  expect(served(shownB).points.length).toBeGreaterThanOrEqual(1);
  await expect(charts.getByTestId("over-time-inferences").locator(".recharts-line")).toHaveCount(2);
  for (const curve of await charts.getByTestId("over-time-inferences").locator("path.recharts-line-curve").all()) await expect(curve).toHaveAttribute("d", /^M.+L/);
  // One good-rate dot per bucket with labels, on both sides together.
  const rated = [active, shownB].reduce((n, v) => n + served(v).points.filter((p) => p.feedback.goodRate !== null).length, 0);
  expect(rated).toBeGreaterThanOrEqual(1);
  await expect(charts.getByTestId("over-time-quality").locator(".recharts-line-dot")).toHaveCount(rated);
  await expect(charts.getByTestId("over-time-latency").locator(".recharts-line")).toHaveCount(2);
  // The chatbot's own evaluate, from the seed's labels on the answers of the version they judged.
  const labeled = await trpc(page.request, "query", "state.evaluate", { trigger: TRIGGER, versions: [active, shownB] });
  const judged = (labeled.data.versions as { version: number; examples: number }[]).find((v) => v.examples > 0)!;
  expect(judged).toBeDefined();
  await expect(view.getByTestId("evaluation-compare")).toContainText(`${judged.examples} labeled`);
  await expect(view.getByTestId("evaluation-row").filter({ hasText: "goodRate" })).toHaveCount(1);
  await expect(view.getByTestId("evaluation-row").filter({ hasText: "pageHitAt1" })).toHaveCount(1);

  // Pick version 0 as B: the pair goes into the URL and survives a reload.
  await page.getByRole("combobox", { name: "Version B" }).click();
  await page.getByRole("option", { name: /^v0\b/ }).click();
  await expect(page).toHaveURL(new RegExp(`b=0`));
  await page.reload();
  await expect(page.getByRole("combobox", { name: "Version B" })).toContainText("v0");
  await expect(view.getByTestId("outcomes-compare")).toContainText("v0");

  // Moving active from here is the same confirmed, reasoned move as on the State page.
  await view.getByTestId("compare-move").click();
  const dialog = page.getByTestId("rollback-dialog");
  await expect(dialog.getByTestId("rollback-summary")).toContainText(`v${active}`);
  await expect(dialog.getByTestId("rollback-summary")).toContainText("v0");
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toBeHidden();
});

test("Compare: two params variants on one version, outcomes side by side by their params hash", async ({ page }) => {
  await useSession(page, "admin");
  // A variant nobody is routed to by weight (0): only the rows below that name it.
  const added = await trpc(page.request, "mutation", "experiments.addVariant", { trigger: TRIGGER, name: "e2e-k1", params: { k: 1 }, weight: 0 });
  expect(added.status).toBe(200);
  const clash = await trpc(page.request, "mutation", "experiments.addVariant", { trigger: TRIGGER, name: "e2e-k1", params: { k: 2 } });
  expect(clash.status).toBe(400);
  try {
    const asked = await trpc(page.request, "mutation", "rows.addMany", {
      relation: "questions", rows: [{ text: "How do I roll back a version?" }, { text: "What is a trigger?" }], variants: { [TRIGGER]: "e2e-k1" },
    });
    expect(asked.status).toBe(200);
    const answers = (asked.data as { inferences: { id: string; trigger: string; stateVersion: number }[] }[]).map((r) => r.inferences.find((i) => i.trigger === TRIGGER)!);
    await trpc(page.request, "mutation", "feedback.label", { inferenceId: answers[0]!.id, label: "good" });
    await trpc(page.request, "mutation", "feedback.label", { inferenceId: answers[1]!.id, label: "bad" });

    // The labels may fit a new version: compare on the version that answered.
    await page.goto(`/state/${TRIGGER}/compare?vv=${answers[0]!.stateVersion}`);
    const card = page.getByTestId("variants-compare");
    await expect(card).toBeVisible();
    await expect(page.getByRole("combobox", { name: "Variant A" })).toContainText("default");
    // Default pair: the trigger's own params against the first variant; the pick goes into the URL.
    await expect(page.getByRole("combobox", { name: "Variant B" })).toContainText("e2e-k1");
    await page.getByRole("combobox", { name: "Variant B" }).click();
    await page.getByRole("option", { name: /^default\b/ }).click();
    await expect(page).toHaveURL(/vb=default/);
    await page.getByRole("combobox", { name: "Variant B" }).click();
    await page.getByRole("option", { name: /^e2e-k1\b/ }).click();
    await expect(page).toHaveURL(/vb=e2e-k1/);
    await expect(card.getByTestId("variants-params")).toContainText('e2e-k1: {"k":1}');
    const table = card.getByTestId("variants-outcomes");
    await expect(table).toContainText("e2e-k1");
    // The variant's own row: 2 inferences, 1 good / 1 bad.
    await expect(table.locator("tr", { hasText: "Inferences" }).locator("td").nth(2)).toHaveText("2");
    await expect(table.locator("tr", { hasText: "Labels" }).locator("td").nth(2)).toHaveText("1 / 1 / 0");
    // Over time: the variant's two answers and two labels fall in one hour, one good-rate point.
    const overTime = card.getByTestId("variants-over-time");
    await expect(overTime.getByTestId("variants-over-time-series-b")).toHaveAttribute("data-points", "1");
    await expect(overTime.getByTestId("variants-over-time-series-b")).toHaveAttribute("data-rated", "1");
    await expect(overTime.getByTestId("variants-over-time-inferences").locator(".recharts-line")).toHaveCount(2);
  } finally {
    await trpc(page.request, "mutation", "experiments.removeVariant", { trigger: TRIGGER, name: "e2e-k1" });
  }
});
