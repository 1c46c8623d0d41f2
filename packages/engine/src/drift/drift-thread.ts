// Worker-thread side of drift checks: runs DriftCompute's methods posted by the main thread.
import { parentPort } from "node:worker_threads";
import { DriftCompute } from "./drift-compute.ts";

const compute = new DriftCompute();
type Op = "known" | "load" | "forget" | "summary" | "series" | "judge";

parentPort!.on("message", (message: { id: number; op: Op; args: unknown[] }) => {
  try {
    const method = compute[message.op] as (...args: unknown[]) => unknown;
    parentPort!.postMessage({ id: message.id, result: method.apply(compute, message.args) });
  } catch (error) {
    parentPort!.postMessage({ id: message.id, error: { message: (error as Error)?.message ?? String(error), stack: (error as Error)?.stack ?? null } });
  }
});
