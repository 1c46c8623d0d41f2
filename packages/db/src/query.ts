/**
 * Storage code is written once as generator functions that `yield*` queries; the runner
 * executes them synchronously on SQLite (inside one better-sqlite3 transaction, so nothing
 * can interleave on the shared connection) and asynchronously on PostgreSQL (on one pooled
 * client). SQL uses `?` placeholders and double-quoted identifiers, valid on both.
 */
export type QueryOp =
  | { kind: "all"; sql: string; params: readonly unknown[] }
  | { kind: "run"; sql: string; params: readonly unknown[] }
  /**
   * One INSERT of many rows: `head` is `INSERT INTO "T" ("a", "b") VALUES `, rows are value
   * lists, `tail` (optional) follows the values, e.g. an `ON CONFLICT … DO UPDATE` clause.
   */
  | { kind: "insertMany"; head: string; columns: number; rows: readonly unknown[][]; tail?: string };

export type Query<T> = Generator<QueryOp, T, unknown>;

export function* all<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Query<T[]> {
  return (yield { kind: "all", sql, params }) as T[];
}

export function* get<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = []): Query<T | undefined> {
  const rows = (yield { kind: "all", sql, params }) as T[];
  return rows[0];
}

/** Executes a statement; returns the number of rows it changed. */
export function* run(sql: string, params: readonly unknown[] = []): Query<number> {
  return (yield { kind: "run", sql, params }) as number;
}

/**
 * Inserts many rows the fastest way each database allows: cached statements of 64 rows (and one
 * row for the rest) on SQLite, inside the caller's transaction; on PostgreSQL one
 * `INSERT … SELECT FROM unnest(…)` of an array per column (pg-bulk-insert.ts).
 */
export function* insertMany(head: string, columns: number, rows: readonly unknown[][], tail = ""): Query<void> {
  if (rows.length) yield { kind: "insertMany", head, columns, rows, tail };
}

export function runSync<T>(gen: Query<T>, exec: (op: QueryOp) => unknown): T {
  let step = gen.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = exec(step.value);
    } catch (error) {
      step = gen.throw(error);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

export async function runAsync<T>(gen: Query<T>, exec: (op: QueryOp) => Promise<unknown>): Promise<T> {
  let step = gen.next();
  while (!step.done) {
    let result: unknown;
    try {
      result = await exec(step.value);
    } catch (error) {
      step = gen.throw(error);
      continue;
    }
    step = gen.next(result);
  }
  return step.value;
}

/** `(?, ?, ?)` repeated `rows` times, for multi-row INSERTs. */
export function valuesList(rows: number, columns: number): string {
  const one = `(${new Array(columns).fill("?").join(", ")})`;
  return new Array(rows).fill(one).join(", ");
}
