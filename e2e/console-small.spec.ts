import { expect, test, trpc, useSession } from "./support";

test("the console serves a favicon", async ({ request }) => {
  const res = await request.get("/favicon.ico");
  expect(res.status()).toBe(200);
  expect(res.headers()["content-type"]).toContain("image/");
  expect((await res.body()).subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0])); // an ICO header
});

test("an admin key is called an admin key", async ({ page }) => {
  await useSession(page, "admin");
  await page.goto("/admin/api-keys");
  await page.getByTestId("new-api-key-button").click();
  const dialog = page.getByTestId("create-api-key-dialog");
  await dialog.getByRole("combobox", { name: "Role" }).click();
  await page.getByRole("option", { name: "admin", exact: true }).click();
  await expect(dialog).toContainText("An admin key");
  await expect(dialog).not.toContainText("A admin");
});

test("fit-reported metrics are charted across versions on the State page", async ({ page }) => {
  await useSession(page, "admin");
  const fits = (await trpc(page.request, "query", "fits.list", { trigger: "docs-qa", status: "succeeded", limit: 200 })).data.items as { metrics: Record<string, unknown> | null }[];
  const reported = new Set(fits.flatMap((f) => Object.entries(f.metrics ?? {}).filter(([, v]) => typeof v === "number").map(([k]) => k)));
  expect(reported.size).toBeGreaterThan(0);
  await page.goto("/state/docs-qa");
  const card = page.getByTestId("fit-metrics");
  await expect(card.getByTestId("fit-metric").first()).toBeVisible({ timeout: 30_000 });
  const names = await card.getByTestId("fit-metric-name").allTextContents();
  expect(names.length).toBeGreaterThan(0);
  for (const n of names) expect(reported.has(n.split(" · ").at(-1)!)).toBe(true);
  // A chart, not JSON: recharts draws an SVG line per metric.
  await expect(card.locator("svg .recharts-line-dot").first()).toBeVisible();
});
