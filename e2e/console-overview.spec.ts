import { expect, test, trpc, useSession } from "./support";

test("overview: relation sizes, recent fits, labels waiting; charts share one time axis and follow the range", async ({ page }) => {
  await useSession(page, "admin");
  await page.goto("/");
  const relations = ((await trpc(page.request, "query", "relations.list", { limit: 200 })).data as { items: { name: string; rowCount: number }[] }).items;
  const questions = page.getByTestId("overview-relation").filter({ hasText: "questions" });
  await expect(questions.getByTestId("overview-relation-count")).toHaveText(relations.find((r) => r.name === "questions")!.rowCount.toLocaleString("en"));
  await expect(page.getByTestId("overview-fit").first()).toBeVisible();
  const progress = (await trpc(page.request, "query", "review.progress", { trigger: "docs-qa" })).data as { remaining: number };
  await expect(page.getByTestId("overview-waiting-count").first()).toContainText(progress.remaining.toLocaleString("en"));

  // The three charts: the same ticks on the time axis.
  // recharts 3 draws tick labels in their own layer (recharts-xAxis-tick-labels).
  const X_TICKS = ":is(.recharts-xAxis, .recharts-xAxis-tick-labels) .recharts-cartesian-axis-tick-value";
  const ticksOf = (id: string) => page.getByTestId(id).locator(X_TICKS).allTextContents();
  await expect(page.getByTestId("chart-inferences").locator(X_TICKS).first()).toBeVisible({ timeout: 30_000 });
  const inferenceTicks = await ticksOf("chart-inferences");
  expect(inferenceTicks.length).toBeGreaterThanOrEqual(3);
  expect(await ticksOf("chart-latency")).toEqual(inferenceTicks);
  const fitTicks = await ticksOf("chart-fits");
  if (fitTicks.length) expect(fitTicks).toEqual(inferenceTicks); // the fits chart is empty when no fit finished in the hour

  // p50 and p99 in different colours.
  // Read from the legend: a minute with one sample draws a dot, not a curve.
  const strokes = await page.getByTestId("chart-latency").locator(".recharts-legend-item path").evaluateAll((paths) => paths.map((p) => p.getAttribute("stroke") ?? p.getAttribute("fill")));
  expect(strokes.length).toBeGreaterThanOrEqual(2);
  expect(new Set(strokes).size).toBe(strokes.length);

  // 24 h is plotted in 15-minute buckets, not per minute.
  await page.getByRole("combobox", { name: "Time range" }).click();
  await page.getByRole("option", { name: "Last 24 hours" }).click();
  await expect(page.getByTestId("chart-inferences")).toContainText("Inferences per 15 min");
  await expect(page.getByTestId("chart-latency")).toContainText("p50 and p99 per 15 min");
});
