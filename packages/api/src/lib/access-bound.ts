// A subscription lives as long as its caller's access: when a key is revoked or a user disabled,
// deleted, demoted or signed out, open streams end at once with the error a new request would
// get, instead of sending events until the client goes away. Re-checked on every access change
// this process hears of (its own, and other processes' on PostgreSQL) and every few seconds
// (changes made outside the API, a session running out).
import { TRPCError } from "@trpc/server";
import { principalFromHeaders, type ApiContext } from "../context.ts";
import { allows, type Tier } from "../principal.ts";

export const ACCESS_RECHECK_MS = 5_000;

export async function* whileAllowed<T>(ctx: ApiContext, tier: Exclude<Tier, "public">, outer: AbortSignal | undefined, run: (signal: AbortSignal) => AsyncGenerator<T>): AsyncGenerator<T> {
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  outer?.addEventListener("abort", onOuterAbort, { once: true });
  if (outer?.aborted) stop.abort();
  let refused: TRPCError | null = null;
  let checking = false;
  const recheck = () => {
    if (checking || stop.signal.aborted) return;
    checking = true;
    // The identity of the stream's headers now (not the request's first answer, which is memoised).
    principalFromHeaders(ctx.motion, ctx.auth, ctx.headers, ctx.principals)
      .then((principal) => {
        if (!principal) refused = new TRPCError({ code: "UNAUTHORIZED", message: "access ended: sign in or send Authorization: Bearer <api key>" });
        else if (!allows(principal.role, tier)) refused = new TRPCError({ code: "FORBIDDEN", message: `access ended: requires the ${tier} role (you are ${principal.role})` });
        if (refused) stop.abort();
      })
      // A failed lookup (a database hiccup) is not a verdict: the next check decides.
      .catch(() => undefined)
      .finally(() => (checking = false));
  };
  // Every access change this process hears of (its own, and other processes' on PostgreSQL).
  const offChange = ctx.principals?.onInvalidate(recheck) ?? (() => undefined);
  const timer = setInterval(recheck, ACCESS_RECHECK_MS);
  timer.unref?.();
  try {
    for await (const event of run(stop.signal)) {
      if (refused) break;
      yield event;
    }
  } finally {
    offChange();
    clearInterval(timer);
    outer?.removeEventListener("abort", onOuterAbort);
  }
  if (refused) throw refused;
}
