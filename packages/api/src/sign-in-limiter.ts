// Password guessing: failed sign-ins are counted per client IP and per account (e-mail) in a
// fixed window. Once either count reaches its maximum, every sign-in for that IP or account —
// the right password included — is refused with 429 until its window ends. An attempt counts
// from the moment it starts (so a burst of parallel guesses cannot all slip through) and is
// given back when it succeeds. Counters live in this process's memory.

export interface SignInLimits {
  /** Failed sign-ins allowed per client IP and window (default 30). */
  maxPerIp: number;
  /** Failed sign-ins allowed per account and window (default 10). */
  maxPerAccount: number;
  /** Window length in milliseconds (default 15 minutes). */
  windowMs: number;
}

export const DEFAULT_SIGN_IN_LIMITS: SignInLimits = { maxPerIp: 30, maxPerAccount: 10, windowMs: 15 * 60_000 };

const MAX_KEYS = 100_000;

function positive(value: string | undefined, name: string): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new TypeError(`${name} must be a positive integer (got ${JSON.stringify(value)})`);
  return n;
}

/** MOTION_SIGN_IN_MAX_PER_IP, MOTION_SIGN_IN_MAX_PER_ACCOUNT, MOTION_SIGN_IN_WINDOW_SECONDS. */
export function signInLimitsFromEnv(env: NodeJS.ProcessEnv = process.env): Partial<SignInLimits> {
  const maxPerIp = positive(env.MOTION_SIGN_IN_MAX_PER_IP, "MOTION_SIGN_IN_MAX_PER_IP");
  const maxPerAccount = positive(env.MOTION_SIGN_IN_MAX_PER_ACCOUNT, "MOTION_SIGN_IN_MAX_PER_ACCOUNT");
  const windowSeconds = positive(env.MOTION_SIGN_IN_WINDOW_SECONDS, "MOTION_SIGN_IN_WINDOW_SECONDS");
  return {
    ...(maxPerIp ? { maxPerIp } : {}),
    ...(maxPerAccount ? { maxPerAccount } : {}),
    ...(windowSeconds ? { windowMs: windowSeconds * 1000 } : {}),
  };
}

interface Bucket {
  count: number;
  resetAt: number;
}

export interface SignInAttempt {
  /** Call when the sign-in succeeded: it does not count against the limits. */
  succeeded(): void;
}

export type SignInVerdict = { allowed: true; attempt: SignInAttempt } | { allowed: false; retryAfterMs: number };

export class SignInLimiter {
  readonly limits: SignInLimits;
  private readonly buckets = new Map<string, Bucket>();

  constructor(limits: Partial<SignInLimits> = {}, private readonly now: () => number = Date.now) {
    this.limits = { ...DEFAULT_SIGN_IN_LIMITS, ...limits };
  }

  /** Starts an attempt for this IP (if known) and account (if given), or refuses it. */
  begin(input: { ip?: string | null; account?: string | null }): SignInVerdict {
    const now = this.now();
    const keys: [string, number][] = [];
    if (input.ip) keys.push([`ip:${input.ip}`, this.limits.maxPerIp]);
    if (input.account) keys.push([`account:${input.account.trim().toLowerCase()}`, this.limits.maxPerAccount]);
    const buckets = keys.map(([key, max]) => [this.bucket(key, now), max] as const);
    const full = buckets.filter(([b, max]) => b.count >= max);
    if (full.length) return { allowed: false, retryAfterMs: Math.max(...full.map(([b]) => b.resetAt - now)) };
    for (const [b] of buckets) b.count++;
    let settled = false;
    return {
      allowed: true,
      attempt: {
        succeeded: () => {
          if (settled) return;
          settled = true;
          for (const [b] of buckets) b.count = Math.max(0, b.count - 1);
        },
      },
    };
  }

  private bucket(key: string, now: number): Bucket {
    let b = this.buckets.get(key);
    if (b && b.resetAt <= now) {
      this.buckets.delete(key);
      b = undefined;
    }
    if (!b) {
      if (this.buckets.size >= MAX_KEYS) this.evict(now);
      b = { count: 0, resetAt: now + this.limits.windowMs };
      this.buckets.set(key, b);
    }
    return b;
  }

  /** Bounded memory: drop expired windows, then the oldest ones. */
  private evict(now: number): void {
    for (const [key, b] of this.buckets) if (b.resetAt <= now) this.buckets.delete(key);
    for (const key of this.buckets.keys()) {
      if (this.buckets.size < MAX_KEYS * 0.9) break;
      this.buckets.delete(key);
    }
  }
}
