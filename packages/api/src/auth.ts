// Operators' identities: better-auth (email + password, httpOnly SameSite cookies) on the same
// database as Motion through its Prisma adapter. Sign-up is closed: admins (or the CLI / the
// first start) create users. The role lives on the user as a better-auth additional field that
// no user-facing endpoint accepts as input.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { betterAuth } from "better-auth";
import { APIError } from "better-auth/api";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { newId, type Identity, type Logger } from "@motion/engine";
import { CLIENT_IP_HEADER } from "./http/client-ip.ts";
import { isRole, toRole, type Role } from "./principal.ts";

export interface CreateAuthOptions {
  /** Where operators are stored: `motion.identity`, or `new Identity(db)` without a Motion. */
  identity: Identity;
  /** The public origin operators browse to, e.g. `http://localhost:3000`. */
  baseURL: string;
  /** At least 32 random characters; signs session cookies. */
  secret: string;
  /** Extra origins allowed to call the auth endpoints (the baseURL origin always is). */
  trustedOrigins?: string[];
  /** Session lifetime in seconds (default 7 days). */
  sessionExpiresIn?: number;
  /** Where better-auth's own messages go (Motion's pino logger): one JSON line each, never raw text. */
  log?: Pick<Logger, "error" | "warn" | "info" | "debug">;
}

/**
 * better-auth logs what callers send it (an invalid callback URL, a malformed body) at "error",
 * as raw colored text: anyone could write ERROR lines, newlines included, into the server log.
 * Through pino each is one JSON line, and a caller's mistake is a warning; an error carrying an
 * exception (a failed query) stays an error. Level "info": at "warn" or "error" better-auth also
 * prints every rejected request's message to the console itself, past this logger.
 */
function authLogger(log: NonNullable<CreateAuthOptions["log"]>) {
  return {
    level: "info" as const,
    log(level: "debug" | "info" | "warn" | "error", message: string, ...args: unknown[]) {
      const failure = args.find((a): a is Error => a instanceof Error);
      const fields = { source: "better-auth", ...(args.length ? { details: args.map((a) => (a instanceof Error ? a.message : a)) } : {}) };
      if (level === "error" && (failure || message === "INTERNAL_SERVER_ERROR")) log.error({ ...fields, err: failure?.stack }, message);
      else if (level === "error" || level === "warn") log.warn(fields, message);
      // Its "info" is advice to the developer ("add this URL to trustedOrigins"), triggered by callers too.
      else log.debug(fields, message);
    },
  };
}

export function createAuth(options: CreateAuthOptions) {
  const { identity } = options;
  return betterAuth({
    appName: "Motion",
    baseURL: options.baseURL,
    basePath: "/api/auth",
    secret: options.secret,
    trustedOrigins: options.trustedOrigins,
    ...(options.log ? { logger: authLogger(options.log) } : {}),
    // Rejections are answered as usual; anything else (a bug, a failed query) is thrown to the
    // caller — Motion's handler logs it through pino and answers a JSON 500 — instead of being
    // printed raw to the console by better-call.
    onAPIError: { throw: true },
    // Session tokens are stored as SHA-256 hashes (the engine's identity/session-store.ts).
    database: identity.sessions.authDatabase(prismaAdapter),
    emailAndPassword: {
      enabled: true,
      // Operators are created by admins, the CLI or MOTION_ADMIN_EMAIL on first start.
      disableSignUp: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
    },
    user: {
      additionalFields: {
        role: { type: "string", required: false, defaultValue: "viewer", input: false },
        disabledAt: { type: "date", required: false, input: false },
      },
    },
    // A disabled operator cannot start a session (checked after the password, so it tells a
    // guesser nothing). Disabling also deletes their sessions (the engine's identity/offboarding.ts).
    databaseHooks: {
      session: {
        create: {
          async before(session) {
            if (!(await identity.users.maySignIn(session.userId))) {
              throw new APIError("FORBIDDEN", { message: "This account is disabled. Ask an admin to enable it.", code: "ACCOUNT_DISABLED" });
            }
          },
        },
      },
    },
    session: { expiresIn: options.sessionExpiresIn ?? 60 * 60 * 24 * 7 },
    // Endpoints Motion does not offer: self sign-up, account deletion, e-mail changes, and the
    // session lists (stored tokens are hashes; admins end sessions by user).
    disabledPaths: ["/sign-up/email", "/delete-user", "/change-email", "/list-sessions", "/revoke-session", "/revoke-sessions", "/revoke-other-sessions"],
    // On in every mode, keyed by the address Motion takes from the socket. Sign-in has its own
    // per-IP and per-account limits in front of better-auth (./sign-in-limiter.ts).
    rateLimit: { enabled: true, storage: "memory", customRules: { "/sign-in/email": false } },
    advanced: {
      cookiePrefix: "motion",
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
      ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
      // Motion checks Origin / Sec-Fetch-Site on every state-changing request itself, before
      // better-auth (server.ts), so that a script or server without a browser's headers can
      // sign in; callback URLs are still checked against the trusted origins.
      disableCSRFCheck: true,
      // Explicit: better-auth skips the callback-URL check under test runners by default, so the
      // tests would not see what production does.
      disableOriginCheck: false,
      database: { generateId: () => newId() },
    },
    telemetry: { enabled: false },
  });
}

export type MotionAuth = ReturnType<typeof createAuth>;

export interface NewUser {
  email: string;
  password: string;
  name?: string;
  role: Role;
}

export interface UserRecord {
  id: string;
  email: string;
  name: string;
  role: Role;
  createdAt: Date;
}

class AuthConflict extends Error {
  readonly code = "CONFLICT";
  constructor(message: string) {
    super(message);
    this.name = "ConflictError";
  }
}

/** Creates an operator with a password (hashed by better-auth). Refuses an existing e-mail. */
export async function createUser(auth: MotionAuth, input: NewUser): Promise<UserRecord> {
  if (!isRole(input.role)) throw new TypeError(`unknown role ${String(input.role)}`);
  const ctx = await auth.$context;
  const email = input.email.trim().toLowerCase();
  const { minPasswordLength, maxPasswordLength } = ctx.password.config;
  if (input.password.length < minPasswordLength || input.password.length > maxPasswordLength) {
    throw new TypeError(`password must be ${minPasswordLength}-${maxPasswordLength} characters`);
  }
  if (await ctx.internalAdapter.findUserByEmail(email)) throw new AuthConflict(`a user with e-mail ${email} exists`);
  const hash = await ctx.password.hash(input.password);
  const user = await ctx.internalAdapter.createUser({ email, name: input.name?.trim() || email.split("@")[0]!, role: input.role, emailVerified: true }, { method: "admin" });
  await ctx.internalAdapter.linkAccount({ userId: user.id, providerId: "credential", accountId: user.id, password: hash });
  return { id: user.id, email: user.email, name: user.name, role: toRole((user as { role?: unknown }).role), createdAt: user.createdAt };
}

/**
 * Makes sure `email` is an admin: creates it with `password` if missing, else promotes it
 * (the password of an existing user is left alone). Audited as actor `bootstrap`.
 */
export async function ensureAdmin(auth: MotionAuth, identity: Identity, input: { email: string; password: string; name?: string }): Promise<{ created: boolean; promoted: boolean; user: UserRecord }> {
  const email = input.email.trim().toLowerCase();
  const existing = await identity.users.findByEmail(email);
  if (!existing) {
    const user = await createUser(auth, { email, password: input.password, name: input.name, role: "admin" });
    await identity.users.recordCreated({ id: user.id, email, role: "admin" }, { actor: "bootstrap", reason: "first admin" });
    return { created: true, promoted: false, user };
  }
  const user: UserRecord = { id: existing.id, email: existing.email, name: existing.name, role: toRole(existing.role), createdAt: new Date() };
  if (existing.role === "admin") return { created: false, promoted: false, user };
  await identity.users.promoteToAdmin({ id: existing.id, email, role: existing.role }, { actor: "bootstrap", reason: "MOTION_ADMIN_EMAIL" });
  return { created: false, promoted: true, user: { ...user, role: "admin" } };
}

export interface BootstrapResult {
  /** What to print on start: how to sign in. */
  message: string;
  email?: string;
  /** Only when a password was generated just now (shown once). */
  generatedPassword?: string;
}

/**
 * First start: with MOTION_ADMIN_EMAIL + MOTION_ADMIN_PASSWORD, ensure that admin. Without
 * them and with no admin yet, `generate` (default true on SQLite, the embedded default)
 * creates admin@motion.local with a random password and returns it once.
 */
export async function bootstrapAdmin(
  auth: MotionAuth,
  identity: Identity,
  options: { env?: NodeJS.ProcessEnv; baseURL: string; generate?: boolean },
): Promise<BootstrapResult> {
  const env = options.env ?? process.env;
  const email = env.MOTION_ADMIN_EMAIL?.trim();
  const password = env.MOTION_ADMIN_PASSWORD;
  if (email && password) {
    const result = await ensureAdmin(auth, identity, { email, password });
    const what = result.created ? "created" : result.promoted ? "promoted to admin" : "exists";
    return { email: result.user.email, message: `Motion admin ${result.user.email} ${what}. Sign in at ${options.baseURL} with the password from MOTION_ADMIN_PASSWORD.` };
  }
  const admin = await identity.users.firstAdminEmail();
  if (admin) return { email: admin, message: `Sign in at ${options.baseURL} (admin: ${admin}).` };
  const cli = "npm run motion -- users create --role admin --email you@example.com --password '<at least 8 characters>'";
  if (!(options.generate ?? identity.provider === "sqlite")) {
    return { message: `No Motion admin yet. Create one with \`${cli}\`, or set MOTION_ADMIN_EMAIL and MOTION_ADMIN_PASSWORD and restart.` };
  }
  const generated = randomBytes(12).toString("base64url");
  const result = await ensureAdmin(auth, identity, { email: "admin@motion.local", password: generated, name: "Admin" });
  return {
    email: result.user.email,
    generatedPassword: generated,
    message:
      `Sign in at ${options.baseURL} as ${result.user.email} with password ${generated} (shown once). ` +
      `Set MOTION_ADMIN_EMAIL/MOTION_ADMIN_PASSWORD or run \`${cli}\` for your own admin.`,
  };
}

/**
 * The session-signing secret: MOTION_AUTH_SECRET or BETTER_AUTH_SECRET, else one generated
 * once and kept in `file` (mode 0600; the embedded default uses `.motion/auth-secret`), so
 * sessions survive restarts without configuration.
 */
export function resolveAuthSecret(options: { file: string; env?: NodeJS.ProcessEnv }): string {
  const env = options.env ?? process.env;
  const fromEnv = env.MOTION_AUTH_SECRET || env.BETTER_AUTH_SECRET;
  if (fromEnv) return fromEnv;
  if (fs.existsSync(options.file)) return fs.readFileSync(options.file, "utf8").trim();
  fs.mkdirSync(path.dirname(options.file), { recursive: true });
  const secret = randomBytes(32).toString("base64url");
  fs.writeFileSync(options.file, secret + "\n", { mode: 0o600, flag: "wx" });
  return secret;
}
