// Plain-JS bootstrap for fit worker threads: registers tsx so the worker can load the
// TypeScript app module and the engine's own source.
import { register } from "tsx/esm/api";

register();
await import("./fit-worker.ts");
