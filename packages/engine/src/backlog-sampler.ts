// Backlog samples: about once a minute a fit process writes, per fit route, how many rows wait
// for a fit (waiting, held by drift, claimed by a run) and how many the route's runs took out
// of the backlog since the previous sample (fitted, shed by backpressure). The console's
// backlog chart reads these few rows per minute instead of the PendingRow table's history,
// which does not exist (entries are deleted when fitted).
// Cost per sample and route: one count over the route's PendingRow index range (bounded by the
// route's backlog, at most maxPending + the in-flight batch with backpressure) and one sum over
// the trigger's runs finished since the previous sample (FitRun(trigger, finishedAt) range).
import { execute, selectAll, selectFirst, sql, storage, toDateOrNull, type Database, type Query } from "@motion/db";
import type { App } from "./app.ts";
import type { Logger } from "./logger.ts";

const MINUTE_MS = 60_000;

export interface BacklogSampleRow {
  trigger: string;
  route: string;
  at: Date;
  waiting: number;
  held: number;
  claimed: number;
  fitted: number;
  shed: number;
}

/** The fit routes a sample covers (scheduled ones included: their rows wait for a tick). */
export function fitRoutes(app: App): { trigger: string; route: string }[] {
  return app.triggers.flatMap((t) => t.routes.filter((r) => r.fit).map((r) => ({ trigger: t.name, route: r.name })));
}

/** Current PendingRow counts of one route: waiting (unclaimed, not held), held, claimed. */
export function* countBacklog(trigger: string, route: string): Query<{ waiting: number; held: number; claimed: number }> {
  const claimed = sql<number>`CASE WHEN ${sql.ref("fitRunId")} IS NULL THEN 0 ELSE 1 END`;
  const rows = yield* selectAll(
    storage.selectFrom("PendingRow").select((eb) => ["held", claimed.as("claimed"), eb.fn.countAll().as("n")]).where("trigger", "=", trigger).where("route", "=", route).groupBy(["held", claimed]),
  );
  const out = { waiting: 0, held: 0, claimed: 0 };
  for (const r of rows) {
    const n = Number(r.n);
    if (Number(r.claimed) === 1) out.claimed += n;
    else if (r.held === true || Number(r.held) === 1) out.held += n;
    else out.waiting += n;
  }
  return out;
}

/**
 * Writes the sample of minute floor(now) for every fit route, in one transaction. The first
 * sample of a minute wins (another process or an earlier call in the same minute): a no-op then.
 * Returns the samples written.
 */
export function* sampleBacklog(routes: readonly { trigger: string; route: string }[], now: Date): Query<BacklogSampleRow[]> {
  const at = new Date(Math.floor(now.getTime() / MINUTE_MS) * MINUTE_MS);
  const written: BacklogSampleRow[] = [];
  for (const { trigger, route } of routes) {
    const prev = yield* selectFirst(storage.selectFrom("BacklogSample").select(["at", "takenAt"]).where("trigger", "=", trigger).where("route", "=", route).orderBy("at", "desc").limit(1));
    const prevAt = toDateOrNull(prev?.at);
    if (prevAt && prevAt.getTime() >= at.getTime()) continue;
    // Runs finished since the previous sample (the first sample counts the minute before it).
    const since = toDateOrNull(prev?.takenAt) ?? new Date(at.getTime() - MINUTE_MS);
    const sums = yield* selectAll(
      storage.selectFrom("FitRun").select((eb) => ["status", "reason", eb.fn.sum("rowCount").as("n")])
        .where("trigger", "=", trigger).where("finishedAt", ">", since).where("finishedAt", "<=", now).where("route", "=", route).where("status", "in", ["succeeded", "skipped"])
        .groupBy(["status", "reason"]),
    );
    let fitted = 0;
    let shed = 0;
    for (const s of sums) {
      if (s.status === "succeeded") fitted += Number(s.n ?? 0);
      else if (s.reason === "backpressure") shed += Number(s.n ?? 0);
    }
    const counts = yield* countBacklog(trigger, route);
    const row: BacklogSampleRow = { trigger, route, at, ...counts, fitted, shed };
    const n = yield* execute(
      storage.insertInto("BacklogSample").values({ trigger, route, at, takenAt: now, waiting: row.waiting, held: row.held, claimed: row.claimed, fitted, shed }).onConflict((oc) => oc.doNothing()),
    );
    if (n) written.push(row);
  }
  return written;
}

export interface BacklogSamplerOptions {
  db: Database;
  app: App;
  log: Logger;
  /** Sample every `intervalMs` in this process (default: where fits run). */
  auto: boolean;
  intervalMs?: number;
  now?: () => Date;
}

export class BacklogSampler {
  private timer: NodeJS.Timeout | null = null;
  private readonly routes: { trigger: string; route: string }[];

  constructor(private readonly options: BacklogSamplerOptions) {
    this.routes = fitRoutes(options.app);
    const interval = options.intervalMs ?? MINUTE_MS;
    if (options.auto && interval > 0 && this.routes.length) {
      this.timer = setInterval(() => void this.sample().catch((error: unknown) => options.log.error({ err: error }, "backlog sample failed")), interval);
      this.timer.unref();
    }
  }

  /** Samples every fit route now (at `now`, default the clock). */
  sample(now: Date = this.options.now?.() ?? new Date()): Promise<BacklogSampleRow[]> {
    if (!this.routes.length) return Promise.resolve([]);
    return this.options.db.tx(() => sampleBacklog(this.routes, now));
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
