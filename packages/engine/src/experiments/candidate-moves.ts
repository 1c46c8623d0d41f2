import { pgNotify, selectFirst, storage, type Provider, type Query } from "@motion/db";
import { recordAudit } from "../audit-log.ts";
import { moveAlias, readAliases } from "../state-store.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

export function* readCandidate(trigger: string): Query<number | null> {
  const r = yield* selectFirst(storage.selectFrom("StateAlias").select("version").where("trigger", "=", trigger).where("name", "=", "candidate"));
  return r ? Number(r.version) : null;
}

interface Who {
  actor: string;
  reason?: string | null;
}

function* notify(provider: Provider, trigger: string): Query<void> {
  if (provider === "postgresql") yield* pgNotify("motion_state", trigger);
}

/** Points `candidate` at an existing version (not the active one: that would compare a version with itself). */
export function* setCandidate(provider: Provider, trigger: string, version: number, who: Who, at: Date): Query<{ from: number | null; to: number }> {
  const aliases = yield* readAliases(trigger, provider);
  if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
  const exists = yield* selectFirst(storage.selectFrom("StateVersion").select("version").where("trigger", "=", trigger).where("version", "=", version));
  if (!exists) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
  if (version === aliases.active) throw new ConflictError(`version ${version} is already active on ${trigger}`);
  const from = yield* readCandidate(trigger);
  if (from === version) return { from, to: version };
  yield* moveAlias({ trigger, alias: "candidate", from, to: version, actor: who.actor, reason: who.reason ?? null, at });
  yield* recordAudit({ actor: who.actor, action: "state.candidate", target: trigger, reason: who.reason ?? undefined, data: { from, to: version }, at });
  yield* notify(provider, trigger);
  return { from, to: version };
}

/**
 * candidate → active, then the candidate is cleared (both moves recorded). The pin flag of
 * `active` is kept: a pinned trigger stays pinned on the promoted version (fits still held),
 * an unpinned one keeps following its fits from it.
 */
export function* promoteCandidate(provider: Provider, trigger: string, who: Who, at: Date): Query<{ from: number; to: number; pinned: boolean }> {
  const aliases = yield* readAliases(trigger, provider);
  if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
  const candidate = yield* readCandidate(trigger);
  if (candidate === null) throw new ConflictError(`trigger ${trigger} has no candidate to promote`);
  yield* moveAlias({ trigger, alias: "active", from: aliases.active, to: candidate, actor: who.actor, reason: who.reason ?? "promote", pinned: aliases.pinned, at });
  yield* moveAlias({ trigger, alias: "candidate", from: candidate, to: null, actor: who.actor, reason: who.reason ?? "promote", at });
  yield* recordAudit({ actor: who.actor, action: "state.promote", target: trigger, reason: who.reason ?? undefined, data: { from: aliases.active, to: candidate, pinned: aliases.pinned }, at });
  yield* notify(provider, trigger);
  return { from: aliases.active, to: candidate, pinned: aliases.pinned };
}

/** Clears the candidate; active is untouched. */
export function* abortCandidate(provider: Provider, trigger: string, who: Who, at: Date): Query<{ from: number }> {
  const aliases = yield* readAliases(trigger, provider);
  if (!aliases) throw new NotFoundError(`trigger ${trigger} has no state`);
  const candidate = yield* readCandidate(trigger);
  if (candidate === null) throw new ConflictError(`trigger ${trigger} has no candidate to abort`);
  yield* moveAlias({ trigger, alias: "candidate", from: candidate, to: null, actor: who.actor, reason: who.reason ?? "abort", at });
  yield* recordAudit({ actor: who.actor, action: "state.abort", target: trigger, reason: who.reason ?? undefined, data: { candidate, active: aliases.active }, at });
  yield* notify(provider, trigger);
  return { from: candidate };
}
