import { pino, type Logger as PinoLogger } from "pino";

export type Logger = Pick<PinoLogger, "info" | "warn" | "error" | "debug" | "child">;

export function createLogger(name = "motion"): Logger {
  return pino({ name, level: process.env.MOTION_LOG_LEVEL ?? (process.env.NODE_ENV === "test" || process.env.VITEST ? "warn" : "info") });
}
