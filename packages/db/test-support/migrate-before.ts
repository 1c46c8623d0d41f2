// For migration tests: a database migrated up to, but not including, one migration, so a test
// can store data the way the schema held it before and then check what the migration did to it.
import { cpSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { migrate } from "../src/index.ts";
import { defaultMigrationsDir } from "../src/migrate.ts";
import type { TestDatabase } from "./services.ts";

/** Applies every migration before the one whose folder name ends with `name`. */
export async function migrateBefore(database: TestDatabase, name: string): Promise<void> {
  const every = defaultMigrationsDir(database.provider);
  const before = mkdtempSync(path.join(tmpdir(), "motion-migrate-before-"));
  try {
    const entries = readdirSync(every, { withFileTypes: true });
    const target = entries.find((e) => e.isDirectory() && e.name.endsWith(name));
    if (!target) throw new Error(`no migration named *${name}`);
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name >= target.name) continue;
      cpSync(path.join(every, entry.name), path.join(before, entry.name), { recursive: true });
    }
    await migrate(database.url, { migrationsDir: before });
  } finally {
    rmSync(before, { recursive: true, force: true });
  }
}
