import type { NextConfig } from "next";

process.env.NEXT_TELEMETRY_DISABLED = "1";

const config: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  transpilePackages: ["@motion/api", "@motion/engine", "@motion/db", "@motion/example-chatbot"],
  serverExternalPackages: [
    "better-sqlite3",
    "pg",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "@prisma/client",
    "pino",
    "bullmq",
    "ioredis",
    "tsx",
  ],
  // `npm test` type-checks every package in its own task in the same run (and fails on errors),
  // so its build skips Next's second pass over the same files (~27 s). Any other build checks.
  typescript: { ignoreBuildErrors: process.env.MOTION_BUILD_SKIP_TYPECHECK === "1" },
};

export default config;
