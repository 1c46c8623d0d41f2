// Bounds the rows waiting for a fit route. Counting is bounded too: the query stops at the
// limit, so its cost does not grow with the backlog, and a count is reused for a short while
// (adjusted by this process's own adds) so the add path rarely pays for it.
import { recordAudit } from "./audit-log.ts";
import { execute, newId, selectAll, selectFirst, sql, storage, type Database, type Query } from "@motion/db";
import { BackpressureError } from "./errors.ts";
import { type Logger } from "./logger.ts";
import { type ResolvedRoute } from "./trigger.ts";

const FRESH_MS = 250;

interface Count {
  n: number;
  at: number;
}

/** How many rows wait for a route, counting no further than `cap` (an index range the LIMIT stops). */
function boundedCount(key: number, trigger: string, route: string, cap: number) {
  const waiting = storage.selectFrom("PendingRow").select(sql.lit(1).as("one")).where("trigger", "=", trigger).where("route", "=", route).where("fitRunId", "is", null).where("held", "=", false).limit(cap);
  return storage.selectFrom(waiting.as(`b${key}`)).select((eb) => [sql.lit(key).as("k"), eb.fn.countAll().as("n")]);
}

function* countPending(trigger: string, route: string, cap: number): Query<number> {
  const r = yield* selectFirst(boundedCount(0, trigger, route, cap));
  return Number(r?.n ?? 0);
}

/** Takes the oldest waiting rows of a route out of fitting and records them as a skipped run. */
function* shedOldest(trigger: string, route: string, relation: string, excess: number, now: Date): Query<string[]> {
  const oldest = yield* selectAll(
    storage.selectFrom("PendingRow").select("rowId").where("trigger", "=", trigger).where("route", "=", route).where("fitRunId", "is", null).where("held", "=", false).orderBy("rowId").limit(excess),
  );
  if (oldest.length === 0) return [];
  const ids = oldest.map((o) => o.rowId);
  yield* execute(storage.deleteFrom("PendingRow").where("trigger", "=", trigger).where("route", "=", route).where("fitRunId", "is", null).where("rowId", "in", ids));
  yield* execute(
    storage.insertInto("FitRun").values({
      id: newId(now.getTime()), trigger, route, relation, status: "skipped", rowIds: JSON.stringify(ids), rowCount: ids.length, params: "null", paramsHash: "",
      attempts: 0, maxAttempts: 0, deadLettered: false, queuedAt: now, finishedAt: now, error: `shed by backpressure: the route had more than its limit of rows waiting`, reason: "backpressure",
    }),
  );
  yield* recordAudit({ actor: "backpressure", action: "fits.shed", target: `${trigger}/${route}`, data: { rows: ids.length, first: ids[0], last: ids.at(-1) }, at: now });
  return ids;
}

export class BackpressureGate {
  private readonly counts = new Map<string, Count>();

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
  ) {}

  private async pending(trigger: string, route: ResolvedRoute, fresh: boolean): Promise<number> {
    const key = `${trigger}\0${route.name}`;
    const cached = this.counts.get(key);
    const now = performance.now();
    if (!fresh && cached && now - cached.at < FRESH_MS) return cached.n;
    const n = await this.db.read(() => countPending(trigger, route.name, route.backpressure!.maxPending + 1));
    this.counts.set(key, { n, at: now });
    return n;
  }

  /**
   * Counts the waiting rows of every stale route in one statement (each count still bounded),
   * so an add that feeds many triggers pays one query, not one per route.
   */
  async prefetch(routes: readonly { trigger: string; route: ResolvedRoute }[]): Promise<void> {
    const now = performance.now();
    const stale = routes.filter(({ trigger, route }) => {
      const cached = this.counts.get(`${trigger}\0${route.name}`);
      return route.backpressure && !(cached && now - cached.at < FRESH_MS);
    });
    if (stale.length < 2) return;
    const counts = stale.map(({ trigger, route }, i) => boundedCount(i, trigger, route.name, route.backpressure!.maxPending + 1));
    const rows = await this.db.read(() => selectAll(counts.slice(1).reduce((all, q) => all.unionAll(q), counts[0]!)));
    for (const r of rows) {
      const { trigger, route } = stale[Number(r.k)]!;
      this.counts.set(`${trigger}\0${route.name}`, { n: Number(r.n), at: now });
    }
  }

  /** Counts rows this process just queued, so the cached count stays close between queries. */
  added(trigger: string, route: string, n: number): void {
    const c = this.counts.get(`${trigger}\0${route}`);
    if (c) c.n += n;
  }

  /**
   * Admits `incoming` rows for a route before anything is written: returns how many waiting
   * rows to shed after the write (shed mode), waits (wait mode) or throws BackpressureError.
   */
  async admit(trigger: string, route: ResolvedRoute, incoming: number): Promise<number> {
    const bp = route.backpressure;
    if (!bp) return 0;
    let pending = await this.pending(trigger, route, false);
    if (pending + incoming <= bp.maxPending) return 0;
    if (bp.onFull === "shed") return pending + incoming - bp.maxPending;
    // A cached count may be stale: look again before refusing.
    pending = await this.pending(trigger, route, true);
    if (pending + incoming <= bp.maxPending) return 0;
    if (bp.onFull === "wait") {
      const until = Date.now() + bp.maxWaitMs;
      let delay = 20;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, until - Date.now()))));
        delay = Math.min(delay * 2, 500);
        pending = await this.pending(trigger, route, true);
        if (pending + incoming <= bp.maxPending) return 0;
      }
    }
    if (incoming > bp.maxPending) {
      // A batch larger than the bound can never fit: say so instead of a retry hint.
      throw new BackpressureError(trigger, route.name, pending, bp.maxPending, 0);
    }
    throw new BackpressureError(trigger, route.name, pending, bp.maxPending, 1_000);
  }

  async shed(trigger: string, route: ResolvedRoute, excess: number): Promise<void> {
    if (excess <= 0) return;
    const ids = await this.db.tx(() => shedOldest(trigger, route.name, route.relation.name, excess, new Date()));
    this.added(trigger, route.name, -ids.length);
    if (ids.length) this.log.warn({ trigger, route: route.name, rows: ids.length }, "backpressure shed the oldest waiting rows from fitting");
  }
}
