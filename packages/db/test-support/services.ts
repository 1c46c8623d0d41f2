// Test helpers for the local services tests depend on. Reused by other packages through
// `@motion/db/test-support`.
//
// Policy: a missing service skips its tests with a loud warning on a developer machine, but
// fails the run when MOTION_REQUIRE_SERVICES=1 or CI=true, so CI never goes green by skipping.
import { randomBytes } from "node:crypto";
import pg from "pg";

export const DEFAULT_POSTGRES_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres";

/** True when missing services must fail the run instead of skipping tests. */
export function servicesRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MOTION_REQUIRE_SERVICES === "1" || env.CI === "true";
}

/**
 * Returns an admin connection URL for the local PostgreSQL (env MOTION_TEST_POSTGRES_URL, default
 * postgres@127.0.0.1:5432 with trust auth) if it answers, otherwise `null` after a loud warning.
 * Throws instead of returning null when services are required (see `servicesRequired`).
 */
export async function requirePostgres(): Promise<string | null> {
  const url = process.env.MOTION_TEST_POSTGRES_URL || DEFAULT_POSTGRES_ADMIN_URL;
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return url;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const message =
      `PostgreSQL is not reachable at ${url} (${reason}). Start it with: ` +
      "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start";
    if (servicesRequired()) throw new Error(`${message} [required: MOTION_REQUIRE_SERVICES=1 or CI=true]`);
    console.warn(`\n${"!".repeat(78)}\n!! SKIPPING PostgreSQL tests: ${message}\n${"!".repeat(78)}\n`);
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ThrowawayDatabase {
  /** Connection URL of the new database. */
  url: string;
  name: string;
  /** Drops the database (terminating leftover connections). Safe to call twice. */
  drop(): Promise<void>;
}

/** Creates a uniquely named empty database next to `adminUrl`'s; drop it in `afterAll`. */
export async function createThrowawayDatabase(adminUrl: string, prefix = "motion_test"): Promise<ThrowawayDatabase> {
  const safePrefix = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 30);
  const name = `${safePrefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
  await withAdmin(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped = false;
  return {
    url: url.toString(),
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await withAdmin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

/**
 * Returns the local Redis URL (env MOTION_REDIS_URL, default 127.0.0.1:6379) if it answers
 * PING, otherwise `null` after a loud warning — or throws when services are required.
 */
export async function requireRedis(): Promise<string | null> {
  const url = process.env.MOTION_REDIS_URL || DEFAULT_REDIS_URL;
  const { hostname, port } = new URL(url);
  const net = await import("node:net");
  const answer = await new Promise<string>((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (value: string) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(3_000, () => done("timeout"));
    socket.on("error", (error) => done(error.message));
    socket.on("connect", () => socket.write("PING\r\n"));
    socket.on("data", (data) => done(data.toString().trim()));
  });
  if (answer === "+PONG") return url;
  const message = `Redis is not reachable at ${url} (${answer}). Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no`;
  if (servicesRequired()) throw new Error(`${message} [required: MOTION_REQUIRE_SERVICES=1 or CI=true]`);
  console.warn(`\n${"!".repeat(78)}\n!! SKIPPING Redis tests: ${message}\n${"!".repeat(78)}\n`);
  return null;
}

export interface TestDatabase {
  provider: "sqlite" | "postgresql";
  url: string;
  /** The SQLite file, for tests that look at it directly. */
  file?: string;
  cleanup(): Promise<void>;
}

export type TestDatabaseFactory = () => Promise<TestDatabase>;

/**
 * Factories for the databases a suite runs against: a temp SQLite file always, and a
 * throwaway PostgreSQL database when the server is reachable (required in CI).
 */
export async function testDatabases(prefix = "motion_test"): Promise<[name: string, make: TestDatabaseFactory][]> {
  const { mkdtempSync, rmSync } = await import("node:fs");
  const os = await import("node:os");
  const path = await import("node:path");
  const factories: [string, TestDatabaseFactory][] = [
    [
      "sqlite",
      async () => {
        const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
        const file = path.join(dir, "motion.db");
        return { provider: "sqlite", url: `file:${file}`, file, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
      },
    ],
  ];
  const admin = await requirePostgres();
  if (admin) {
    factories.push([
      "postgresql",
      async () => {
        const db = await createThrowawayDatabase(admin, prefix);
        return { provider: "postgresql", url: db.url, cleanup: () => db.drop() };
      },
    ]);
  }
  return factories;
}
