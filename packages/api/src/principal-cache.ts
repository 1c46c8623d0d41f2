// Who a credential (an API key, a session cookie) stands for, remembered briefly: looking a
// session up through better-auth costs milliseconds (more than the rest of a typical request),
// and an API key costs a query per request. Anything that can take access away (revoking a key,
// disabling, deleting or demoting a user, signing out, a password reset) calls `invalidate()`,
// which forgets everything at once in this process; other processes hear it through the
// database's notifications on PostgreSQL, and otherwise within `ttlMs` (default 2 s).
import type { Principal } from "./principal.ts";

export const DEFAULT_PRINCIPAL_CACHE_MS = 2_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal | null;
  until: number;
}

export interface Resolved {
  principal: Principal | null;
  /** When the credential itself stops working (session or key expiry), epoch ms. */
  expiresAt?: number | null;
}

export class PrincipalCache {
  private readonly entries = new Map<string, Entry>();
  private readonly inflight = new Map<string, Promise<Principal | null>>();
  private generation = 0;
  private readonly listeners = new Set<() => void>();

  constructor(readonly ttlMs = DEFAULT_PRINCIPAL_CACHE_MS) {}

  /** The principal of `credential` (a key derived from it, never the secret itself), looked up at most once per ttl. */
  resolve(credential: string, lookup: () => Promise<Resolved>, now = Date.now()): Promise<Principal | null> {
    const hit = this.entries.get(credential);
    if (hit && hit.until > now) return Promise.resolve(hit.principal);
    if (hit) this.entries.delete(credential);
    if (this.ttlMs <= 0) return lookup().then((r) => r.principal);
    const running = this.inflight.get(credential);
    if (running) return running;
    const generation = this.generation;
    const promise = lookup()
      .then((r) => {
        // An invalidation while the lookup ran may have taken this access away: do not keep it.
        if (generation === this.generation) {
          const until = Math.min(Date.now() + this.ttlMs, r.expiresAt ?? Infinity);
          if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
          this.entries.set(credential, { principal: r.principal, until });
        }
        return r.principal;
      })
      .finally(() => {
        if (this.inflight.get(credential) === promise) this.inflight.delete(credential);
      });
    this.inflight.set(credential, promise);
    return promise;
  }

  /** Forget every credential: the next request of each is looked up again. */
  invalidate(): void {
    this.generation++;
    this.entries.clear();
    this.inflight.clear();
    for (const listener of [...this.listeners]) listener();
  }

  /** Called after each `invalidate()` (open streams check their caller's access again); returns the way to stop. */
  onInvalidate(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  get size(): number {
    return this.entries.size;
  }
}
