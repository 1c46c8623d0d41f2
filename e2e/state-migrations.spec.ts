import Database from "better-sqlite3";
import { expect, test, trpc, useSession } from "./support";

const TRIGGER = "docs-qa";

/**
 * A version as a deploy before the example's `stateSchema: 2` left it: a copy of the active
 * state recorded in schema 1, with `active` and `latest` on it, written straight into the
 * console's database (no API makes an old-schema version). Same values: other specs' state
 * stays what they expect.
 */
function insertSchemaOneVersion(): number {
  const db = new Database(process.env.MOTION_E2E_DB!);
  db.pragma("busy_timeout = 10000");
  try {
    return db.transaction(() => {
      const active = (db.prepare(`SELECT "version" FROM "StateAlias" WHERE "trigger" = ? AND "name" = 'active'`).get(TRIGGER) as { version: number }).version;
      const max = (db.prepare(`SELECT MAX("version") AS "v" FROM "StateVersion" WHERE "trigger" = ?`).get(TRIGGER) as { v: number }).v;
      const row = db.prepare(`SELECT "entries", "size", "checksum" FROM "StateVersion" WHERE "trigger" = ? AND "version" = ?`).get(TRIGGER, active) as { entries: string; size: number; checksum: string };
      const version = max + 1;
      db.prepare(`INSERT INTO "StateVersion" ("trigger", "version", "parent", "fitRunId", "entries", "size", "checksum", "createdAt", "schema") VALUES (?, ?, ?, NULL, ?, ?, ?, ?, 1)`)
        .run(TRIGGER, version, active, row.entries, row.size, row.checksum, Date.now());
      db.prepare(`UPDATE "StateAlias" SET "version" = ?, "pinned" = 0 WHERE "trigger" = ? AND "name" IN ('active', 'latest')`).run(version, TRIGGER);
      return version;
    })();
  } finally {
    db.close();
  }
}

test("a state migration shows each version's schema and its migration:2 moves in the alias history", async ({ page }) => {
  await useSession(page, "admin");
  await expect.poll(async () => (await trpc(page.request, "query", "triggers.get", { trigger: TRIGGER })).data?.pendingRows, { timeout: 60_000 }).toBe(0);
  await expect.poll(async () => (await trpc(page.request, "query", "fits.list", { trigger: TRIGGER, status: "running" })).data?.items.length, { timeout: 60_000 }).toBe(0);
  expect((await trpc(page.request, "query", "state.migrations", { trigger: TRIGGER })).data).toEqual({ trigger: TRIGGER, stateSchema: 2, steps: [{ from: 1, to: 2 }] });

  const old = insertSchemaOneVersion();
  // An unknown migration target is refused; the declared one migrates active and latest.
  expect((await trpc(page.request, "mutation", "state.migrate", { trigger: TRIGGER, to: 3 })).error?.message).toMatch(/declares no migration to state schema 3/);
  const migrated = await trpc(page.request, "mutation", "state.migrate", { trigger: TRIGGER, to: 2, reason: "e2e: older deploy's state" });
  expect(migrated.error).toBeUndefined();
  const migratedTo = old + 1;
  expect(migrated.data).toMatchObject({ migrated: true, moves: [{ alias: "active", from: old, to: migratedTo, fromSchema: 1 }, { alias: "latest", from: old, to: migratedTo, fromSchema: 1 }] });

  await page.goto(`/state/${TRIGGER}`);
  await expect(page.getByTestId("state-active")).toHaveText(new RegExp(`^v${migratedTo}`));
  await expect(page.getByTestId(`version-schema-${old}`)).toHaveText("1");
  await expect(page.getByTestId(`version-schema-${migratedTo}`)).toHaveText("2");
  await expect(page.getByTestId(`version-row-${migratedTo}`)).toContainText("migration:2");
  await page.getByTestId(`version-row-${migratedTo}`).click();
  await expect(page.getByTestId("version-detail")).toContainText(`child of v${old}`);
  await expect(page.getByTestId("version-detail-schema")).toHaveText(/schema 2/);
  const move = page.locator("[data-testid='alias-move'][data-migration='true']").first();
  await expect(move).toContainText("migration:2");
  await expect(move).toContainText(`v${old} → v${migratedTo}`);
  await expect(move).toContainText("e2e: older deploy's state");
});
