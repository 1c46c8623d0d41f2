import type { Motion } from "@motion/engine";
import { bearerKey, hashApiKey, lookupKey } from "./api-keys.ts";
import type { PrincipalCache } from "./principal-cache.ts";
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
  /** How often subscriptions re-read the database when no change signal came (see lib/state-wake.ts). */
  subscriptionPollMs: number;
}

export interface ApiContext {
  motion: Motion;
  auth: MotionAuth | null;
  headers: Headers;
  options: ApiOptions;
  /** Identity from the Bearer key or the session cookie only; resolved once per request. */
  resolvePrincipal(): Promise<Principal | null>;
  /** Access may have been taken away (a key revoked, a user disabled…): forget cached identities here and in other processes. */
  authChanged(): Promise<void>;
  /** Identities remembered across requests; open streams re-check theirs when it is invalidated. */
  principals: PrincipalCache | undefined;
}

export interface CreateContextOptions {
  motion: Motion;
  auth: MotionAuth | null;
  headers: Headers;
  options?: Partial<ApiOptions>;
  /** Identities remembered across requests (see principal-cache.ts); none: every request looks up. */
  principals?: PrincipalCache;
  /** Called when access may have been taken away, after the cache is cleared (e.g. tell other processes). */
  onAuthChanged?: () => Promise<void>;
}

/** better-auth's session cookie (`cookiePrefix: "motion"`), plain or `__Secure-` on https. */
const SESSION_COOKIE = /(?:^|;\s*)(?:__Secure-)?motion\.session_token=([^;]+)/;

export async function principalFromHeaders(motion: Motion, auth: MotionAuth | null, headers: Headers, cache?: PrincipalCache): Promise<Principal | null> {
  const key = bearerKey(headers);
  if (key) {
    const hash = hashApiKey(key);
    return cache ? cache.resolve(`key:${hash}`, () => lookupKey(motion.identity.apiKeys, hash)) : (await lookupKey(motion.identity.apiKeys, hash)).principal;
  }
  if (headers.get("authorization")) return null; // a malformed or foreign credential: anonymous
  const cookie = headers.get("cookie");
  if (!auth || !cookie) return null;
  const token = SESSION_COOKIE.exec(cookie)?.[1];
  if (!token) return null; // no session cookie: better-auth would find no session either
  const lookup = async () => {
    const session = await auth.api.getSession({ headers });
    if (!session) return { principal: null };
    const user = session.user as typeof session.user & { role?: unknown; disabledAt?: unknown };
    // Disabling deletes sessions; this also covers a session created in the same instant.
    if (user.disabledAt !== null && user.disabledAt !== undefined) return { principal: null };
    const principal: Principal = { kind: "user", id: user.id, email: user.email, name: user.name, role: toRole(user.role) };
    return { principal, expiresAt: new Date(session.session.expiresAt).getTime() };
  };
  // The signed cookie value identifies the session (a forged one fails better-auth's check and is remembered as nobody).
  return cache ? cache.resolve(`session:${token}`, lookup) : (await lookup()).principal;
}

const DEFAULT_OPTIONS: ApiOptions = { reviewLockMs: 120_000, development: false, allowedOrigins: new Set<string>(), idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS, subscriptionPollMs: 1000 };
/** Options are merged with the defaults once per options object, not on every request. */
const merged = new WeakMap<Partial<ApiOptions>, ApiOptions>();
function withDefaults(options: Partial<ApiOptions> | undefined): ApiOptions {
  if (!options) return DEFAULT_OPTIONS;
  let full = merged.get(options);
  if (!full) merged.set(options, (full = { ...DEFAULT_OPTIONS, ...options }));
  return full;
}

export function createContext(input: CreateContextOptions): ApiContext {
  let principal: Promise<Principal | null> | undefined;
  return {
    motion: input.motion,
    auth: input.auth,
    headers: input.headers,
    options: withDefaults(input.options),
    // Methods, not arrow properties: under tsx every named arrow made per request also pays
    // an Object.defineProperty for its name (esbuild's keepNames), ~2% of a `health` call.
    resolvePrincipal() {
      return (principal ??= principalFromHeaders(input.motion, input.auth, input.headers, input.principals));
    },
    async authChanged() {
      input.principals?.invalidate();
      await input.onAuthChanged?.();
    },
    principals: input.principals,
  };
}
