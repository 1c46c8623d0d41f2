// PostgreSQL bulk inserts as `INSERT … SELECT * FROM unnest($1::type[], …)`: one array per
// column, so a batch of any size is one short statement with as many parameters as columns.
// A multi-row VALUES list binds rows × columns parameters (26,000 for 2,000 inferences) and
// PostgreSQL parses and plans that text again for every batch; the arrays cost one parse of a
// few hundred characters. Measured with `npm run bench -- p1`'s P1b (see docs/indexes.md).
import type pg from "pg";

export interface BulkTarget {
  table: string;
  columns: string[];
}

// The head every bulk insert of this package writes (query.ts `insertMany` callers):
// INSERT INTO "Table" ("a", "b") VALUES
const HEAD = /^INSERT INTO "([^"]+)" \(("[^"]+"(?:, "[^"]+")*)\) VALUES $/;
const targets = new Map<string, BulkTarget | null>();

/** The table and columns of an `insertMany` head, or null for a head of another shape. */
export function bulkTarget(head: string): BulkTarget | null {
  let target = targets.get(head);
  if (target === undefined) {
    const m = HEAD.exec(head);
    target = m ? { table: m[1]!, columns: m[2]!.split(", ").map((c) => c.slice(1, -1)) } : null;
    targets.set(head, target);
  }
  return target;
}

/** Each table's column types (`format_type`, e.g. `timestamp(3) without time zone`), read once per database. */
export class ColumnTypes {
  private readonly tables = new Map<string, Promise<Map<string, string>>>();

  /** The types of `target`'s columns in order, or null when one is unknown (then VALUES is used). */
  async of(client: pg.ClientBase, target: BulkTarget): Promise<string[] | null> {
    let types = this.tables.get(target.table);
    if (!types) {
      types = client
        .query<{ name: string; type: string }>({
          text: `SELECT attname AS name, format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = to_regclass($1) AND attnum > 0 AND NOT attisdropped`,
          values: [`"${target.table}"`],
        })
        .then((r) => new Map(r.rows.map((c) => [c.name, c.type])));
      this.tables.set(target.table, types);
      // A failed read (e.g. the table is created later) is not remembered.
      types.catch(() => this.tables.delete(target.table));
    }
    const known = await types;
    const out: string[] = [];
    for (const c of target.columns) {
      const t = known.get(c);
      if (!t) return null;
      out.push(t);
    }
    return out;
  }
}

/** The statement and its column arrays; `param` converts each value as single-value binds do. */
export function unnestInsert(target: BulkTarget, types: readonly string[], rows: readonly (readonly unknown[])[], tail: string, param: (v: unknown) => unknown): { text: string; values: unknown[][] } {
  const arrays: unknown[][] = target.columns.map(() => new Array(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    for (let j = 0; j < arrays.length; j++) arrays[j]![i] = param(row[j]);
  }
  const columns = target.columns.map((c) => `"${c}"`).join(", ");
  const sources = types.map((t, j) => `$${j + 1}::${t}[]`).join(", ");
  return { text: `INSERT INTO "${target.table}" (${columns}) SELECT * FROM unnest(${sources})${tail}`, values: arrays };
}
