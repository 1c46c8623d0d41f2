// Both databases' way of saying a unique index refused a row (PostgreSQL 23505, SQLite
// SQLITE_CONSTRAINT_*), looked for through wrapped causes.
export function isUniqueViolation(error: unknown): boolean {
  for (let e = error as { code?: unknown; message?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === "23505" || e.code === "SQLITE_CONSTRAINT_UNIQUE" || e.code === "SQLITE_CONSTRAINT_PRIMARYKEY") return true;
    if (typeof e.message === "string" && /UNIQUE constraint failed|duplicate key value violates unique constraint/.test(e.message)) return true;
  }
  return false;
}
