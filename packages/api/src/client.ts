// The typed client developers import: `import { createMotionClient } from "@motion/api/client"`.
// Types only from the server side — nothing of the server is bundled.
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "./root.ts";

export type { AppRouter };

export interface MotionClientOptions {
  /** The Motion server, e.g. `http://localhost:3000` (or its `/api/trpc` endpoint). */
  url: string;
  /** An API key (`mk_…`), sent as `Authorization: Bearer <key>`. */
  apiKey?: string;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export function createMotionClient(options: MotionClientOptions) {
  const base = options.url.replace(/\/+$/, "");
  const url = base.endsWith("/api/trpc") ? base : `${base}/api/trpc`;
  return createTRPCClient<AppRouter>({
    links: [
      httpBatchLink({
        url,
        transformer: superjson,
        maxItems: 50,
        fetch: options.fetch,
        headers: () => ({ ...options.headers, ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) }),
      }),
    ],
  });
}

export type MotionClient = ReturnType<typeof createMotionClient>;
