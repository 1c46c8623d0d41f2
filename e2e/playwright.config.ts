import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "@playwright/test";

const here = path.dirname(fileURLToPath(import.meta.url));
export const PORT = Number(process.env.MOTION_E2E_PORT ?? 3917);
export const BASE_URL = `http://127.0.0.1:${PORT}`;

// A fresh SQLite database per run (workers inherit the variable from the runner process).
process.env.MOTION_E2E_DB ??= path.join(mkdtempSync(path.join(os.tmpdir(), "motion-e2e-")), "motion.db");
process.env.MOTION_E2E_ADMIN_EMAIL ??= "admin@e2e.local";
process.env.MOTION_E2E_ADMIN_PASSWORD ??= "e2e-admin-password";

const chromiumArgs = [
  "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
];

export default defineConfig({
  testDir: here,
  testMatch: /.*\.spec\.ts$/,
  outputDir: path.join(here, "test-results"),
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  globalSetup: path.join(here, "global-setup.ts"),
  use: {
    baseURL: BASE_URL,
    viewport: { width: 1280, height: 800 },
    screenshot: "only-on-failure",
    trace: "retain-on-failure",
    acceptDownloads: true,
    launchOptions: { executablePath: "/usr/bin/chromium", args: chromiumArgs },
  },
  projects: [{ name: "chromium", use: { browserName: "chromium" } }],
  webServer: {
    command: "npx tsx server.ts",
    cwd: path.join(here, "../apps/dashboard"),
    url: `${BASE_URL}/api/trpc/health`,
    timeout: 180_000,
    reuseExistingServer: false,
    stdout: "pipe",
    stderr: "pipe",
    env: {
      PORT: String(PORT),
      HOSTNAME: "127.0.0.1",
      // No NODE_ENV / MOTION_ENV: the console must be in production mode by default.
      NEXT_TELEMETRY_DISABLED: "1",
      MOTION_DATABASE_URL: `file:${process.env.MOTION_E2E_DB}`,
      MOTION_ADMIN_EMAIL: process.env.MOTION_E2E_ADMIN_EMAIL!,
      MOTION_ADMIN_PASSWORD: process.env.MOTION_E2E_ADMIN_PASSWORD!,
      MOTION_SECRET: "e2e-secret-e2e-secret-e2e-secret-e2e-secret",
      MOTION_REVIEW_LOCK_MS: "60000",
    },
  },
});
