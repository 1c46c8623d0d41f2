import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createThrowawayDatabase, requirePostgres } from "@motion/db/test-support";

export interface TestDatabase {
  provider: "sqlite" | "postgresql";
  url: string;
  cleanup(): Promise<void>;
}

export type DatabaseFactory = () => Promise<TestDatabase>;

/** SQLite always; PostgreSQL when reachable (required in CI: requirePostgres throws there). */
export async function databaseFactories(): Promise<[string, DatabaseFactory][]> {
  const factories: [string, DatabaseFactory][] = [
    [
      "sqlite",
      async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-test-"));
        return { provider: "sqlite", url: `file:${path.join(dir, "motion.db")}`, cleanup: async () => fs.rmSync(dir, { recursive: true, force: true }) };
      },
    ],
  ];
  const admin = await requirePostgres();
  if (admin) {
    factories.push([
      "postgresql",
      async () => {
        const db = await createThrowawayDatabase(admin, "motion_engine");
        return { provider: "postgresql", url: db.url, cleanup: () => db.drop() };
      },
    ]);
  }
  return factories;
}

export function tempFile(name: string): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), "motion-ctl-")), name);
}
