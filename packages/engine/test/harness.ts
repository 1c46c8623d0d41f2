import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { testDatabases, type TestDatabase } from "@motion/db/test-support";

export type { TestDatabase };

/** SQLite always; PostgreSQL when reachable (required in CI: requirePostgres throws there). */
export const databaseFactories = () => testDatabases("motion_engine");

export function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "motion-ctl-")), name);
}
