import { afterAll, describe, expect, it } from "vitest";
import { FIT_LOG_LIMITS, Motion } from "../src/index.ts";
import { loggingApp, loggingInlineApp } from "./fixtures/logging-app.ts";
import { databaseFactories, tempFile, type TestDatabase } from "./harness.ts";

const factories = await databaseFactories();

const modes = [
  ["threads", loggingApp],
  ["inline", loggingInlineApp],
] as const;

describe.each(factories)("fit attempts and logs on %s", (_name, makeDatabase) => {
  const databases: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of databases) await d.cleanup();
  });

  async function open(app: typeof loggingApp) {
    const db = await makeDatabase();
    databases.push(db);
    return Motion.open({ app, databaseUrl: db.url, closeTimeoutMs: 1_000 });
  }

  async function onlyRun(motion: Motion, trigger: string) {
    const { items } = await motion.fitRuns({ trigger, limit: 10 });
    expect(items).toHaveLength(1);
    return motion.fitRun(items[0]!.id);
  }

  it.each(modes)("%s: each failed attempt keeps its error, stack and logs; the success keeps its own logs", async (_mode, app) => {
    const motion = await open(app);
    try {
      await motion.add("jobs", { counter: tempFile("count"), failures: 2 });
      await motion.flush();
      const run = await onlyRun(motion, "flaky");
      expect(run).toMatchObject({ status: "succeeded", attempts: 3, producedVersion: 1, error: null });
      expect(run.failedAttempts.map((a) => [a.attempt, a.outcome, a.error])).toEqual([
        [1, "failed", "attempt 1 fails"],
        [2, "failed", "attempt 2 fails"],
      ]);
      const first = run.failedAttempts[0]!;
      expect(first.errorStack).toContain("attempt 1 fails");
      expect(first.owner).toMatch(/:\d+:/);
      expect(first.durationMs).toBeGreaterThanOrEqual(0);
      expect(first.logs!.dropped).toBe(0);
      expect(first.logs!.entries.map((e) => [e.level, e.msg, e.data])).toEqual([
        ["info", "loading 1 rows", { rows: 1, attempt: 1 }],
        ["warn", "provider answered 503", { step: "upload" }],
      ]);
      expect(run.logs!.entries.map((e) => e.msg)).toEqual(["loading 1 rows", "fitted"]);
      expect(run.logs!.entries[0]!.data).toEqual({ rows: 1, attempt: 3 });
      expect(run.logs!.entries.every((e) => e.at >= run.queuedAt.getTime() - 1000)).toBe(true);
      expect(motion.activeVersion("flaky")).toBe(1);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it.each(modes)("%s: a dead-lettered run retried by an operator keeps every attempt, numbered per retry", async (_mode, app) => {
    const motion = await open(app);
    try {
      await motion.add("jobs", { counter: tempFile("count"), failures: 4 });
      await motion.flush();
      let run = await onlyRun(motion, "flaky");
      expect(run).toMatchObject({ status: "failed", deadLettered: true, attempts: 3 });
      expect(run.failedAttempts.map((a) => a.attempt)).toEqual([1, 2, 3]);
      await motion.retryFit(run.id, { actor: "ops@example.com", reason: "provider is back" });
      await motion.flush();
      run = await motion.fitRun(run.id);
      // Attempt 4 of the counter fails (the retry's attempt 1), attempt 5 succeeds.
      expect(run).toMatchObject({ status: "succeeded", attempts: 2 });
      expect(run.failedAttempts.map((a) => [a.attempt, a.error])).toEqual([
        [1, "attempt 1 fails"], [2, "attempt 2 fails"], [3, "attempt 3 fails"], [1, "attempt 4 fails"],
      ]);
      expect(run.retries).toEqual([{ actor: "ops@example.com", reason: "provider is back", at: expect.any(Date) }]);
    } finally {
      await motion.close();
    }
  }, 60_000);

  it.each(modes)("%s: logs are bounded per attempt and JSON-safe; a quiet fit stores none", async (_mode, app) => {
    const motion = await open(app);
    try {
      await motion.add("noise", { calls: 250 });
      await motion.flush();
      const run = await onlyRun(motion, "chatty");
      expect(run.status).toBe("succeeded");
      const { entries, dropped } = run.logs!;
      expect(entries).toHaveLength(FIT_LOG_LIMITS.entries);
      expect(dropped).toBe(250 - FIT_LOG_LIMITS.entries);
      expect(entries[0]).toMatchObject({ level: "error", msg: "an error object", data: { name: "Error", message: "an error object" } });
      expect(entries[1]).toMatchObject({ level: "debug", msg: "odd values", data: { big: "10", nested: { err: { name: "TypeError", message: "inner" } } } });
      expect(entries[2]!.msg.length).toBeLessThan(FIT_LOG_LIMITS.msgChars + 50);
      expect(entries[2]!.msg).toContain("3000 more characters");
      expect(entries[3]!.data).toEqual({ truncated: expect.stringContaining("more characters") });
      expect(entries[FIT_LOG_LIMITS.entries - 1]!.msg).toBe(`call ${FIT_LOG_LIMITS.entries - 1}`);
      const quiet = await onlyRun(motion, "quiet");
      expect(quiet).toMatchObject({ status: "succeeded", logs: null, failedAttempts: [], retries: [] });
    } finally {
      await motion.close();
    }
  }, 60_000);

  it("an unknown run is NotFound", async () => {
    const motion = await open(loggingInlineApp);
    try {
      await expect(motion.fitRun("nope")).rejects.toMatchObject({ name: "NotFoundError" });
    } finally {
      await motion.close();
    }
  });
});
