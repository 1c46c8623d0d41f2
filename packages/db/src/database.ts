import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaPg } from "@prisma/adapter-pg";
import type { PrismaClient } from "./generated/sqlite/client.ts";
import { runAsync, runSync, valuesList, type Query, type QueryOp } from "./query.ts";
import { providerOf, redactUrl, resolveDatabaseUrl, sqliteFilePath, type Provider } from "./url.ts";
import { migrate } from "./migrate.ts";
import { startWalCheckpointer } from "./wal-checkpointer.ts";
import { StatementCache } from "./statement-cache.ts";
import { startSqliteReader } from "./sqlite-reader.ts";
import { bulkTarget, ColumnTypes, unnestInsert } from "./pg-bulk-insert.ts";

const require = createRequire(import.meta.url);

export type { PrismaClient };

/**
 * One open database: a Prisma client for ordinary queries and a raw executor (on the same
 * connection or pool) for the paths that must run near the database's own speed.
 */
export interface Database {
  readonly provider: Provider;
  readonly url: string;
  readonly prisma: PrismaClient;
  /** Runs the queries of `body` as one transaction (atomic; retried by the caller if needed). */
  tx<T>(body: () => Query<T>): Promise<T>;
  /** Runs the queries of `body` outside a transaction. */
  read<T>(body: () => Query<T>): Promise<T>;
  /**
   * Read-only queries that may take long (exports, big scans, aggregates that no rollup
   * answers), kept off the path of writes and short reads. SQLite: a read-only connection in a
   * worker thread (one snapshot per body), so the event loop never waits for them; an
   * in-memory database has no second connection and reads on the main one. PostgreSQL: a small
   * pool of its own (MOTION_PG_LONG_READ_POOL_SIZE, default 2), so long reads cannot take
   * every connection that writes need. Writing from `body` is an error.
   */
  readLong<T>(body: () => Query<T>): Promise<T>;
  /**
   * PostgreSQL only: subscribe to NOTIFY on one or more channels (state changes broadcast
   * between processes). A dropped session is re-opened; `onReconnect` runs after each
   * re-open, since notifications sent while it was down are lost. Returns an unsubscribe.
   */
  listen?(
    channel: string | string[],
    onMessage: (payload: string, channel: string) => void,
    onReconnect?: () => void,
  ): Promise<() => Promise<void>>;
  /** PostgreSQL only: NOTIFY `channel` (what `listen` hears in every process). */
  notify?(channel: string, payload?: string): Promise<void>;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  url?: string;
  /** Apply pending migrations first (default true). */
  migrate?: boolean;
  /**
   * SQLite: how long a statement waits, blocking its thread, for a lock another connection
   * holds (default 5000 ms). A transaction that cannot begin is also retried without blocking
   * (see `tx`), up to 5 s in all.
   */
  busyTimeoutMs?: number;
}

export async function openDatabase(options: OpenDatabaseOptions = {}): Promise<Database> {
  const url = resolveDatabaseUrl(options.url);
  const provider = providerOf(url);
  if (options.migrate !== false) await migrate(url);
  return provider === "sqlite" ? openSqlite(url, options.busyTimeoutMs ?? 5000) : openPostgres(url);
}

// ---------------------------------------------------------------- SQLite

function sqliteParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** sqliteParam for bulk values: the common primitives first (this runs for every value of every ingest batch). */
function bulkParam(v: unknown): unknown {
  switch (typeof v) {
    case "string":
    case "number":
      return v;
    case "boolean":
      return v ? 1 : 0;
    case "undefined":
      return null;
    default:
      return v instanceof Date ? v.getTime() : v;
  }
}

/**
 * Rows per INSERT statement of a bulk insert on SQLite. One statement of many rows binds and
 * runs once instead of once per row: `npm run bench -- ingest-model` put multi-row inserts of
 * Motion's schema 10% ahead of a statement per row, and P1 measured it (docs/indexes.md).
 * SQLite allows 32,766 parameters a statement: 64 rows of up to 500 columns.
 */
const MULTI_ROW = 64;

/** BEGIN IMMEDIATE refused with the write lock taken (SQLITE_BUSY or one of its extended codes). */
const isBusy = (error: unknown) => typeof (error as { code?: unknown })?.code === "string" && (error as { code: string }).code.startsWith("SQLITE_BUSY");
/** How long in all a transaction that cannot begin is retried, without blocking the event loop. */
const BEGIN_RETRY_MS = 5000;

async function openSqlite(url: string, busyTimeoutMs: number): Promise<Database> {
  const file = sqliteFilePath(url);
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const factory = new PrismaBetterSqlite3({ url }, { timestampFormat: "unixepoch-ms" });
  let connection: BetterSqlite3.Database | undefined;
  const statements = new StatementCache<BetterSqlite3.Statement>();
  // Capture the driver connection Prisma opens, so raw statements share it: one writer,
  // no lock contention between our statements and Prisma's inside one process.
  const capturing = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const adapter = await factory.connect();
      connection = (adapter as unknown as { client: BetterSqlite3.Database }).client;
      connection.pragma("journal_mode = WAL");
      connection.pragma("synchronous = NORMAL");
      connection.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      connection.pragma("foreign_keys = ON");
      if (file !== ":memory:") connection.pragma("wal_autocheckpoint = 0");
      // When SQLite rewinds the WAL (all of it copied back, no reader on it), cut the file back
      // to 64 MB instead of keeping its largest size (see wal-checkpointer.ts).
      connection.pragma(`journal_size_limit = ${64 * 1024 * 1024}`);
      statements.clear();
      return adapter;
    },
    connectToShadowDb: () => factory.connectToShadowDb(),
  };
  const { PrismaClient } = await import("./generated/sqlite/client.ts");
  const prisma = new PrismaClient({ adapter: capturing as typeof factory });
  await prisma.$connect();
  if (!connection) throw new Error(`Could not open SQLite database ${file}`);

  const prepare = (sql: string) => statements.get(sql, (text) => connection!.prepare(text).safeIntegers(false));
  const exec = (op: QueryOp): unknown => {
    if (op.kind === "insertMany") {
      const { rows, columns } = op;
      // Rows in statements of MULTI_ROW (one statement text, cached), the rest one by one; each
      // value converted as it is copied into the bound array (one pass; the caller's rows untouched).
      let at = 0;
      if (rows.length >= MULTI_ROW) {
        const many = prepare(op.head + valuesList(MULTI_ROW, columns) + (op.tail ?? ""));
        const values = new Array<unknown>(MULTI_ROW * columns);
        for (; at + MULTI_ROW <= rows.length; at += MULTI_ROW) {
          let k = 0;
          for (let r = at; r < at + MULTI_ROW; r++) {
            const row = rows[r]!;
            for (let c = 0; c < columns; c++) values[k++] = bulkParam(row[c]);
          }
          many.run(values);
        }
      }
      if (at < rows.length) {
        const one = prepare(op.head + valuesList(1, columns) + (op.tail ?? ""));
        const values = new Array<unknown>(columns);
        for (; at < rows.length; at++) {
          const row = rows[at]!;
          for (let c = 0; c < columns; c++) values[c] = bulkParam(row[c]);
          one.run(values);
        }
      }
      return rows.length;
    }
    const stmt = prepare(op.sql);
    const params = op.params.map(sqliteParam);
    if (op.kind === "run" || !stmt.reader) return stmt.run(params).changes;
    return stmt.all(params);
  };

  // Prisma's interactive transactions hold BEGIN across awaits on the shared connection;
  // never start ours inside one of theirs.
  const idle = async () => {
    while (connection!.inTransaction) await new Promise((resolve) => setImmediate(resolve));
  };

  const checkpointer = file !== ":memory:" ? startWalCheckpointer(path.resolve(file), require.resolve("better-sqlite3")) : null;
  const reader = file !== ":memory:" ? startSqliteReader(path.resolve(file), require.resolve("better-sqlite3"), sqliteParam) : null;

  let closed = false;
  return {
    provider: "sqlite",
    url,
    prisma,
    async tx(body) {
      // Under load (the server bench's closed loop, about once in 70,000 requests) BEGIN
      // IMMEDIATE failed with "database is locked" well inside the busy timeout, and the caller
      // got a 500; the other party was one of this process's own background connections (WAL
      // checkpointer, long-read reader), not pinned down. The body had not run, so the
      // transaction is begun again after a pause in which the event loop turns.
      const deadline = Date.now() + BEGIN_RETRY_MS;
      for (let pause = 1; ; pause = Math.min(pause * 2, 50)) {
        await idle();
        const conn = connection!;
        let began = false;
        try {
          return conn.transaction(() => {
            began = true;
            return runSync(body(), exec);
          }).immediate();
        } catch (error) {
          if (began || !isBusy(error) || Date.now() >= deadline) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, pause));
      }
    },
    async read(body) {
      // Checked here first: awaiting idle() costs two promises per read, and every promise pays
      // for the process's async hooks once anything (Next.js, better-auth) uses AsyncLocalStorage.
      if (connection!.inTransaction) await idle();
      return runSync(body(), exec);
    },
    async readLong(body) {
      if (reader) return reader.read(body);
      if (connection!.inTransaction) await idle();
      return runSync(body(), exec);
    },
    async close() {
      if (closed) return;
      closed = true;
      statements.clear();
      await reader?.close();
      await checkpointer?.stop();
      await prisma.$disconnect();
    },
  };
}

// ---------------------------------------------------------------- PostgreSQL

const TIMESTAMP_OID = 1114;
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const pgTypes = {
  getTypeParser: (oid: number, format?: "text" | "binary") => {
    // Prisma writes timestamp(3) without time zone in UTC; read it back as UTC.
    if (oid === TIMESTAMP_OID) return (value: string) => new Date(value.replace(" ", "T") + "Z");
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as "text");
  },
};

const placeholderCache = new Map<string, string>();
function pgSql(sql: string): string {
  let converted = placeholderCache.get(sql);
  if (converted === undefined) {
    let n = 0;
    converted = sql.replace(/\?/g, () => `$${++n}`);
    placeholderCache.set(sql, converted);
  }
  return converted;
}

function pgParam(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return value.toString();
  // timestamp(3) has no zone: send UTC wall time, whatever the process time zone.
  if (value instanceof Date) return value.toISOString().replace("T", " ").replace("Z", "");
  return value;
}

/** One transaction on a pooled connection: begin, run, commit (or roll back), release. */
async function inTransaction<T>(pool: pg.Pool, begin: string, body: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await body(client);
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function openPostgres(url: string): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: Number(process.env.MOTION_PG_POOL_SIZE ?? 10) });
  pool.on("error", () => {
    // An idle client lost its connection (e.g. the server restarted); the pool replaces it.
  });
  const { PrismaClient } = await import("./generated/postgresql/client.ts");
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) }) as unknown as PrismaClient;
  try {
    await pool.query("SELECT 1");
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot reach PostgreSQL at ${redactUrl(url)}: ${(error as Error).message}`);
  }

  const columnTypes = new ColumnTypes();
  const execOn = (client: pg.Pool | pg.PoolClient) => async (op: QueryOp) => {
    if (op.kind === "insertMany") {
      const target = bulkTarget(op.head);
      const types = target && (await columnTypes.of(client as pg.ClientBase, target));
      if (target && types) {
        const { text, values } = unnestInsert(target, types, op.rows, op.tail ?? "", pgParam);
        await client.query({ text, values });
        return op.rows.length;
      }
      // Stay under PostgreSQL's 65,535 bind parameters per statement.
      const per = Math.max(1, Math.floor(60_000 / op.columns));
      for (let start = 0; start < op.rows.length; start += per) {
        const chunk = op.rows.slice(start, start + per);
        const values: unknown[] = [];
        for (const row of chunk) for (const v of row) values.push(pgParam(v));
        await client.query({ text: pgSql(op.head + valuesList(chunk.length, op.columns) + (op.tail ?? "")), values });
      }
      return op.rows.length;
    }
    const result = await client.query({ text: pgSql(op.sql), values: op.params.map(pgParam), types: pgTypes });
    return op.kind === "run" ? (result.rowCount ?? 0) : result.rows;
  };
  const poolExec = execOn(pool);
  let longPool: pg.Pool | null = null;
  const longPoolOf = (): pg.Pool => {
    if (!longPool) {
      longPool = new pg.Pool({ connectionString: url, max: Number(process.env.MOTION_PG_LONG_READ_POOL_SIZE ?? 2) });
      longPool.on("error", () => undefined);
    }
    return longPool;
  };

  let closed = false;
  return {
    provider: "postgresql",
    url,
    prisma,
    async tx(body) {
      return inTransaction(pool, "BEGIN", (client) => runAsync(body(), execOn(client)));
    },
    read(body) {
      return runAsync(body(), poolExec);
    },
    async readLong(body) {
      // One snapshot per body, as on SQLite: a read-only REPEATABLE READ transaction.
      return inTransaction(longPoolOf(), "BEGIN TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY", (client) => {
        const exec = execOn(client);
        return runAsync(body(), (op) => {
          if (op.kind !== "all") throw new Error("a long read cannot write");
          return exec(op);
        });
      });
    },
    async notify(channel, payload = "") {
      await pool.query("SELECT pg_notify($1, $2)", [channel, payload]);
    },
    async listen(channel, onMessage, onReconnect) {
      const channels = Array.isArray(channel) ? channel : [channel];
      for (const c of channels) if (!/^[a-z_][a-z0-9_]*$/.test(c)) throw new Error(`bad channel name ${c}`);
      // A dedicated connection: LISTEN is per session. A lost session (server restart, a
      // terminated backend) is re-opened every second until it works; notifications sent
      // meanwhile are lost, which is why the caller is told through onReconnect.
      let client: pg.Client | null = null;
      let stopped = false;
      let retry: NodeJS.Timeout | null = null;
      const connect = async (): Promise<void> => {
        const c = new pg.Client({ connectionString: url });
        const lost = () => {
          if (client !== c) return;
          client = null;
          void c.end().catch(() => undefined);
          reconnectSoon();
        };
        c.on("notification", (msg) => {
          if (channels.includes(msg.channel)) onMessage(msg.payload ?? "", msg.channel);
        });
        c.on("error", lost);
        c.on("end", lost);
        try {
          await c.connect();
          for (const name of channels) await c.query(`LISTEN ${name}`);
        } catch (error) {
          await c.end().catch(() => undefined);
          throw error;
        }
        if (stopped) await c.end().catch(() => undefined);
        else client = c;
      };
      const reconnectSoon = () => {
        if (stopped || retry) return;
        retry = setTimeout(() => {
          retry = null;
          connect().then(
            () => {
              if (!stopped) onReconnect?.();
            },
            () => reconnectSoon(),
          );
        }, 1000);
        retry.unref();
      };
      await connect();
      return async () => {
        stopped = true;
        if (retry) clearTimeout(retry);
        const c = client;
        client = null;
        await c?.end().catch(() => undefined);
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await prisma.$disconnect();
      await longPool?.end();
      await pool.end();
    },
  };
}
