// Worker-thread entry: loads the app module once, then runs fits posted by the main thread.
import { parentPort } from "node:worker_threads";
import { findApp, type App } from "./app.ts";
import { executeFit, type FitOutcome, type FitTask } from "./fit-task.ts";
import type { FitStepTask } from "./fit-executor.ts";
import { decodeValue, isBinary, type State } from "./state.ts";
import { createLogger } from "./logger.ts";
import { logsOf } from "./fit-log.ts";

const apps = new Map<string, Promise<App>>();
const log = createLogger("motion-fit");

function loadApp(module: string, name: string): Promise<App> {
  const key = `${module}#${name}`;
  let app = apps.get(key);
  if (!app) {
    app = import(module).then((mod) => findApp(mod as Record<string, unknown>, name));
    apps.set(key, app);
  }
  return app;
}

/** The patch's buffers go back without a copy (the values are decoded from them first, if needed). */
function post(message: Record<string, unknown>, outcome?: FitOutcome): void {
  const transfer = outcome ? Object.values(outcome.patch).flatMap((v) => (v && v.bytes.buffer instanceof ArrayBuffer ? [v.bytes.buffer] : [])) : [];
  parentPort!.postMessage(message, [...new Set(transfer)]);
}

const failure = (error: unknown) => ({ message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack ?? null, logs: logsOf(error) });

/**
 * A slice of a chain: its fits one after another, each on the state the last successful one
 * produced (decoded from its patch, as loading that version would give), the version number
 * advancing with each success. Each result is posted as it comes, so the main thread commits
 * it and times the next fit; the slice hands the thread back after sliceMs.
 */
async function runSlice(app: App, id: number, task: FitTask, steps: readonly FitStepTask[], newest: number, sliceMs: number): Promise<void> {
  // Buffers arrive as plain Uint8Arrays: make them Buffers once, for every fit of the slice.
  let state: State = { ...task.state };
  for (const key of task.buffers ?? []) {
    const v = state[key];
    if (isBinary(v) && !Buffer.isBuffer(v)) state[key] = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  }
  let version = task.version;
  const started = performance.now();
  const all = [task, ...steps];
  let ran = 0;
  for (; ran < all.length; ran++) {
    if (ran > 0 && performance.now() - started > sliceMs) break;
    // State values are shared by the fits of the slice: each fit gets copies (copy on read).
    const fit: FitTask = { ...task, ...all[ran]!, state, version, buffers: [] };
    let outcome: FitOutcome;
    try {
      outcome = await executeFit(app, fit, log, true);
    } catch (error) {
      post({ id, step: ran, ok: false, error: failure(error) });
      continue;
    }
    const next: State = { ...state };
    for (const [key, value] of Object.entries(outcome.patch)) {
      if (value === null) delete next[key];
      else next[key] = decodeValue(value.kind, value.bytes, value.checksum, false);
    }
    post({ id, step: ran, ok: true, outcome }, outcome);
    state = next;
    version = ++newest;
  }
  post({ id, end: ran });
}

parentPort!.on("message", async (message: { id: number; task: FitTask; steps?: FitStepTask[]; newest?: number; sliceMs?: number } | { warm: { module: string; name: string } }) => {
  if ("warm" in message) {
    // Load the app before the first fit needs it; a failure shows up again on that fit.
    await loadApp(message.warm.module, message.warm.name).catch((error: Error) => log.error({ err: error.message }, "loading the app in a fit thread failed"));
    parentPort!.postMessage({ warmed: true });
    return;
  }
  const { id, task } = message;
  let app: App;
  try {
    app = await loadApp(task.appModule!, task.appName);
  } catch (error) {
    // The slice's first fit fails; the main thread records it and sends the rest again.
    parentPort!.postMessage(message.steps ? { id, step: 0, ok: false, error: failure(error) } : { id, ok: false, error: failure(error) });
    if (message.steps) parentPort!.postMessage({ id, end: 1 });
    return;
  }
  if (message.steps) return runSlice(app, id, task, message.steps, message.newest!, message.sliceMs!);
  try {
    const outcome = await executeFit(app, task, log);
    post({ id, ok: true, outcome }, outcome);
  } catch (error) {
    parentPort!.postMessage({ id, ok: false, error: failure(error) });
  }
});
