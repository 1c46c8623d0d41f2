// Worker-thread entry: loads the app module once, then runs fits posted by the main thread.
import { parentPort } from "node:worker_threads";
import { findApp, type App } from "./app.ts";
import { executeFit, type FitTask } from "./fit-task.ts";
import { createLogger } from "./logger.ts";

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

parentPort!.on("message", async (message: { id: number; task: FitTask } | { warm: { module: string; name: string } }) => {
  if ("warm" in message) {
    // Load the app before the first fit needs it; a failure shows up again on that fit.
    await loadApp(message.warm.module, message.warm.name).catch((error: Error) => log.error({ err: error.message }, "loading the app in a fit thread failed"));
    parentPort!.postMessage({ warmed: true });
    return;
  }
  const { id, task } = message;
  try {
    const app = await loadApp(task.appModule!, task.appName);
    const outcome = await executeFit(app, task, log);
    const transfer = Object.values(outcome.patch).flatMap((v) => (v && v.bytes.buffer instanceof ArrayBuffer ? [v.bytes.buffer] : []));
    parentPort!.postMessage({ id, ok: true, outcome }, [...new Set(transfer)]);
  } catch (error) {
    const err = error as Error;
    parentPort!.postMessage({ id, ok: false, error: { message: err?.message ?? String(error), stack: err?.stack ?? null } });
  }
});
