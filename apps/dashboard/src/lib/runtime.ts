import type { Motion } from "@motion/engine";

/** What `server.ts` puts on globalThis before Next starts serving. */
export interface MotionRuntime {
  motion: Motion;
  api: { handle(request: Request): Promise<Response> };
  /** The URL the console is served on. */
  url: string;
}

declare global {
  var __motion: MotionRuntime | undefined;
}

export function runtime(): MotionRuntime {
  const rt = globalThis.__motion;
  if (!rt) throw new Error("The Motion runtime is not started: run the console with `npm start` (tsx server.ts), not `next start`.");
  return rt;
}
