import type { Motion } from "@motion/engine";
import { bearerKey, principalForKey } from "./api-keys.ts";
import type { MotionAuth } from "./auth.ts";
import { DEFAULT_IDEMPOTENCY_TTL_MS } from "./features/rows/idempotency.ts";
import { toRole, type Principal } from "./principal.ts";

export interface ApiOptions {
  /** How long `review.next` holds an item for one labeler (default 2 minutes). */
  reviewLockMs: number;
  /** Errors carry stack traces and internal messages (never in production). */
  development: boolean;
  /** Origins whose pages may send cookie-authenticated mutations (the console's own). */
  allowedOrigins: ReadonlySet<string>;
  /** How long `rows.add` / `rows.addMany` answers are kept under their idempotency key. */
  idempotencyTtlMs: number;
}

export interface ApiContext {
  motion: Motion;
  auth: MotionAuth | null;
  headers: Headers;
  options: ApiOptions;
  /** Identity from the Bearer key or the session cookie only; resolved once per request. */
  resolvePrincipal(): Promise<Principal | null>;
}

export interface CreateContextOptions {
  motion: Motion;
  auth: MotionAuth | null;
  headers: Headers;
  options?: Partial<ApiOptions>;
}

export async function principalFromHeaders(motion: Motion, auth: MotionAuth | null, headers: Headers): Promise<Principal | null> {
  const key = bearerKey(headers);
  if (key) return principalForKey(motion.db, key);
  if (headers.get("authorization")) return null; // a malformed or foreign credential: anonymous
  if (!auth || !headers.get("cookie")) return null;
  const session = await auth.api.getSession({ headers });
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: unknown; disabledAt?: unknown };
  // Disabling deletes sessions; this also covers a session created in the same instant.
  if (user.disabledAt !== null && user.disabledAt !== undefined) return null;
  return { kind: "user", id: user.id, email: user.email, name: user.name, role: toRole(user.role) };
}

export function createContext(input: CreateContextOptions): ApiContext {
  let principal: Promise<Principal | null> | undefined;
  return {
    motion: input.motion,
    auth: input.auth,
    headers: input.headers,
    options: { reviewLockMs: 120_000, development: false, allowedOrigins: new Set<string>(), idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS, ...input.options },
    resolvePrincipal: () => (principal ??= principalFromHeaders(input.motion, input.auth, input.headers)),
  };
}
