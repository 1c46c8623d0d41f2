import path from "node:path";

export type Provider = "sqlite" | "postgresql";

/** The embedded default: a SQLite file under `.motion/` where the user started the command. */
export function defaultDatabaseUrl(): string {
  // npm runs workspace scripts inside the workspace folder; INIT_CWD is where the user typed.
  const base = process.env.INIT_CWD ?? process.cwd();
  return `file:${path.join(base, ".motion", "motion.db")}`;
}

export function resolveDatabaseUrl(url?: string): string {
  return url ?? process.env.MOTION_DATABASE_URL ?? defaultDatabaseUrl();
}

export function providerOf(url: string): Provider {
  if (url.startsWith("file:")) return "sqlite";
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return "postgresql";
  throw new Error(
    `Unsupported database URL "${redactUrl(url)}": use file:<path> for SQLite or postgresql://... for PostgreSQL`,
  );
}

export function sqliteFilePath(url: string): string {
  return url.replace(/^file:/, "");
}

/** Hide credentials when a URL ends up in a log or error. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]+):([^@/]+)@/, "//$1:***@");
}
