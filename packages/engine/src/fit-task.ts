import type { StoredRow } from "./relation.ts";
import type { State } from "./state.ts";
import type { App } from "./app.ts";
import type { InferenceSummary } from "./trigger.ts";
import { deepFreeze, isBinary } from "./state.ts";
import { encodePatch, type EncodedPatch } from "./state-store.ts";
import type { Logger } from "./logger.ts";

/** Everything a fit needs, as plain data: it crosses to worker threads (and, later, queues). */
export interface FitTask {
  appModule?: string;
  appName: string;
  trigger: string;
  route: string;
  version: number;
  state: State;
  rows: StoredRow[];
  params: unknown;
  inferences: Record<string, InferenceSummary>;
  reason: "drift" | null;
}

export interface FitOutcome {
  patch: EncodedPatch;
  metrics: Record<string, number>;
}

/** Runs one fit in this thread: the same code serves the worker thread and inline mode. */
export async function executeFit(app: App, task: FitTask, log: Logger): Promise<FitOutcome> {
  const trigger = app.trigger(task.trigger);
  if (!trigger) throw new Error(`app ${app.name} has no trigger ${task.trigger}`);
  const route = trigger.routes.find((r) => r.name === task.route);
  if (!route?.fit) throw new Error(`trigger ${task.trigger} has no fit route ${task.route}`);
  const metrics: Record<string, number> = {};
  const state: State = {};
  for (const [key, value] of Object.entries(task.state)) state[key] = isBinary(value) ? value : deepFreeze(value);
  const patch = await route.fit({
    state: Object.freeze(state),
    rows: task.rows,
    params: task.params,
    inferences: task.inferences,
    version: task.version,
    trigger: task.trigger,
    reason: task.reason ?? null,
    report: (m) => {
      for (const [k, v] of Object.entries(m)) {
        if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`metric ${k} must be a finite number`);
        metrics[k] = v;
      }
    },
    log,
  });
  if (patch !== undefined && (patch === null || typeof patch !== "object" || Array.isArray(patch))) {
    throw new TypeError(`fit ${task.trigger}/${task.route} must return a patch object (or nothing), got ${Array.isArray(patch) ? "an array" : typeof patch}`);
  }
  return { patch: encodePatch(patch ?? {}), metrics };
}
