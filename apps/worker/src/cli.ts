// motion migrate | worker | status | schedules | seed | users create | api-keys create | bench — see `motion help`.
import { parseArgs } from "node:util";
import { migrate, openDatabase, redactUrl, resolveDatabaseUrl } from "@motion/db";
import { bullmqScheduler, createLogger, fitActivity, Identity, importApp, listSchedules, Motion } from "@motion/engine";
import { apiKeysCommand } from "./api-keys-command.ts";
import { formatActivity } from "./status.ts";
import { formatSchedules } from "./schedules.ts";

const HELP = `motion <command> [options]

  migrate                      apply pending migrations to the database
  worker [--app <module>]      run fits for an app (no HTTP); stops on SIGINT/SIGTERM
  status [--app <module>] [--json]
                               are all fits idle? pending, held, claimed rows and running,
                               retrying, dead-lettered runs per trigger, from the database;
                               exit code 0 when idle, 2 when busy, 1 on error
  schedules [--app <module>] [--json]
                               scheduled routes: cron, time zone, missed-tick policy, next
                               run, last run (status, version produced), rows waiting
  seed                         ingest the example chatbot's docs and ask a few questions
  users create --email <e> --password <p> [--role viewer|labeler|admin] [--name <n>]
  api-keys create --role viewer|labeler|admin [--name <n>] [--expires-in 30d] [--json]
                               make an API key for scripts: prints the key once on stdout
                               (stored as its SHA-256 only, audited); --expires-in takes
                               m, h, d, w or y (default: never); --json prints id, name,
                               role, prefix, expiresAt and key as one JSON line
  bench [p1 p1pg p2 p3 rows server schedules]
                               run the benchmarks (writes bench-results.json)

  --database-url <url>         file:<path> or postgresql://… (default: MOTION_DATABASE_URL,
                               else .motion/motion.db where you run the command)
  --app <module>               module exporting a Motion app (default: MOTION_APP, else the
                               example chatbot)
  --queue <name>               BullMQ queue of fit jobs when MOTION_REDIS_URL is set (default:
                               MOTION_QUEUE, else motion-fits-<app name>)
`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    "database-url": { type: "string" },
    app: { type: "string" },
    email: { type: "string" },
    password: { type: "string" },
    role: { type: "string" },
    name: { type: "string" },
    queue: { type: "string" },
    "expires-in": { type: "string" },
    json: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  },
});

const [command, ...rest] = positionals;
const databaseUrl = resolveDatabaseUrl(values["database-url"]);
const cwd = process.env.INIT_CWD ?? process.cwd();

async function loadApp() {
  const spec = values.app ?? process.env.MOTION_APP;
  if (spec) return importApp(spec, cwd);
  return (await import("@motion/example-chatbot/app")).chatbotApp;
}

async function main(): Promise<number> {
  switch (values.help ? "help" : command) {
    case "migrate": {
      const { applied } = await migrate(databaseUrl);
      console.log(applied.length ? `applied ${applied.join(", ")} to ${redactUrl(databaseUrl)}` : `${redactUrl(databaseUrl)} is up to date`);
      return 0;
    }
    case "worker": {
      // Listen before opening: a signal while the worker starts stops it cleanly once open.
      const signalled = new Promise<void>((resolve) => {
        process.once("SIGINT", resolve);
        process.once("SIGTERM", resolve);
      });
      const app = await loadApp();
      const log = createLogger("motion-worker");
      const redisUrl = process.env.MOTION_REDIS_URL;
      // With Redis, fits come as BullMQ jobs from any process; without, this process polls.
      const motion = await Motion.open({ app, databaseUrl, log, warmFitThreads: true, ...(redisUrl ? { scheduler: bullmqScheduler({ redisUrl, queue: values.queue ?? process.env.MOTION_QUEUE }) } : {}) });
      log.info({ app: app.name, database: redactUrl(databaseUrl), queue: redisUrl ? "bullmq" : "database polling" }, "worker running fits");
      // The engine's timers and threads don't hold the process open; this does, until a signal.
      const keepAlive = setInterval(() => undefined, 60_000);
      await signalled;
      clearInterval(keepAlive);
      log.info("draining");
      await motion.close();
      return 0;
    }
    case "status": {
      const app = await loadApp();
      // Read-only: a database that was never migrated has nothing to report.
      const db = await openDatabase({ url: databaseUrl, migrate: false });
      try {
        const activity = await fitActivity(db, app);
        if (values.json) console.log(JSON.stringify(activity));
        else console.log(formatActivity(activity));
        return activity.idle ? 0 : 2;
      } finally {
        await db.close();
      }
    }
    case "schedules": {
      const app = await loadApp();
      const db = await openDatabase({ url: databaseUrl, migrate: false });
      try {
        const items = await listSchedules(db, app);
        console.log(values.json ? JSON.stringify(items) : formatSchedules(items));
        return 0;
      } finally {
        await db.close();
      }
    }
    case "seed": {
      const { chatbotApp } = await import("@motion/example-chatbot/app");
      const { seedExample } = await import("@motion/example-chatbot");
      const motion = await Motion.open({ app: chatbotApp, databaseUrl });
      try {
        const result = await seedExample(motion);
        console.log(result.seeded ? `seeded ${result.documents} documents, ${result.questions} questions (state v${result.version})` : "already seeded");
      } finally {
        await motion.close();
      }
      return 0;
    }
    case "users": {
      if (rest[0] !== "create" || !values.email || !values.password) {
        console.error("usage: motion users create --email <email> --password <password> [--role viewer|labeler|admin] [--name <name>]");
        return 2;
      }
      const { createAuth, createUser, ensureAdmin } = await import("@motion/api");
      const db = await openDatabase({ url: databaseUrl });
      try {
        // The secret only signs cookies, which this command never issues.
        const identity = new Identity(db);
        const auth = createAuth({ identity, baseURL: "http://localhost", secret: "cli-does-not-sign-cookies-000000000000" });
        const role = values.role ?? "viewer";
        if (role === "admin") {
          const r = await ensureAdmin(auth, identity, { email: values.email, password: values.password, name: values.name });
          console.log(`${r.user.email}: ${r.created ? "created as admin" : r.promoted ? "promoted to admin" : "already an admin"}`);
        } else {
          const user = await createUser(auth, { email: values.email, password: values.password, name: values.name, role: role as "viewer" | "labeler" });
          console.log(`${user.email}: created as ${user.role}`);
        }
      } finally {
        await db.close();
      }
      return 0;
    }
    case "api-keys":
      return apiKeysCommand(rest, { databaseUrl, role: values.role, name: values.name, expiresIn: values["expires-in"], json: values.json });
    case "bench": {
      process.argv = [process.argv[0]!, process.argv[1]!, ...rest];
      await import("./bench/run.ts");
      return 0;
    }
    case "help":
    case undefined:
      console.log(HELP);
      return 0;
    default:
      console.error(`unknown command ${command}\n\n${HELP}`);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error((error as Error)?.message ?? error);
    process.exit(1);
  },
);
