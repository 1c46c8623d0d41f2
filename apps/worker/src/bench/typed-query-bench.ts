// How storage code should reach its tables (#13), measured: the same three reads and one write
// as a SQL string through the query layer (the baseline), as a Kysely query compiled per call
// and run through the same layer, the same compiled once (`prepare`), and through the Prisma
// client, on SQLite and PostgreSQL.
// The rule: the Prisma client where it is within 10% of today's speed for that path,
// Kysely otherwise. Rounds interleave the three methods so machine noise hits all of them.
//
//   npm run bench -- typed-queries
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { all, get, insertMany, openDatabase, prepare, run, selectAll, selectFirst, execute, newId, storage, type Database } from "@motion/db";
import { createThrowawayDatabase, requirePostgres } from "@motion/db/test-support";
import { median, type BenchResult } from "./stats.ts";

const ROWS = 5_000;
const ROUNDS = 7;
const CALLS = 400;

type Method = "sql" | "kysely" | "prepared" | "prisma";
const METHODS: Method[] = ["sql", "kysely", "prepared", "prisma"];
interface Path {
  name: string;
  call: Record<Method, (db: Database, i: number) => Promise<unknown>>;
}

const INFERENCE = prepare((id: string) => storage.selectFrom("Inference").select(["id", "rowId", "trigger", "stateVersion", "output", "createdAt"]).where("id", "=", id));
const PAGE = prepare((relation: string, before: string, limit: number) => storage.selectFrom("Row").select(["id", "key", "createdAt", "data"]).where("relation", "=", relation).where("id", "<", before).orderBy("id", "desc").limit(limit));
const OF_ROW = prepare((rowId: string) => storage.selectFrom("Inference").select(["id", "trigger", "output"]).where("rowId", "=", rowId).orderBy("id"));
const AUDIT = prepare((id: string, createdAt: Date) => storage.insertInto("AuditEvent").values({ id, actor: "bench", action: "bench.prepared", target: "t", reason: null, data: null, createdAt }));

function paths(ids: string[], inferenceIds: string[]): Path[] {
  const pick = (list: string[], i: number) => list[(i * 7919) % list.length]!;
  return [
    {
      name: "one inference by id",
      call: {
        sql: (db, i) => db.read(() => get(`SELECT "id", "rowId", "trigger", "stateVersion", "output", "createdAt" FROM "Inference" WHERE "id" = ?`, [pick(inferenceIds, i)])),
        kysely: (db, i) => db.read(() => selectFirst(storage.selectFrom("Inference").select(["id", "rowId", "trigger", "stateVersion", "output", "createdAt"]).where("id", "=", pick(inferenceIds, i)))),
        prepared: (db, i) => db.read(() => INFERENCE.first(pick(inferenceIds, i))),
        prisma: (db, i) => db.prisma.inference.findUnique({ where: { id: pick(inferenceIds, i) }, select: { id: true, rowId: true, trigger: true, stateVersion: true, output: true, createdAt: true } }),
      },
    },
    {
      name: "a page of 50 rows (keyset)",
      call: {
        sql: (db, i) => db.read(() => all(`SELECT "id", "key", "createdAt", "data" FROM "Row" WHERE "relation" = ? AND "id" < ? ORDER BY "id" DESC LIMIT ?`, ["bench", pick(ids, i), 50])),
        kysely: (db, i) => db.read(() => selectAll(storage.selectFrom("Row").select(["id", "key", "createdAt", "data"]).where("relation", "=", "bench").where("id", "<", pick(ids, i)).orderBy("id", "desc").limit(50))),
        prepared: (db, i) => db.read(() => PAGE.all("bench", pick(ids, i), 50)),
        prisma: (db, i) => db.prisma.row.findMany({ where: { relation: "bench", id: { lt: pick(ids, i) } }, orderBy: { id: "desc" }, take: 50, select: { id: true, key: true, createdAt: true, data: true } }),
      },
    },
    {
      name: "inferences of one row",
      call: {
        sql: (db, i) => db.read(() => all(`SELECT "id", "trigger", "output" FROM "Inference" WHERE "rowId" = ? ORDER BY "id"`, [pick(ids, i)])),
        kysely: (db, i) => db.read(() => selectAll(storage.selectFrom("Inference").select(["id", "trigger", "output"]).where("rowId", "=", pick(ids, i)).orderBy("id"))),
        prepared: (db, i) => db.read(() => OF_ROW.all(pick(ids, i))),
        prisma: (db, i) => db.prisma.inference.findMany({ where: { rowId: pick(ids, i) }, orderBy: { id: "asc" }, select: { id: true, trigger: true, output: true } }),
      },
    },
    {
      name: "insert one audit event",
      call: {
        sql: (db) => db.tx(() => run(`INSERT INTO "AuditEvent" ("id", "actor", "action", "target", "reason", "data", "createdAt") VALUES (?, ?, ?, ?, ?, ?, ?)`, [newId(), "bench", "bench.sql", "t", null, null, new Date()])),
        kysely: (db) => db.tx(() => execute(storage.insertInto("AuditEvent").values({ id: newId(), actor: "bench", action: "bench.kysely", target: "t", reason: null, data: null, createdAt: new Date() }))),
        prepared: (db) => db.tx(() => AUDIT.run(newId(), new Date())),
        prisma: (db) => db.prisma.auditEvent.create({ data: { id: newId(), actor: "bench", action: "bench.prisma", target: "t", createdAt: new Date() }, select: { id: true } }),
      },
    },
  ];
}

async function seed(db: Database): Promise<{ ids: string[]; inferenceIds: string[] }> {
  const now = new Date();
  const ids = Array.from({ length: ROWS }, () => newId());
  const inferenceIds = Array.from({ length: ROWS }, () => newId());
  await db.tx(function* () {
    yield* insertMany(`INSERT INTO "Row" ("id", "relation", "key", "data", "partition", "createdAt") VALUES `, 6,
      ids.map((id, i) => [id, "bench", null, JSON.stringify({ n: i, text: `row ${i}` }), "2026-12-05", now]));
    yield* insertMany(`INSERT INTO "Inference" ("id", "rowId", "relation", "trigger", "route", "output", "error", "stateVersion", "paramsHash", "inputHash", "latencyMs", "cached", "labeled", "createdAt") VALUES `, 14,
      inferenceIds.map((id, i) => [id, ids[i], "bench", "t", "bench", JSON.stringify({ y: i }), null, 1, "p", "h", 0.1, false, false, now]));
  });
  return { ids, inferenceIds };
}

/** Median µs per call of each method on each path, rounds interleaved. */
async function measure(db: Database): Promise<Map<string, Record<Method, number>>> {
  const { ids, inferenceIds } = await seed(db);
  const list = paths(ids, inferenceIds);
  const samples = new Map(list.map((p) => [p.name, Object.fromEntries(METHODS.map((m) => [m, [] as number[]])) as Record<Method, number[]>]));
  for (const p of list) for (const m of METHODS) for (let i = 0; i < 50; i++) await p.call[m](db, i); // warm-up: prepared statements, JIT
  for (let round = 0; round < ROUNDS; round++) {
    for (const p of list) {
      // Rotate who goes first so a method is not always measured right after another's GC.
      for (const m of [...METHODS.slice(round % METHODS.length), ...METHODS.slice(0, round % METHODS.length)]) {
        const started = performance.now();
        for (let i = 0; i < CALLS; i++) await p.call[m](db, round * CALLS + i);
        samples.get(p.name)![m].push(((performance.now() - started) * 1000) / CALLS);
      }
    }
  }
  return new Map([...samples].map(([name, s]) => [name, Object.fromEntries(METHODS.map((m) => [m, median(s[m])])) as Record<Method, number>]));
}

function report(dialect: string, measured: Map<string, Record<Method, number>>): BenchResult[] {
  const out: BenchResult[] = [];
  for (const [name, m] of measured) {
    out.push({ name: `Typed query (${dialect}): ${name}, Kysely`, value: m.kysely, unit: "µs", baseline: m.sql, ratio: m.kysely / m.sql, goal: "≤ 1.05 (the query layer with a SQL string)", note: "built and compiled per call" });
    out.push({ name: `Typed query (${dialect}): ${name}, Kysely prepared`, value: m.prepared, unit: "µs", baseline: m.sql, ratio: m.prepared / m.sql, goal: "≤ 1.05 (the query layer with a SQL string)", note: "compiled once (prepare)" });
    out.push({ name: `Typed query (${dialect}): ${name}, Prisma client`, value: m.prisma, unit: "µs", baseline: m.sql, ratio: m.prisma / m.sql, goal: "≤ 1.10 to be chosen", note: "same query through the Prisma client" });
  }
  return out;
}

export async function benchTypedQueries(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-typed-"));
  const sqlite = await openDatabase({ url: `file:${path.join(dir, "bench.db")}` });
  try {
    results.push(...report("SQLite", await measure(sqlite)));
  } finally {
    await sqlite.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const adminUrl = await requirePostgres();
  if (!adminUrl) return results;
  const target = await createThrowawayDatabase(adminUrl, "motion_bench_typed");
  try {
    const db = await openDatabase({ url: target.url });
    try {
      results.push(...report("PostgreSQL", await measure(db)));
    } finally {
      await db.close();
    }
  } finally {
    await target.drop();
  }
  return results;
}
