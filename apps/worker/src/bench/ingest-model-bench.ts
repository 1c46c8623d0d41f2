// The ingest data model, measured (#16): raw better-sqlite3 inserts of the same 20k flights
// rows, each with one inference, into candidate schemas, as ratios to the P1 baseline (one
// rowid table of JSON). No engine code runs: this separates what the storage layout costs from
// what the engine adds (P1c), so a schema change is chosen on numbers.
//
//   npm run bench -- ingest-model
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { newId } from "@motion/db";
import { loadFlights } from "./fixtures.ts";
import { median, type BenchResult } from "./stats.ts";

const REPEATS = 5;
/** Rows per multi-row INSERT where a variant batches. */
const PER_STATEMENT = 100;

interface Variant {
  name: string;
  ddl: string[];
  insert: (db: Database.Database, rows: unknown[]) => void;
}

const ROW_INDEXES = [`CREATE INDEX "r1" ON "Row" ("relation", "id")`, `CREATE INDEX "r2" ON "Row" ("relation", "partition")`];
const INFERENCE_INDEXES = [`CREATE INDEX "i1" ON "Inference" ("trigger", "id")`, `CREATE INDEX "i2" ON "Inference" ("trigger", "labeled", "id")`, `CREATE INDEX "i3" ON "Inference" ("rowId")`];
const INFERENCE_COLUMNS = `("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "createdAt")`;

function inferenceTable(id: "TEXT" | "INTEGER", names: "TEXT" | "INTEGER", fk: boolean, withoutRowid = false): string {
  return `CREATE TABLE "Inference" ("id" ${id} PRIMARY KEY, "rowId" ${id} NOT NULL${fk ? ` REFERENCES "Row" ("id") ON DELETE CASCADE` : ""}, "relation" ${names} NOT NULL, "trigger" ${names} NOT NULL, "route" ${names} NOT NULL, "output" TEXT, "error" TEXT, "stateVersion" INTEGER NOT NULL, "paramsHash" ${names} NOT NULL, "inputHash" TEXT, "latencyMs" REAL NOT NULL, "cached" INTEGER NOT NULL DEFAULT 0, "labeled" INTEGER NOT NULL DEFAULT 0, "createdAt" INTEGER NOT NULL)${withoutRowid ? " WITHOUT ROWID" : ""}`;
}

function rowTable(id: "TEXT" | "INTEGER", relation: "TEXT" | "INTEGER", inline = false, withoutRowid = false): string {
  const inferenceColumns = inline ? `, "output" TEXT, "error" TEXT, "stateVersion" INTEGER, "paramsHash" INTEGER, "latencyMs" REAL, "labeled" INTEGER NOT NULL DEFAULT 0` : "";
  return `CREATE TABLE "Row" ("id" ${id} PRIMARY KEY, "relation" ${relation} NOT NULL, "key" TEXT, "data" TEXT NOT NULL, "partition" TEXT NOT NULL, "createdAt" INTEGER NOT NULL${inferenceColumns})${withoutRowid ? " WITHOUT ROWID" : ""}`;
}

const values = (columns: number, rows: number) => Array(rows).fill(`(${Array(columns).fill("?").join(", ")})`).join(", ");

/** Two tables, one insert each per row (text or integer ids), or multi-row INSERTs. */
function twoTables(ids: "text" | "integer", names: "TEXT" | "INTEGER", perStatement: number): Variant["insert"] {
  return (db, rows) => {
    const now = Date.now();
    let seq = 1;
    const nextId = () => (ids === "text" ? newId(now) : seq++);
    const [rel, trigger, route, params] = names === "TEXT" ? ["flights", "noop", "flights", "p"] : [1, 1, 1, 1];
    const row = db.prepare(`INSERT INTO "Row" VALUES ${values(6, perStatement)}`);
    const inference = db.prepare(`INSERT INTO "Inference" ${INFERENCE_COLUMNS} VALUES ${values(13, perStatement)}`);
    for (let i = 0; i < rows.length; i += perStatement) {
      const r: unknown[] = [];
      const f: unknown[] = [];
      for (let j = i; j < i + perStatement; j++) {
        const id = nextId();
        r.push(id, rel, null, JSON.stringify(rows[j]), "2026-01-01", now);
        f.push(nextId(), id, rel, trigger, route, "null", null, 0, params, null, 0, 0, now);
      }
      row.run(r);
      inference.run(f);
    }
  };
}

/** One table: the row and what its one trigger answered, in one record. */
function inline(perStatement: number): Variant["insert"] {
  return (db, rows) => {
    const now = Date.now();
    let seq = 1;
    const insert = db.prepare(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt", "output", "error", "stateVersion", "paramsHash", "latencyMs") VALUES ${values(11, perStatement)}`);
    for (let i = 0; i < rows.length; i += perStatement) {
      const p: unknown[] = [];
      for (let j = i; j < i + perStatement; j++) p.push(seq++, "flights", null, JSON.stringify(rows[j]), "2026-01-01", now, "null", null, 0, 1, 0);
      insert.run(p);
    }
  };
}

const VARIANTS: Variant[] = [
  { name: "raw baseline (P1's): one rowid table of JSON", ddl: [`CREATE TABLE "raw" ("id" INTEGER PRIMARY KEY, "relation" TEXT NOT NULL, "data" TEXT NOT NULL)`], insert: (db, rows) => {
    const s = db.prepare(`INSERT INTO "raw" ("relation", "data") VALUES (?, ?)`);
    for (const r of rows) s.run("flights", JSON.stringify(r));
  } },
  { name: "today: text ids, 2 row + 3 inference indexes, foreign key, a statement per row", ddl: [rowTable("TEXT", "TEXT"), ...ROW_INDEXES, inferenceTable("TEXT", "TEXT", true), ...INFERENCE_INDEXES], insert: twoTables("text", "TEXT", 1) },
  { name: "today's schema, multi-row INSERTs of 100", ddl: [rowTable("TEXT", "TEXT"), ...ROW_INDEXES, inferenceTable("TEXT", "TEXT", true), ...INFERENCE_INDEXES], insert: twoTables("text", "TEXT", PER_STATEMENT) },
  { name: "today's schema, multi-row, Row and Inference WITHOUT ROWID (text key clustered)", ddl: [rowTable("TEXT", "TEXT", false, true), ...ROW_INDEXES, inferenceTable("TEXT", "TEXT", true, true), ...INFERENCE_INDEXES], insert: twoTables("text", "TEXT", PER_STATEMENT) },
  { name: "integer ids (rowid), same indexes and key", ddl: [rowTable("INTEGER", "TEXT"), ...ROW_INDEXES, inferenceTable("INTEGER", "TEXT", true), ...INFERENCE_INDEXES], insert: twoTables("integer", "TEXT", 1) },
  { name: "integer ids, multi-row INSERTs of 100", ddl: [rowTable("INTEGER", "TEXT"), ...ROW_INDEXES, inferenceTable("INTEGER", "TEXT", true), ...INFERENCE_INDEXES], insert: twoTables("integer", "TEXT", PER_STATEMENT) },
  { name: "integer ids, multi-row, relation/trigger/route/params hash interned as integers", ddl: [rowTable("INTEGER", "INTEGER"), ...ROW_INDEXES, inferenceTable("INTEGER", "INTEGER", false), ...INFERENCE_INDEXES], insert: twoTables("integer", "INTEGER", PER_STATEMENT) },
  { name: "one table: the row with its inference inline, 2 indexes, multi-row", ddl: [rowTable("INTEGER", "TEXT", true), ...ROW_INDEXES], insert: inline(PER_STATEMENT) },
  { name: "floor: integer ids, two tables, no secondary index", ddl: [rowTable("INTEGER", "TEXT"), inferenceTable("INTEGER", "TEXT", false)], insert: twoTables("integer", "TEXT", 1) },
];

function measure(variant: Variant, rows: unknown[]): number {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-bench-model-"));
  const db = new Database(path.join(dir, "model.db"));
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.pragma("foreign_keys = ON");
    for (const statement of variant.ddl) db.exec(statement);
    const started = performance.now();
    db.transaction(() => variant.insert(db, rows))();
    return rows.length / ((performance.now() - started) / 1000);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export function benchIngestModel(): BenchResult[] {
  const rows = loadFlights();
  const rates = VARIANTS.map(() => [] as number[]);
  // Interleaved repeats: the machine's drift lands on every variant alike.
  for (let k = 0; k < REPEATS; k++) VARIANTS.forEach((v, i) => rates[i]!.push(measure(v, rows)));
  const baseline = median(rates[0]!);
  return VARIANTS.slice(1).map((v, i) => {
    const value = median(rates[i + 1]!);
    return { name: `Ingest model: ${v.name}`, value: Math.round(value), unit: "rows/s", baseline: Math.round(baseline), ratio: value / baseline, note: `raw inserts of ${rows.length} flights rows + one inference each; median of ${REPEATS}` };
  });
}
