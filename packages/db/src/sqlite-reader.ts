import { Worker } from "node:worker_threads";
import { runAsync, type Query, type QueryOp } from "./query.ts";

// Long reads on SQLite (exports, big scans, aggregates) run here: a read-only connection in a
// worker thread, so better-sqlite3's synchronous calls block that thread, never the event loop
// that answers rows.add and infer. WAL lets this reader run while the main connection writes.
// One body at a time, inside one read transaction: every query of a body sees one snapshot.
const SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true, timeout: 5000 });
db.pragma("query_only = ON");
const statements = new Map();
const prepare = (sql) => {
  let s = statements.get(sql);
  if (!s) { s = db.prepare(sql); statements.set(sql, s); if (statements.size > 500) statements.delete(statements.keys().next().value); }
  return s;
};
parentPort.on("message", (m) => {
  if (m.kind === "close") { db.close(); parentPort.close(); return; }
  try {
    let result = null;
    if (m.kind === "end") { if (db.inTransaction) db.exec("COMMIT"); return; }
    else {
      // A body's first query opens its read transaction (one snapshot for the whole body).
      if (m.begin) { if (db.inTransaction) db.exec("COMMIT"); db.exec("BEGIN"); }
      const s = prepare(m.sql);
      if (!s.reader) throw new Error("a long read cannot write: " + m.sql.slice(0, 80));
      result = s.all(m.params);
    }
    parentPort.postMessage({ id: m.id, result });
  } catch (error) {
    if (m.kind === "end" && db.inTransaction) { try { db.exec("ROLLBACK"); } catch {} }
    parentPort.postMessage({ id: m.id, error: { message: String(error && error.message || error), code: error && error.code } });
  }
});
`;

type Message = { kind: "all"; sql: string; params: unknown[]; begin: boolean };

export interface SqliteReader {
  read<T>(body: () => Query<T>): Promise<T>;
  close(): Promise<void>;
}

export function startSqliteReader(file: string, driver: string, toParam: (value: unknown) => unknown): SqliteReader {
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;

  const ensure = (): Worker => {
    if (worker) return worker;
    const w = new Worker(SOURCE, { eval: true, workerData: { file, driver } });
    w.unref();
    w.on("message", (m: { id: number; result?: unknown; error?: { message: string; code?: string } }) => {
      const entry = waiting.get(m.id);
      if (!entry) return;
      waiting.delete(m.id);
      if (waiting.size === 0) w.unref();
      if (m.error) entry.reject(Object.assign(new Error(m.error.message), m.error.code ? { code: m.error.code } : {}));
      else entry.resolve(m.result);
    });
    const fail = (error: Error) => {
      if (worker === w) worker = null;
      for (const entry of waiting.values()) entry.reject(error);
      waiting.clear();
    };
    w.on("error", fail);
    w.on("exit", (code) => fail(new Error(`SQLite reader thread exited (${code})`)));
    worker = w;
    return w;
  };

  const send = (message: Message): Promise<unknown> => {
    const w = ensure();
    const id = nextId++;
    // Keep the process alive while an answer is owed, not while the thread idles.
    w.ref();
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      w.postMessage({ ...message, id });
    });
  };


  return {
    read<T>(body: () => Query<T>): Promise<T> {
      if (closed) return Promise.reject(new Error("database is closed"));
      const run = async () => {
        let first = true;
        const exec = async (op: QueryOp): Promise<unknown> => {
          if (op.kind !== "all") throw new Error("a long read cannot write");
          const begin = first;
          first = false;
          return send({ kind: "all", sql: op.sql, params: op.params.map(toParam), begin });
        };
        try {
          return await runAsync(body(), exec);
        } finally {
          // No answer to wait for: the thread handles messages in order, so this ends the
          // snapshot before the next body's first query.
          worker?.postMessage({ kind: "end" });
        }
      };
      const result = queue.then(run, run);
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      closed = true;
      await queue;
      const w = worker;
      worker = null;
      if (!w) return;
      // Referenced until it exits: an unreferenced thread lets the process end mid-close,
      // and a script's `await motion.close()` would never return (exit code 13).
      w.ref();
      await new Promise<void>((resolve) => {
        w.once("exit", () => resolve());
        w.postMessage({ kind: "close" });
        setTimeout(() => void w.terminate().then(() => resolve()), 2000).unref();
      });
    },
  };
}
