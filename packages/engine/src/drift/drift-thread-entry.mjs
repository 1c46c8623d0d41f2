// Plain-JS bootstrap for the drift worker thread: registers tsx so it can load the engine's
// TypeScript source.
import { register } from "tsx/esm/api";

register();
await import("./drift-thread.ts");
