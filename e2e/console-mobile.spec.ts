import { expect, test, trpc, useSession } from "./support";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true, deviceScaleFactor: 1 });

const PAGES = [
  "/", "/relations", "/relations/questions", "/review", "/review/docs-qa", "/inferences", "/state", "/state/docs-qa",
  "/state/docs-qa/compare?a=1&b=2", "/fits", "/drift", "/queues", "/admin/users", "/admin/api-keys", "/admin/audit",
];

test.describe("at 390 px wide", () => {
  test("no main page scrolls sideways", async ({ page }) => {
    test.setTimeout(300_000); // fifteen pages, each fully loaded
    await useSession(page, "admin");
    // A fit run's page too (its history, logs and rows): the newest run of the seeded app.
    const runs = await trpc(page.request, "query", "fits.list", { trigger: "docs-qa", limit: 1 });
    const run = (runs.data.items as { id: string }[])[0]!;
    // A review queue, so the Queues page shows a card and Review a named queue.
    const queue = await trpc(page.request, "mutation", "queues.create", { name: `mobile ${Date.now()}`, trigger: "docs-qa", description: "a queue with a long description to wrap at 390 px wide", feed: { maxItems: 5 }, assignees: ["labeler@e2e.local"] });
    const overflowing: string[] = [];
    for (const path of [...PAGES, `/fits/${run.id}`, `/review/docs-qa?mode=queue&queue=${queue.data.id}`]) {
      await page.goto(path);
      await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
      await page.waitForLoadState("networkidle");
      const { scrollWidth, innerWidth, culprit } = await page.evaluate(() => {
        const scrollWidth = document.scrollingElement!.scrollWidth;
        // The widest element sticking out, to make a failure readable.
        let culprit = "";
        for (const el of Array.from(document.querySelectorAll("body *"))) {
          const r = el.getBoundingClientRect();
          if (r.right > window.innerWidth + 1 && !el.closest("[data-slot=table], .overflow-x-auto, .overflow-auto")) {
            culprit = `${el.tagName.toLowerCase()}.${(el.getAttribute("class") ?? "").split(" ").slice(0, 4).join(".")} right=${Math.round(r.right)}`;
            break;
          }
        }
        return { scrollWidth, innerWidth: window.innerWidth, culprit };
      });
      if (scrollWidth > innerWidth) overflowing.push(`${path}: ${scrollWidth} > ${innerWidth} (${culprit})`);
    }
    expect(overflowing).toEqual([]);
  });

  test("navigation is a drawer; tapping a row opens its panel as a sheet", async ({ page }) => {
    await useSession(page, "admin");
    await page.goto("/fits");
    await expect(page.getByRole("navigation", { name: "Main" })).toHaveCount(0); // no 224 px sidebar
    await page.getByTestId("nav-menu").tap();
    const drawer = page.getByRole("dialog");
    await expect(drawer.getByRole("navigation", { name: "Main" })).toBeVisible();
    await expect(drawer.getByTestId("me-email")).toHaveText("admin@e2e.local");
    // The sheet alone: its content is fixed (brand, links, the signed-in admin), unlike the page under it.
    await expect(drawer).toHaveScreenshot("nav-drawer-390.png", { animations: "disabled", maxDiffPixelRatio: 0.01 });
    await drawer.getByRole("link", { name: "Relations" }).tap();
    await expect(drawer).toBeHidden();
    await expect(page).toHaveURL(/\/relations$/);

    await page.goto("/relations/questions");
    const row = page.getByTestId("row").first();
    await expect(row).toBeVisible();
    await row.tap();
    await expect(page).toHaveURL(/[?&]row=/);
    const panel = page.getByTestId("row-panel");
    await expect(panel).toBeVisible();
    const box = (await panel.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.width).toBeLessThanOrEqual(390);
  });
});
