import { SEED_USAGE } from "../packages/example-chatbot/src/seed-usage.ts";
import { expect, test, trpc, useSession } from "./support";

// The seed's `usage` relation has a numeric `amount` (US cents). Defect 1 of issue #12: the UI
// sent `amount > 20` as the text "20", which matched nothing a number field holds.
const THRESHOLD = 20;
const expected = SEED_USAGE.filter((u) => u.amount > THRESHOLD).map((u) => u.amount).sort((a, b) => a - b);

type Page = { items: { data: { amount: number } }[] };

test("amount > 20 in the Relations view shows the rows the API returns for the number, and a filter matching nothing keeps picker and columns", async ({ page }) => {
  await useSession(page, "admin");
  // What the API answers for the numeric filter: the seed's rows above 20, none other.
  const api = (await trpc(page.request, "query", "rows.list", { relation: "usage", filter: [{ field: "amount", op: "gt", value: THRESHOLD }], limit: 200 })).data as Page;
  const apiAmounts = api.items.map((r) => r.data.amount).sort((a, b) => a - b);
  expect(apiAmounts).toEqual(expected);
  expect(expected.length).toBeGreaterThan(0);
  // The text "20" compares as text and picks other rows: what the UI must not send.
  const asText = (await trpc(page.request, "query", "rows.list", { relation: "usage", filter: [{ field: "amount", op: "gt", value: String(THRESHOLD) }], limit: 200 })).data as Page;
  expect(asText.items.map((r) => r.data.amount).sort((a, b) => a - b)).not.toEqual(expected);

  await page.goto("/relations/usage");
  const table = page.getByTestId("rows-table");
  await expect(page.getByTestId("row")).toHaveCount(SEED_USAGE.length);
  await expect(table.getByRole("columnheader", { name: "amount", exact: true })).toBeVisible();

  await page.getByRole("combobox", { name: "Filter field" }).click();
  await page.getByRole("option", { name: "amount", exact: true }).click();
  await page.getByRole("combobox", { name: "Filter operator" }).click();
  await page.getByRole("option", { name: ">", exact: true }).click();
  await page.getByLabel("Filter value").fill(String(THRESHOLD));
  const sent = page.waitForRequest((r) => r.url().includes("/api/trpc/") && r.url().includes("rows.list") && decodeURIComponent(r.url()).includes('"op":"gt"'));
  await page.getByRole("button", { name: "Add filter" }).click();
  // The request carries the number, not the text.
  expect(decodeURIComponent((await sent).url())).toContain(`"value":${THRESHOLD}}`);

  await expect(page).toHaveURL(/f=amount(~|%7E)gt(~|%7E)20/);
  await expect(page.getByTestId("row")).toHaveCount(expected.length);
  const headers = await table.getByRole("columnheader").allTextContents();
  const column = headers.indexOf("amount");
  expect(column).toBeGreaterThanOrEqual(0);
  const shown: number[] = [];
  for (const row of await page.getByTestId("row").all()) shown.push(Number(await row.getByRole("cell").nth(column).textContent()));
  expect(shown.sort((a, b) => a - b)).toEqual(apiAmounts);

  // A second filter that nothing matches: the picker keeps "amount", the data columns stay.
  const max = Math.max(...SEED_USAGE.map((u) => u.amount));
  await page.getByLabel("Filter value").fill(String(max));
  await page.getByRole("button", { name: "Add filter" }).click();
  await expect(page.getByText("No rows match these filters")).toBeVisible();
  await expect(page.getByRole("combobox", { name: "Filter field" })).toHaveText("amount");
  for (const name of ["model", "tokens", "amount"]) await expect(table.getByRole("columnheader", { name, exact: true })).toBeVisible();

  // Removing it brings back the numeric filter's rows.
  await page.getByRole("button", { name: "Remove filter amount" }).last().click();
  await expect(page.getByTestId("row")).toHaveCount(expected.length);
});
