import { execFile, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import Database from "better-sqlite3";
import { get } from "@motion/db";
import { Motion } from "@motion/engine";
import { createMotionApi, hashApiKey } from "@motion/api";
import { app } from "./fixtures/app.ts";

const run = promisify(execFile);
const bin = path.resolve(import.meta.dirname, "../bin/motion.mjs");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "motion-cli-"));
const url = `file:${path.join(dir, "motion.db")}`;

async function motion(...args: string[]) {
  return run(process.execPath, [bin, ...args, "--database-url", url], { env: { ...process.env, MOTION_LOG_LEVEL: "warn" } });
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("motion CLI", () => {
  it("migrates a new database, then reports it up to date", async () => {
    const first = await motion("migrate");
    expect(first.stdout).toMatch(/applied .*_init/);
    const second = await motion("migrate");
    expect(second.stdout).toContain("is up to date");
    const db = new Database(path.join(dir, "motion.db"), { readonly: true });
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[];
    db.close();
    expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(["Row", "Inference", "FitRun", "StateVersion", "User", "ApiKey"]));
  });

  it("lists the app's schedules with next and last run", async () => {
    const table = await motion("schedules");
    expect(table.stdout).toMatch(/trigger\/route\s+cron\s+timezone\s+missed\s+next run\s+last run/);
    expect(table.stdout).toMatch(/docs-qa\/fine-tune-poll\s+\*\/5 \* \* \* \*\s+UTC\s+runOnce\s+\d{4}-\d\d-\d\dT\d\d:\d[05]:00Z\s+never/);
    const [item] = JSON.parse((await motion("schedules", "--json")).stdout) as { trigger: string; route: string; nextRunAt: string; lastRun: null }[];
    expect(item).toMatchObject({ trigger: "docs-qa", route: "fine-tune-poll", lastRun: null });
    expect(Date.parse(item!.nextRunAt)).toBeGreaterThan(Date.now());
  });

  it("creates users with a role; the password is stored hashed", async () => {
    const out = await motion("users", "create", "--email", "Ops@Example.com", "--password", "a-long-password", "--role", "admin");
    expect(out.stdout).toContain("ops@example.com: created as admin");
    await motion("users", "create", "--email", "viewer@example.com", "--password", "another-password", "--role", "viewer");
    const db = new Database(path.join(dir, "motion.db"), { readonly: true });
    const users = db.prepare(`SELECT "email", "role" FROM "User" ORDER BY "email"`).all();
    const secrets = db.prepare(`SELECT "password" FROM "Account"`).all() as { password: string }[];
    db.close();
    expect(users).toEqual([{ email: "ops@example.com", role: "admin" }, { email: "viewer@example.com", role: "viewer" }]);
    expect(secrets.every((s) => s.password && !s.password.includes("password"))).toBe(true);
  });

  it("seeds the example app once", async () => {
    const seedUrl = `file:${path.join(dir, "seed.db")}`;
    const seed = () => run(process.execPath, [bin, "seed", "--database-url", seedUrl], { env: { ...process.env, MOTION_LOG_LEVEL: "warn" } });
    expect((await seed()).stdout).toMatch(/seeded \d+ documents, \d+ questions \(state v[2-9]\)/);
    expect((await seed()).stdout).toContain("already seeded");
  });

  it("api-keys create prints a key once, stores only its hash, and the key works with its role", async () => {
    const keysUrl = `file:${path.join(dir, "keys.db")}`;
    const cli = (...args: string[]) =>
      run(process.execPath, [bin, "api-keys", "create", ...args, "--database-url", keysUrl], { env: { ...process.env, MOTION_LOG_LEVEL: "warn" } }).then(
        (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
      );
    const before = Date.now();
    const made = await cli("--role", "labeler", "--name", "nightly labels", "--expires-in", "30d");
    expect(made.code, made.stderr).toBe(0);
    // The key alone on stdout (for KEY=$(motion api-keys create …)); what it is, on stderr.
    const key = made.stdout.trim();
    expect(key).toMatch(/^mk_[\w-]{43}$/);
    expect(made.stderr).toMatch(/created API key "nightly labels" \(labeler, id \S+, prefix mk_\S{6}, expires \d{4}-/);
    expect(made.stderr).toContain("shown only this once");

    const sqlite = new Database(path.join(dir, "keys.db"), { readonly: true });
    const rows = sqlite.prepare(`SELECT * FROM "ApiKey"`).all() as Record<string, unknown>[];
    const audit = sqlite.prepare(`SELECT "actor", "action", "target" FROM "AuditEvent" WHERE "action" = 'apiKeys.create'`).all() as Record<string, unknown>[];
    sqlite.close();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ name: "nightly labels", role: "labeler", hash: hashApiKey(key), prefix: key.slice(0, 9), ownerId: null, revokedAt: null });
    expect(JSON.stringify(rows)).not.toContain(key.slice(3));
    const expiresAt = Number(rows[0]!.expiresAt);
    expect(expiresAt - before).toBeGreaterThanOrEqual(30 * 86_400_000 - 1_000);
    expect(expiresAt - Date.now()).toBeLessThanOrEqual(30 * 86_400_000);
    expect(audit).toEqual([{ actor: expect.stringMatching(/^cli:/), action: "apiKeys.create", target: rows[0]!.id }]);

    // The API accepts the key with its role: labeler procedures yes, admin ones no.
    const motionDb = await Motion.open({ app, databaseUrl: keysUrl, runFits: false });
    try {
      const api = createMotionApi({ motion: motionDb, baseURL: "http://localhost", secret: "cli-test-secret-cli-test-secret-0123456789" });
      const caller = api.createCaller(new Headers({ authorization: `Bearer ${key}` }));
      const row = await motionDb.add("events", { value: 3 });
      await expect(caller.feedback.label({ inferenceId: row.inferences[0]!.id, label: "good" })).resolves.toMatchObject({ label: "good" });
      await expect(caller.apiKeys.list()).rejects.toMatchObject({ code: "FORBIDDEN" });
      const fb = await motionDb.db.read(() => get<{ actor: string }>(`SELECT "actor" FROM "Feedback"`));
      expect(fb?.actor).toBe("apikey:nightly labels");
    } finally {
      await motionDb.close();
    }

    // --json for scripts that want the id too; a default name; never expires without --expires-in.
    const json = await cli("--role", "viewer", "--json");
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ role: "viewer", expiresAt: null, name: expect.stringMatching(/^viewer key /), key: expect.stringMatching(/^mk_/) });

    // Refusals: a taken name (exit 1), bad role / duration / name (exit 2, usage).
    const taken = await cli("--role", "labeler", "--name", "nightly labels");
    expect(taken).toMatchObject({ code: 1, stdout: "" });
    expect(taken.stderr).toContain(`an API key named "nightly labels" already exists`);
    for (const [args, message] of [
      [["--role", "owner"], "--role must be one of viewer, labeler, admin"],
      [["--role", "labeler", "--expires-in", "30 days"], "--expires-in: a whole number and a unit"],
      [["--role", "labeler", "--expires-in", "11y"], "--expires-in: at most 10 years"],
      [["--role", "labeler", "--name", "bad;name"], "--name: letters, digits"],
      [[], "usage: motion api-keys create --role"],
    ] as const) {
      const refused = await cli(...args);
      expect(refused.code, refused.stderr).toBe(2);
      expect(refused.stderr).toContain(message);
    }
  });

  it("refuses bad usage with a clear message and exit code 2", async () => {
    const error = (await motion("users", "create", "--email", "x@example.com").catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(error.code).toBe(2);
    expect(error.stderr).toContain("usage: motion users create");
    const unknown = (await motion("frobnicate").catch((e: unknown) => e)) as { code: number; stderr: string };
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command frobnicate");
  });

  it("status reports fit work per trigger from the database: exit code 2 while busy, 0 when idle", async () => {
    const statusUrl = `file:${path.join(dir, "status.db")}`;
    const appModule = path.resolve(import.meta.dirname, "fixtures/app.ts");
    const status = async (...args: string[]) => {
      const out = await run(process.execPath, [bin, "status", "--app", appModule, "--database-url", statusUrl, ...args], { env: { ...process.env, MOTION_LOG_LEVEL: "warn" } }).then(
        (r) => ({ code: 0, stdout: r.stdout }),
        (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout + e.stderr }),
      );
      return out;
    };
    // This process runs no fits, so the rows stay pending until one that does opens.
    const web = await Motion.open({ app, databaseUrl: statusUrl, runFits: false });
    try {
      await web.addMany("events", [1, 2, 3].map((value) => ({ value })));
      const busy = await status();
      expect(busy.code, busy.stdout).toBe(2);
      expect(busy.stdout).toMatch(/^trigger +pending +held +claimed +running +retrying +dead +state$/m);
      expect(busy.stdout).toMatch(/^total +3 +0 +0 +0 +0 +0 +busy$/m);
      expect(busy.stdout).toMatch(/^slow +0 +0 +0 +0 +0 +0 +idle$/m);
      expect(busy.stdout.trim().split("\n").at(-1)).toBe("fits busy");
      const json = await status("--json");
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toMatchObject({ idle: false, triggers: [{ trigger: "total", pending: 3, idle: false }, { trigger: "slow", pending: 0, idle: true }] });
      const fitter = await Motion.open({ app, databaseUrl: statusUrl });
      await fitter.flush();
      await fitter.close();
      const idle = await status();
      expect(idle.code, idle.stdout).toBe(0);
      expect(idle.stdout).toMatch(/^total +0 +0 +0 +0 +0 +0 +idle$/m);
      expect(idle.stdout.trim().split("\n").at(-1)).toBe("all fits idle");
    } finally {
      await web.close();
    }
    // A database that was never migrated is an error (exit 1), not "idle".
    const missing = await run(process.execPath, [bin, "status", "--app", appModule, "--database-url", `file:${path.join(dir, "never.db")}`]).catch((e: { code: number; stderr: string }) => e);
    expect((missing as { code: number }).code).toBe(1);
  });

  it("worker runs the fits of rows another process adds, and stops cleanly on SIGTERM", async () => {
    const workerUrl = `file:${path.join(dir, "worker.db")}`;
    // The "web" process: runs infer, no fits.
    const web = await Motion.open({ app, databaseUrl: workerUrl, runFits: false });
    const child = spawn(process.execPath, [bin, "worker", "--app", path.resolve(import.meta.dirname, "fixtures/app.ts"), "--database-url", workerUrl], {
      env: { ...process.env, MOTION_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    try {
      await web.addMany("events", [1, 2, 3, 4, 5].map((value) => ({ value })));
      let version = 0;
      for (let i = 0; i < 300 && version === 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const alias = await web.db.read(() => get<{ version: number }>(`SELECT "version" FROM "StateAlias" WHERE "trigger" = 'total' AND "name" = 'active'`));
        version = Number(alias?.version ?? 0);
      }
      expect(version, stderr).toBe(1);
      await web.refresh("total");
      expect((await web.add("events", { value: 0 })).inferences[0]!.output).toEqual({ sum: 15, version: 1 });
    } finally {
      child.kill("SIGTERM");
      await web.close();
    }
    expect(await exited).toBe(0);
  });

  it("a worker killed mid-fit loses nothing: the next worker re-runs the batch", async () => {
    const url2 = `file:${path.join(dir, "killed.db")}`;
    const control = path.join(dir, "slow-control");
    const web = await Motion.open({ app, databaseUrl: url2, runFits: false });
    const startWorker = () =>
      spawn(process.execPath, [bin, "worker", "--app", path.resolve(import.meta.dirname, "fixtures/app.ts"), "--database-url", url2], {
        env: { ...process.env, MOTION_LOG_LEVEL: "warn" },
        stdio: "ignore",
      });
    const waitFor = async (check: () => Promise<boolean>) => {
      for (let i = 0; i < 300; i++) {
        if (await check()) return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    const first = startWorker();
    let second: ReturnType<typeof startWorker> | null = null;
    try {
      await web.add("jobs", { control });
      // The first worker is inside the fit (it wrote the control file) when it is killed.
      expect(await waitFor(async () => fs.existsSync(control))).toBe(true);
      first.kill("SIGKILL");
      await new Promise((r) => first.once("exit", r));
      const stuck = await web.db.read(() => get<{ status: string }>(`SELECT "status" FROM "FitRun"`));
      expect(stuck?.status).toBe("running");
      second = startWorker();
      const done = await waitFor(async () => {
        const r = await web.db.read(() => get<{ status: string }>(`SELECT "status" FROM "FitRun"`));
        return r?.status === "succeeded";
      });
      expect(done).toBe(true);
      const run = await web.db.read(() => get<{ attempts: number; rowCount: number; producedVersion: number }>(`SELECT "attempts", "rowCount", "producedVersion" FROM "FitRun"`));
      expect(run).toMatchObject({ attempts: 2, rowCount: 1, producedVersion: 1 });
      const pending = await web.db.read(() => get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "PendingRow"`));
      expect(Number(pending?.n)).toBe(0);
    } finally {
      first.kill("SIGKILL");
      second?.kill("SIGTERM");
      await web.close();
    }
  });
});
