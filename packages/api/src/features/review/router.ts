// The review queue: each labeler gets the next inference of a trigger with a lock (LabelLock)
// that expires, so two labelers never work on the same item at the same time. The lock is
// taken with one conditional upsert per candidate (atomic on SQLite and PostgreSQL).
import { z } from "zod";
import { all, get, run, type Provider, type Query } from "@motion/db";
import { idSchema, nameSchema, placeholders, requireTrigger, versionSchema } from "../../lib/common.ts";
import { principalKey } from "../../principal.ts";
import { labelerProcedure, router, viewerProcedure } from "../../trpc.ts";
import { withDetails } from "../inferences/router.ts";
import { readLabelCounts } from "@motion/engine";

export type ReviewFilter = "unlabeled" | "good" | "bad";

function filterSql(filter: ReviewFilter, params: unknown[]): string {
  if (filter === "unlabeled") return `NOT EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id")`;
  params.push(filter);
  return `EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id" AND f."label" = ?)`;
}

interface Claim {
  holder: string;
  holderName: string;
  trigger: string;
  filter: ReviewFilter;
  version?: number;
  exclude: string[];
  now: Date;
  expiresAt: Date;
}

/** Returns the inference row now locked by `holder`, or undefined when the queue is empty. */
function* claimNext(_provider: Provider, c: Claim): Query<Record<string, unknown> | undefined> {
  // 1. The item this labeler already holds (a reload must not hand out a second one).
  const heldParams: unknown[] = [c.holder, c.trigger, c.now];
  const heldFilter = filterSql(c.filter, heldParams);
  const versionClause = c.version !== undefined ? ` AND i."stateVersion" = ?` : "";
  if (c.version !== undefined) heldParams.push(c.version);
  const excludeClause = c.exclude.length ? ` AND i."id" NOT IN (${placeholders(c.exclude.length)})` : "";
  heldParams.push(...c.exclude);
  const held = yield* get<Record<string, unknown>>(
    `SELECT i.* FROM "LabelLock" l JOIN "Inference" i ON i."id" = l."inferenceId" WHERE l."holder" = ? AND l."trigger" = ? AND l."expiresAt" > ? AND ${heldFilter}${versionClause}${excludeClause} ORDER BY i."id" LIMIT 1`,
    heldParams,
  );
  if (held) {
    yield* run(`UPDATE "LabelLock" SET "expiresAt" = ? WHERE "inferenceId" = ? AND "holder" = ?`, [c.expiresAt, held.id, c.holder]);
    return held;
  }
  // 2. One item at a time per labeler and trigger: let go of anything else held.
  yield* run(`DELETE FROM "LabelLock" WHERE "holder" = ? AND "trigger" = ?`, [c.holder, c.trigger]);
  for (let round = 0; round < 5; round++) {
    const params: unknown[] = [c.trigger];
    const filter = filterSql(c.filter, params);
    if (c.version !== undefined) params.push(c.version);
    params.push(...c.exclude, c.now);
    const candidates = yield* all<Record<string, unknown>>(
      `SELECT i.* FROM "Inference" i WHERE i."trigger" = ? AND ${filter}${versionClause}${excludeClause} AND NOT EXISTS (SELECT 1 FROM "LabelLock" l WHERE l."inferenceId" = i."id" AND l."expiresAt" > ?) ORDER BY i."id" LIMIT 10`,
      params,
    );
    if (candidates.length === 0) return undefined;
    for (const candidate of candidates) {
      const taken = yield* run(
        `INSERT INTO "LabelLock" ("inferenceId", "trigger", "holder", "holderName", "expiresAt", "createdAt") VALUES (?, ?, ?, ?, ?, ?) ` +
          `ON CONFLICT ("inferenceId") DO UPDATE SET "holder" = excluded."holder", "holderName" = excluded."holderName", "expiresAt" = excluded."expiresAt", "createdAt" = excluded."createdAt" ` +
          `WHERE "LabelLock"."expiresAt" <= ?`,
        [candidate.id, c.trigger, c.holder, c.holderName, c.expiresAt, c.now, c.now],
      );
      if (taken > 0) return candidate;
    }
  }
  return undefined;
}

export const reviewRouter = router({
  /** The next inference for this labeler, locked for `reviewLockMs`; null when none is left. A mutation: it takes a lock. */
  next: labelerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        filter: z.enum(["unlabeled", "good", "bad"]).default("unlabeled"),
        version: versionSchema.optional(),
        /** Inferences to skip (e.g. ones this labeler passed on). */
        exclude: z.array(idSchema).max(100).default([]),
      }),
    )
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const now = new Date();
      const expiresAt = new Date(now.getTime() + ctx.options.reviewLockMs);
      const provider = ctx.motion.db.provider;
      const claim: Claim = { holder: principalKey(ctx.principal), holderName: ctx.actor, trigger: input.trigger, filter: input.filter, version: input.version, exclude: input.exclude, now, expiresAt };
      const item = await ctx.motion.db.tx(function* () {
        const row = yield* claimNext(provider, claim);
        return row ? (yield* withDetails(provider, [row]))[0] : undefined;
      });
      return item ? { inference: item, lockExpiresAt: expiresAt } : null;
    }),

  /** Gives an item back to the queue (only the caller's own lock). */
  release: labelerProcedure.input(z.object({ inferenceId: idSchema })).mutation(async ({ ctx, input }) => {
    const released = await ctx.motion.db.tx(() => run(`DELETE FROM "LabelLock" WHERE "inferenceId" = ? AND "holder" = ?`, [input.inferenceId, principalKey(ctx.principal)]));
    return { released: released > 0 };
  }),

  /** Labeled counts per labeler, what is left, and what is being worked on now. */
  progress: viewerProcedure.input(z.object({ trigger: nameSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    const now = new Date();
    // The engine counts from rollups and labels (not every inference); still a long read, off the main thread on SQLite.
    const { perActor, total, remaining, locked } = await ctx.motion.db.readLong(function* () {
      const counts = yield* readLabelCounts(input.trigger);
      const locked = yield* all<{ holderName: string; n: unknown }>(
        `SELECT "holderName", COUNT(*) AS "n" FROM "LabelLock" WHERE "trigger" = ? AND "expiresAt" > ? GROUP BY "holderName"`,
        [input.trigger, now],
      );
      return { perActor: counts.byActor, total: counts.total, remaining: counts.total - counts.labeled, locked };
    });
    const labelers = new Map<string, { actor: string; labeled: number; good: number; bad: number; inProgress: number }>();
    const entry = (actor: string) => labelers.get(actor) ?? labelers.set(actor, { actor, labeled: 0, good: 0, bad: 0, inProgress: 0 }).get(actor)!;
    for (const r of perActor) {
      const e = entry(r.actor);
      const n = Number(r.n);
      e.labeled += n;
      if (r.label === "good") e.good += n;
      else if (r.label === "bad") e.bad += n;
    }
    for (const l of locked) entry(l.holderName).inProgress += Number(l.n);
    return {
      trigger: input.trigger,
      total,
      labeled: total - remaining,
      remaining,
      inProgress: locked.reduce((a, l) => a + Number(l.n), 0),
      labelers: [...labelers.values()].sort((a, b) => b.labeled - a.labeled || a.actor.localeCompare(b.actor)),
    };
  }),
});
