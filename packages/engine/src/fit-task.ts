import type { StoredRow } from "./relation.ts";
import type { State, StatePatch } from "./state.ts";
import type { App } from "./app.ts";
import type { FitReason, InferenceSummary } from "./trigger.ts";
import { deepFreeze, isBinary, type BinaryValue } from "./state.ts";
import { encodePatch, type EncodedPatch } from "./state-store.ts";
import type { Logger } from "./logger.ts";
import { attachLogs, capturingLogger, FitLogBuffer, type FitLogs } from "./fit-log.ts";

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
  reason: FitReason;
  /** Keys of `state` that are Buffers: a worker thread receives them as plain Uint8Arrays. */
  buffers?: string[];
}

export interface FitOutcome {
  patch: EncodedPatch;
  metrics: Record<string, number>;
  /** What the fit logged (bounded); absent when it logged nothing. */
  logs?: FitLogs;
}

export function bufferKeys(state: State): string[] {
  return Object.keys(state).filter((k) => Buffer.isBuffer(state[k]));
}

function copyBinary(value: BinaryValue): BinaryValue {
  return Buffer.isBuffer(value) ? Buffer.from(value) : value.slice();
}

/**
 * The state a fit receives. `shared`: the task's typed arrays are the served version's own
 * memory (inline fits), so each is copied on first read — a fit that writes into one changes
 * only its copy, and a fit that never reads a large index never pays for copying it.
 */
function fitState(task: FitTask, shared: boolean): State {
  const state: State = {};
  const buffers = new Set(task.buffers ?? []);
  for (const [key, value] of Object.entries(task.state)) {
    if (!isBinary(value)) {
      state[key] = deepFreeze(value);
    } else if (shared) {
      let own: BinaryValue | undefined;
      Object.defineProperty(state, key, { enumerable: true, get: () => (own ??= copyBinary(value)) });
    } else {
      state[key] = buffers.has(key) && !Buffer.isBuffer(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength) : value;
    }
  }
  return Object.freeze(state);
}

/**
 * Runs one fit in this thread: the same code serves the worker thread and inline mode.
 * `sharedState` is true when task.state is the served version itself (not a copy).
 */
export async function executeFit(app: App, task: FitTask, log: Logger, sharedState = false): Promise<FitOutcome> {
  const trigger = app.trigger(task.trigger);
  if (!trigger) throw new Error(`app ${app.name} has no trigger ${task.trigger}`);
  const route = trigger.routes.find((r) => r.name === task.route);
  if (!route?.fit) throw new Error(`trigger ${task.trigger} has no fit route ${task.route}`);
  const metrics: Record<string, number> = {};
  const kept = new FitLogBuffer();
  let patch: unknown;
  try {
    patch = await route.fit({
      state: fitState(task, sharedState),
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
      log: capturingLogger(log, kept),
    });
    if (patch !== undefined && (patch === null || typeof patch !== "object" || Array.isArray(patch))) {
      throw new TypeError(`fit ${task.trigger}/${task.route} must return a patch object (or nothing), got ${Array.isArray(patch) ? "an array" : typeof patch}`);
    }
  } catch (error) {
    // What the fit logged before it failed is kept with the failed attempt.
    throw attachLogs(error, kept.logs());
  }
  const logs = kept.logs();
  const outcome: FitOutcome = { patch: encodePatch((patch ?? {}) as StatePatch), metrics };
  if (logs) outcome.logs = logs;
  return outcome;
}
