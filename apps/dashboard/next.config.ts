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
  typescript: { ignoreBuildErrors: false },
};

export default config;
