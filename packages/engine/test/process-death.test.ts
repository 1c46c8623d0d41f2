import { spawn } from "node:child_process";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { all, get } from "@motion/db";
import { Motion } from "../src/index.ts";
import { fatalApp } from "./fixtures/fatal-app.ts";
import { databaseFactories, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();
const workerScript = path.join(import.meta.dirname, "fixtures/worker-process.ts");
const fatalModule = path.join(import.meta.dirname, "fixtures/fatal-app.ts");

/**
 * Starts a fit worker process. `outcome` is the signal that ended it, or "alive" when `settled`
 * came true while it ran and it was still up a second later.
 */
function runWorker(url: string, settled: () => Promise<boolean>) {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript, fatalModule, url], {
    env: { ...process.env, MOTION_LOG_LEVEL: "error" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => (stderr += d));
  let exited = false;
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = true;
      resolve({ code, signal });
    }),
  );
  const alive = (async () => {
    while (!exited && !(await settled())) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1_000));
    return "alive";
  })();
  const outcome = Promise.race([ended.then(({ signal, code }) => signal ?? `exit ${code}`), alive]);
  return { child, ended, outcome, stderr: () => stderr };
}

describe.each(factories)("a fit that kills its process, on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  it("counts each death as an attempt and dead-letters the run at maxAttempts instead of crash-looping", async () => {
    const db = await makeDatabase();
    databases.push(db);
    const web = await Motion.open({ app: fatalApp, databaseUrl: db.url, runFits: false });
    try {
      await web.add("doomed", { n: 1 });
      const outcomes: string[] = [];
      // maxAttempts is 2: two workers die in the fit, the third recovers the run as dead
      // and stays up. Five tries bound the test if it crash-loops.
      for (let i = 0; i < 5; i++) {
        const worker = runWorker(db.url, async () => {
          const r = await web.db.read(() => get<{ status: string }>(`SELECT "status" FROM "FitRun"`));
          return r?.status === "failed";
        });
        const outcome = await worker.outcome;
        outcomes.push(outcome);
        if (outcome === "alive") {
          worker.child.kill("SIGTERM");
          expect(await worker.ended, worker.stderr()).toEqual({ code: 0, signal: null });
          break;
        }
      }
      expect(outcomes).toEqual(["SIGKILL", "SIGKILL", "alive"]);
      const run = await web.db.read(() => get<{ id: string; status: string; attempts: number; deadLettered: unknown; error: string | null }>(`SELECT * FROM "FitRun"`));
      expect(run).toMatchObject({ status: "failed", attempts: 2 });
      expect(run!.deadLettered === true || run!.deadLettered === 1).toBe(true);
      expect(run!.error).toMatch(/process .* died/);
      // Each death is an attempt on record, naming the process that died.
      const detail = await web.fitRun(run!.id);
      expect(detail.failedAttempts.map((a) => [a.attempt, a.outcome])).toEqual([[1, "died"], [2, "died"]]);
      for (const a of detail.failedAttempts) expect(a.error).toContain(a.owner!);
      // State untouched; the row is kept for an operator's retry.
      const versions = await web.db.read(() => all(`SELECT "version" FROM "StateVersion" WHERE "trigger" = 'fatal'`));
      expect(versions).toHaveLength(1);
      const pending = await web.db.read(() => all<{ fitRunId: string }>(`SELECT "fitRunId" FROM "PendingRow" WHERE "trigger" = 'fatal'`));
      expect(pending).toEqual([{ fitRunId: run!.id }]);
    } finally {
      await web.close();
    }
  }, 120_000);
});
