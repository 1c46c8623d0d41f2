import Database from "better-sqlite3";
import { expect, test, trpc, useSession } from "./support";

/**
 * Backlog samples written straight into the console's database for the three minutes before
 * now (the fit process samples once a minute, too slowly for a test): 7, then 12, then 9 rows
 * waiting, with 5 fitted in the last minute. The middle and last buckets' "added" follow by
 * hand: 12 - 7 = 5, then 9 - 12 + 5 = 2.
 */
function insertSamples(trigger: string, route: string): [number, number, number] {
  const db = new Database(process.env.MOTION_E2E_DB!);
  try {
    const minute = Math.floor(Date.now() / 60_000) * 60_000;
    const at: [number, number, number] = [minute - 3 * 60_000, minute - 2 * 60_000, minute - 60_000];
    const insert = db.prepare(
      `INSERT OR REPLACE INTO "BacklogSample" ("trigger", "route", "at", "takenAt", "waiting", "held", "claimed", "fitted", "shed") VALUES (?, ?, ?, ?, ?, 0, 0, ?, 0)`,
    );
    insert.run(trigger, route, at[0], at[0] + 30_000, 7, 0);
    insert.run(trigger, route, at[1], at[1] + 30_000, 12, 0);
    insert.run(trigger, route, at[2], at[2] + 30_000, 9, 5);
    return at;
  } finally {
    db.close();
  }
}

type Backlog = {
  routes: { route: string; maxPending: number | null; current: { waiting: number; held: number; claimed: number }; buckets: { at: string; pending: number | null; added: number; fitted: number; shed: number }[] }[];
};

test("the Fits page charts a trigger's backlog from the samples, with the current backlog and its bound", async ({ page }) => {
  await useSession(page, "admin");
  const first = await trpc(page.request, "query", "fits.backlog", { trigger: "docs-qa", windowMinutes: 60, bucketMinutes: 1 });
  expect(first.error).toBeUndefined();
  const route = (first.data as Backlog).routes[0]!.route;
  const at = insertSamples("docs-qa", route);

  // The API buckets them as computed by hand.
  const r = await trpc(page.request, "query", "fits.backlog", { trigger: "docs-qa", windowMinutes: 60, bucketMinutes: 1 });
  const series = (r.data as Backlog).routes.find((x) => x.route === route)!;
  const byAt = new Map(series.buckets.map((b) => [new Date(b.at).getTime(), b]));
  expect([at[0], at[1], at[2]].map((t) => byAt.get(t)?.pending)).toEqual([7, 12, 9]);
  expect(byAt.get(at[1])).toMatchObject({ added: 5, fitted: 0 });
  expect(byAt.get(at[2])).toMatchObject({ added: 2, fitted: 5 });

  await page.goto("/fits?trigger=docs-qa");
  const chart = page.getByTestId("backlog-chart");
  await expect(chart).toBeVisible();
  await expect(chart).toContainText("Backlog of docs-qa");
  // The line of the route and the flow bars are drawn.
  await expect(chart.locator(".recharts-line-curve").first()).toBeVisible();
  await expect(chart.locator(".recharts-bar-rectangle").first()).toBeAttached();
  await expect(chart.locator(".recharts-legend-wrapper")).toContainText(`${route} waiting`);
  // The header's figures are the API's: the totals over the window, of every route (the other
  // routes' own samples count too: the fit process samples every minute while the suite runs,
  // so the page and the API are compared on one reading, reloaded until they agree).
  await expect(async () => {
    const all = ((await trpc(page.request, "query", "fits.backlog", { trigger: "docs-qa", windowMinutes: 60, bucketMinutes: 1 })).data as Backlog).routes.flatMap((x) => x.buckets);
    const added = all.reduce((a, b) => a + b.added, 0);
    const fitted = all.reduce((a, b) => a + b.fitted, 0);
    expect(added).toBeGreaterThanOrEqual(7);
    expect(fitted).toBeGreaterThanOrEqual(5);
    await page.reload();
    await expect(page.getByTestId("backlog-chart")).toContainText(new RegExp(`${added.toLocaleString("en-US")} added, ${fitted.toLocaleString("en-US")} fitted`), { timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  const now = series.current.waiting + series.current.held;
  await expect(chart.getByTestId(`backlog-current-${route}`).getByTestId("backlog-now")).toHaveText(now.toLocaleString("en-US"));
  if (series.maxPending !== null) {
    await expect(chart.getByTestId(`backlog-current-${route}`).getByTestId("backlog-bound")).toHaveText(series.maxPending.toLocaleString("en-US"));
    // 12 rows at most against the example's default bound (100,000): no bound line flattens the chart.
    if (series.maxPending > 24) await expect(chart.locator(".recharts-reference-line")).toHaveCount(0);
  }
});
