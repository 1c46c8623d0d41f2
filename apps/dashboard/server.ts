/**
 * The console's process: opens Motion (the app + its database), creates the API, makes sure
 * an admin exists, then serves Next on the same Node process. Fits run in this process's
 * worker threads (the engine does that), never inside Next's bundle.
 *
 *   MOTION_APP             module exporting an app (default: the example chatbot)
 *   MOTION_DATABASE_URL    file:<path> or postgresql://… (default: SQLite .motion/motion.db)
 *   MOTION_REDIS_URL       scale-out: fits run in `motion worker` processes via BullMQ
 *   MOTION_QUEUE           BullMQ queue name shared with the workers (default motion-fits-<app>)
 *   MOTION_ADMIN_EMAIL / MOTION_ADMIN_PASSWORD   first admin (generated on the embedded default)
 *   MOTION_SECRET          session signing secret (generated and kept in .motion/secret)
 *   MOTION_SEED            "0" to skip seeding the example app
 *   MOTION_REVIEW_LOCK_MS  how long a review item stays locked to one labeler (default 2 min)
 *   MOTION_ENV             "development" for Next's dev mode and errors with stacks; anything
 *                          else (the default) is production (NODE_ENV=development also opts in)
 *   MOTION_SIGN_IN_MAX_PER_IP / _MAX_PER_ACCOUNT / _WINDOW_SECONDS   sign-in limits (30 / 10 / 900)
 *   MOTION_TRUST_PROXY     reverse proxies in front whose X-Forwarded-For is trusted (default 0)
 *   PORT (3000), HOSTNAME (127.0.0.1)
 *
 * `/api/*` is served by the API straight from this Node server; Next.js only renders pages.
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import next from "next";
import { bullmqScheduler, importApp, isApp, Motion, type App } from "@motion/engine";
import { closeGracefully, createMotionApi, createMotionServer, isDevelopment, pageContentSecurityPolicy, shutdownTimeoutFromEnv } from "@motion/api";

process.env.NEXT_TELEMETRY_DISABLED = "1";
// Production unless a developer opts in; Next and React read NODE_ENV when they start.
const development = isDevelopment();
(process.env as Record<string, string>).NODE_ENV = development ? "development" : "production";
const dir = path.dirname(fileURLToPath(import.meta.url));
const port = Number(process.env.PORT ?? 3000);
const hostname = process.env.HOSTNAME && process.env.HOSTNAME !== "0.0.0.0" ? process.env.HOSTNAME : "127.0.0.1";
const url = `http://${hostname}:${port}`;
// Same place as the embedded database: where the user ran `npm start` (npm sets INIT_CWD).
const stateDir = path.resolve(process.env.INIT_CWD ?? process.cwd(), ".motion");

async function loadApp(): Promise<{ app: App; isExample: boolean }> {
  const spec = process.env.MOTION_APP;
  if (!spec) {
    const mod = (await import("@motion/example-chatbot/app")) as Record<string, unknown>;
    const app = mod.chatbotApp;
    if (!isApp(app)) throw new Error("@motion/example-chatbot/app does not export chatbotApp");
    return { app, isExample: true };
  }
  return { app: await importApp(spec, process.env.INIT_CWD ?? process.cwd()), isExample: false };
}

function secret(): string {
  if (process.env.MOTION_SECRET) return process.env.MOTION_SECRET;
  const file = path.join(stateDir, "secret");
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(stateDir, { recursive: true });
  const value = randomBytes(32).toString("base64url");
  writeFileSync(file, value, { mode: 0o600 });
  return value;
}

async function isEmpty(motion: Motion): Promise<boolean> {
  return !(await motion.hasRows());
}

async function main(): Promise<void> {
  const started = performance.now();
  const { app, isExample } = await loadApp();
  const databaseUrl = process.env.MOTION_DATABASE_URL || undefined;
  // Scale-out: with MOTION_REDIS_URL this process only announces new rows; `motion worker`
  // processes run the fits. Without it, fits run here in worker threads.
  const redisUrl = process.env.MOTION_REDIS_URL;
  const motion = await Motion.open({
    app,
    databaseUrl,
    ...(redisUrl ? { runFits: false, scheduler: bullmqScheduler({ redisUrl, consume: false, queue: process.env.MOTION_QUEUE || undefined }) } : {}),
  });

  if (isExample && process.env.MOTION_SEED !== "0" && (await isEmpty(motion))) {
    console.log("Seeding the example app (ingesting the project docs, asking questions)…");
    const { seedExample } = await import("@motion/example-chatbot");
    const seeded = await seedExample(motion);
    if (seeded.seeded) console.log(`Seeded ${seeded.documents} documents, ${seeded.questions} questions, ${seeded.labels} labels (state v${seeded.version}).`);
  }

  const reviewLockMs = Number(process.env.MOTION_REVIEW_LOCK_MS) || undefined;
  const api = createMotionApi({ motion, baseURL: url, secret: secret(), development, ...(reviewLockMs ? { reviewLockMs } : {}) });

  let email = process.env.MOTION_ADMIN_EMAIL;
  let password = process.env.MOTION_ADMIN_PASSWORD;
  let generated = false;
  if (!email || !password) {
    email ??= "admin@motion.local";
    const file = path.join(stateDir, "admin-password");
    if (existsSync(file)) password = readFileSync(file, "utf8").trim();
    else {
      password = randomBytes(12).toString("base64url");
      mkdirSync(stateDir, { recursive: true });
      writeFileSync(file, password, { mode: 0o600 });
      generated = true;
    }
  }
  await api.ensureAdmin({ email, password });

  globalThis.__motion = { motion, api, url };

  const nextApp = next({ dev: development, dir, hostname, port });
  await nextApp.prepare();
  const handle = nextApp.getRequestHandler();
  const server = createMotionServer(api, {
    // Pages: a fresh nonce per response. Next.js reads the policy from the request and puts the
    // nonce on its own inline scripts; the root layout puts it on the theme script.
    fallback: (req, res) => {
      const policy = pageContentSecurityPolicy(randomBytes(16).toString("base64"), { development });
      req.headers["content-security-policy"] = policy;
      res.setHeader("content-security-policy", policy);
      return handle(req, res);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, hostname, resolve));

  const passwordHint = process.env.MOTION_ADMIN_PASSWORD
    ? "the password in MOTION_ADMIN_PASSWORD"
    : `password ${password} (${generated ? "generated now, " : ""}kept in ${path.join(stateDir, "admin-password")})`;
  console.log(
    [
      "",
      `  Motion console for app "${app.name}" is ready in ${Math.round(performance.now() - started)} ms${development ? " (development mode: errors show stacks)" : ""}`,
      `  → ${url}`,
      `  Sign in as ${email} with ${passwordHint}`,
      "",
    ].join("\n"),
  );

  const shutdownTimeout = shutdownTimeoutFromEnv();
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    console.log(`${signal}: closing…`);
    // Answers in progress finish (up to MOTION_SHUTDOWN_TIMEOUT_MS) before the engine closes.
    const drained = await closeGracefully(server, shutdownTimeout);
    if (drained === "forced") console.log(`requests still open after ${shutdownTimeout} ms were dropped`);
    await nextApp.close().catch(() => {});
    await motion.close().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown("SIGINT"));
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
