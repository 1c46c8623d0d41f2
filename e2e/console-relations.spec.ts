import { expect, test, useSession } from "./support";

test("a filter that matches nothing keeps the field picker and the data columns", async ({ page }) => {
  await useSession(page, "admin");
  await page.goto("/relations/questions");
  const table = page.getByTestId("rows-table");
  await expect(page.getByTestId("row").first()).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "text", exact: true })).toBeVisible();

  await page.getByRole("combobox", { name: "Filter field" }).click();
  await page.getByRole("option", { name: "text", exact: true }).click();
  await page.getByRole("combobox", { name: "Filter operator" }).click();
  await page.getByRole("option", { name: "contains" }).click();
  await page.getByLabel("Filter value").fill("zz-no-question-says-this-zz");
  await page.getByRole("button", { name: "Add filter" }).click();

  await expect(page.getByText("No rows match these filters")).toBeVisible();
  await expect(page).toHaveURL(/f=text(~|%7E)contains(~|%7E)zz-no-question/);
  // Still there: the picker's field and the columns (the fields come from the relation, not the page).
  await expect(page.getByRole("combobox", { name: "Filter field" })).toHaveText("text");
  await expect(table.getByRole("columnheader", { name: "text", exact: true })).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "askedBy", exact: true })).toBeVisible();

  // Same after a reload of the shared link.
  await page.reload();
  await expect(page.getByText("No rows match these filters")).toBeVisible();
  await expect(table.getByRole("columnheader", { name: "text", exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Remove filter text" }).click();
  await expect(page.getByTestId("row").first()).toBeVisible();
});
