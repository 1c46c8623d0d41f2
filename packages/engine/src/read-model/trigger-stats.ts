// What the console's trigger list and trigger page read per trigger: its aliases, what waits
// to be fitted, its newest fit run, finished runs by status over a recent window and a sample
// of recent infer latencies. A long read (the console polls it).
import { selectAll, selectFirst, storage, type Query } from "@motion/db";
import { readFitActivity } from "../fit-activity.ts";
import { FIT_RUN_SUMMARY_COLUMNS, toFitRunSummary, type FitRunSummary } from "./fit-runs.ts";

export interface TriggerStats {
  trigger: string;
  aliases: { active: number; latest: number; pinned: boolean } | null;
  /** Rows waiting for a fit, held ones included. */
  pendingRows: number;
  /** Of the pending rows, those held back by drift (route `onDrift: "hold"`). */
  heldRows: number;
  /** Rows of scheduled routes waiting for their next tick (not in pendingRows). */
  scheduledRows: number;
  deadLettered: number;
  lastFit: FitRunSummary | null;
  /** Runs queued within the window, by status. */
  runs: { status: string; n: number }[];
  /** The newest infer latencies (ms), at most `latencySample`. */
  latencies: number[];
}

export interface TriggerStatsWindow {
  now: Date;
  /** Runs queued within this many minutes are counted in `runs`. */
  windowMinutes: number;
  latencySample: number;
  /** `trigger\u0000route` of scheduled routes (their waiting rows count as scheduledRows). */
  scheduled?: ReadonlySet<string>;
}

export function* readTriggerStats(triggers: readonly string[], window: TriggerStatsWindow): Query<TriggerStats[]> {
  const activity = yield* readFitActivity([...triggers], window.scheduled);
  const out: TriggerStats[] = [];
  for (const [i, name] of triggers.entries()) {
    const a = activity.triggers[i];
    const aliasRows = yield* selectAll(storage.selectFrom("StateAlias").select(["name", "version", "pinned"]).where("trigger", "=", name));
    const active = aliasRows.find((r) => r.name === "active");
    const latest = aliasRows.find((r) => r.name === "latest");
    const last = yield* selectFirst(storage.selectFrom("FitRun").select(FIT_RUN_SUMMARY_COLUMNS).where("trigger", "=", name).orderBy("queuedAt", "desc").limit(1));
    const runs = yield* selectAll(
      storage.selectFrom("FitRun").select((eb) => ["status", eb.fn.countAll().as("n")])
        .where("trigger", "=", name).where("queuedAt", ">=", new Date(window.now.getTime() - window.windowMinutes * 60_000)).groupBy("status"),
    );
    const latencies = yield* selectAll(storage.selectFrom("Inference").select("latencyMs").where("trigger", "=", name).orderBy("id", "desc").limit(window.latencySample));
    out.push({
      trigger: name,
      aliases: active && latest ? { active: Number(active.version), latest: Number(latest.version), pinned: active.pinned === true || active.pinned === 1 } : null,
      // Fit activity counts held rows apart from pending ones; here pending includes them.
      pendingRows: (a?.pending ?? 0) + (a?.held ?? 0),
      heldRows: a?.held ?? 0,
      scheduledRows: a?.scheduled ?? 0,
      deadLettered: a?.deadLettered ?? 0,
      lastFit: last ? toFitRunSummary(last) : null,
      runs: runs.map((r) => ({ status: r.status, n: Number(r.n) })),
      latencies: latencies.map((l) => Number(l.latencyMs)),
    });
  }
  return out;
}
