import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { all, get, toDate, toJson, toNum, type Provider } from "@motion/db";
import { audit, cursorSchema, idSchema, limitSchema, nameSchema, page, placeholders as placeholdersFor, reasonSchema, requireTrigger, versionSchema } from "../../lib/common.ts";
import { MAX_EVALUATE_VERSIONS, MAX_OUTCOME_VERSIONS } from "@motion/engine";
import { adminProcedure, router, viewerProcedure } from "../../trpc.ts";
import { aliasMoves } from "./on-version.ts";

const PREVIEW_BYTES = 4_096;
const MAX_ENTRIES = 500;
const ELEMENT_BYTES: Record<string, number> = { f32: 4, f64: 8, i8: 1, i16: 2, i32: 4, u8: 1, u16: 2, u32: 4, buffer: 1 };

interface ManifestEntry {
  checksum: string;
  kind: string;
  size: number;
}

function aliasesOf(rows: { name: string; version: unknown; pinned: unknown }[]) {
  const byVersion = new Map<number, string[]>();
  for (const r of rows) {
    const v = Number(r.version);
    byVersion.set(v, [...(byVersion.get(v) ?? []), r.name].sort());
  }
  const active = rows.find((r) => r.name === "active");
  return { byVersion, pinned: active ? active.pinned === true || active.pinned === 1 : false };
}

function previewSql(provider: Provider, n: number): string {
  const slice = provider === "postgresql" ? `substring("bytes" from 1 for ${PREVIEW_BYTES})` : `substr("bytes", 1, ${PREVIEW_BYTES})`;
  return `SELECT "checksum", ${slice} AS "head" FROM "StateBlob" WHERE "checksum" IN (${placeholdersFor(n)})`;
}

function summarizeJson(value: unknown): string {
  if (Array.isArray(value)) return `array(${value.length})`;
  if (value === null) return "null";
  if (typeof value === "object") return `object(${Object.keys(value).length} keys)`;
  return typeof value;
}

export const stateRouter = router({
  /** Newest first; keyset on the version number. */
  versions: viewerProcedure
    .input(z.object({ trigger: nameSchema, cursor: z.number().int().min(0).max(2_147_483_647).nullish(), limit: limitSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const { rows, aliases } = await ctx.motion.db.read(function* () {
        const rows = yield* all<Record<string, unknown>>(
          `SELECT v."version", v."parent", v."fitRunId", v."size", v."checksum", v."entries", v."createdAt", v."collectedAt", f."route" AS "fitRoute", f."rowCount" AS "fitRowCount" FROM "StateVersion" v LEFT JOIN "FitRun" f ON f."id" = v."fitRunId" WHERE v."trigger" = ?${input.cursor !== undefined && input.cursor !== null ? ` AND v."version" < ?` : ""} ORDER BY v."version" DESC LIMIT ?`,
          input.cursor !== undefined && input.cursor !== null ? [input.trigger, input.cursor, input.limit + 1] : [input.trigger, input.limit + 1],
        );
        const aliases = yield* all<{ name: string; version: unknown; pinned: unknown }>(`SELECT "name", "version", "pinned" FROM "StateAlias" WHERE "trigger" = ?`, [input.trigger]);
        return { rows, aliases };
      });
      const { byVersion, pinned } = aliasesOf(aliases);
      const items = rows.map((r) => {
        const version = toNum(r.version);
        const names = byVersion.get(version) ?? [];
        return {
          version,
          parent: r.parent === null || r.parent === undefined ? null : toNum(r.parent),
          fitRunId: (r.fitRunId as string | null) ?? null,
          fit: r.fitRunId ? { id: r.fitRunId as string, route: (r.fitRoute as string | null) ?? null, rowCount: r.fitRowCount === null || r.fitRowCount === undefined ? null : toNum(r.fitRowCount) } : null,
          size: toNum(r.size),
          checksum: r.checksum as string,
          keys: Object.keys(toJson<Record<string, ManifestEntry>>(r.entries)).length,
          createdAt: toDate(r.createdAt),
          collectedAt: r.collectedAt === null || r.collectedAt === undefined ? null : toDate(r.collectedAt),
          aliases: names,
          pinned: names.includes("active") && pinned,
        };
      });
      const result = page(items, input.limit, (v) => String(v.version));
      return { items: result.items, nextCursor: result.nextCursor === null ? null : Number(result.nextCursor) };
    }),

  /** Metadata of one version and a preview of each value (binary values: type and length). */
  get: viewerProcedure.input(z.object({ trigger: nameSchema, version: versionSchema })).query(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    const provider = ctx.motion.db.provider;
    const found = await ctx.motion.db.read(function* () {
      const v = yield* get<Record<string, unknown>>(`SELECT * FROM "StateVersion" WHERE "trigger" = ? AND "version" = ?`, [input.trigger, input.version]);
      if (!v) return undefined;
      const manifest = toJson<Record<string, ManifestEntry>>(v.entries);
      const keys = Object.keys(manifest).sort().slice(0, MAX_ENTRIES);
      const jsonChecksums = [...new Set(keys.map((k) => manifest[k]!).filter((e) => e.kind === "json").map((e) => e.checksum))];
      const heads = jsonChecksums.length ? yield* all<{ checksum: string; head: unknown }>(previewSql(provider, jsonChecksums.length), jsonChecksums) : [];
      const aliases = yield* all<{ name: string; version: unknown; pinned: unknown }>(`SELECT "name", "version", "pinned" FROM "StateAlias" WHERE "trigger" = ?`, [input.trigger]);
      return { v, manifest, keys, heads, aliases };
    });
    if (!found) throw new TRPCError({ code: "NOT_FOUND", message: `trigger ${input.trigger} has no state version ${input.version}` });
    const { v, manifest, keys, heads, aliases } = found;
    const headByChecksum = new Map(heads.map((h) => [h.checksum, Buffer.from(h.head as Uint8Array).toString("utf8")]));
    const { byVersion, pinned } = aliasesOf(aliases);
    const names = byVersion.get(input.version) ?? [];
    return {
      trigger: input.trigger,
      version: input.version,
      parent: v.parent === null || v.parent === undefined ? null : toNum(v.parent),
      fitRunId: (v.fitRunId as string | null) ?? null,
      size: toNum(v.size),
      checksum: v.checksum as string,
      createdAt: toDate(v.createdAt),
      collectedAt: v.collectedAt === null || v.collectedAt === undefined ? null : toDate(v.collectedAt),
      aliases: names,
      pinned: names.includes("active") && pinned,
      totalKeys: Object.keys(manifest).length,
      entries: keys.map((key) => {
        const e = manifest[key]!;
        if (e.kind !== "json") {
          const width = ELEMENT_BYTES[e.kind] ?? 1;
          return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: { type: e.kind, length: Math.floor(e.size / width) }, value: undefined as unknown, preview: null as string | null, truncated: false, summary: `${e.kind}[${Math.floor(e.size / width)}]` };
        }
        const head = headByChecksum.get(e.checksum) ?? "";
        if (e.size <= PREVIEW_BYTES) {
          let value: unknown = null;
          try {
            value = JSON.parse(head);
          } catch {
            value = null;
          }
          return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: null, value, preview: head, truncated: false, summary: summarizeJson(value) };
        }
        // Cut at a character boundary: drop a trailing partial UTF-8 sequence.
        const preview = head.replace(/\uFFFD+$/, "");
        return { key, kind: e.kind, size: e.size, checksum: e.checksum, binary: null, value: undefined as unknown, preview, truncated: true, summary: `json (${e.size} bytes)` };
      }),
    };
  }),

  /**
   * Per-version outcomes (inferences, error and cache-hit rates, latency p50/p99, latest labels
   * with a Wilson 95% interval, fit metrics), newest first: the listed `versions` (an unknown
   * one is NOT_FOUND) or a page below `cursor`. Reads rollup tables only.
   */
  outcomes: viewerProcedure
    .input(z.object({ trigger: nameSchema, versions: z.array(versionSchema).min(1).max(MAX_OUTCOME_VERSIONS).optional(), cursor: versionSchema.nullish(), limit: limitSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const result = await ctx.motion.outcomes(input.trigger, input.versions ? { versions: input.versions } : { before: input.cursor ?? undefined, limit: input.limit });
      return { items: result.versions, nextCursor: result.nextCursor };
    }),

  /**
   * What moving `active` from `from` to `to` changes: state keys (sizes, checksums, a bounded
   * JSON diff) and the fits, rows and labels on each side of the common ancestor.
   */
  diff: viewerProcedure
    .input(z.object({ trigger: nameSchema, from: versionSchema, to: versionSchema }))
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.diffVersions(input.trigger, input.from, input.to);
    }),

  /**
   * The trigger's own `evaluate` (e.g. hit@k) on each version, over the latest labels of the
   * outputs it served (at most `limit` labeled inferences a version); `declared` is false when
   * the trigger has none. An unknown version is NOT_FOUND.
   */
  evaluate: viewerProcedure
    .input(z.object({ trigger: nameSchema, versions: z.array(versionSchema).min(1).max(MAX_EVALUATE_VERSIONS), limit: z.number().int().min(1).max(5_000).optional() }))
    .query(({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.evaluate(input.trigger, { versions: input.versions, limit: input.limit });
    }),

  /**
   * Re-points `active` at `version` of this trigger (audited with the reason). A version that
   * does not exist for this trigger — e.g. one of another trigger — is refused with NOT_FOUND.
   */
  rollback: adminProcedure
    .input(z.object({ trigger: nameSchema, version: versionSchema, reason: reasonSchema, pin: z.boolean().optional(), refitLabels: z.boolean().optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const exists = await ctx.motion.db.read(() => get(`SELECT "version" FROM "StateVersion" WHERE "trigger" = ? AND "version" = ?`, [input.trigger, input.version]));
      if (!exists) throw new TRPCError({ code: "NOT_FOUND", message: `trigger ${input.trigger} has no state version ${input.version}; a rollback can only point at a version of the same trigger` });
      const moved = await ctx.motion.rollback(input.trigger, input.version, { actor: ctx.actor, reason: input.reason, pin: input.pin, refitLabels: input.refitLabels });
      return { trigger: input.trigger, ...moved, pinned: input.pin ?? false };
    }),

  /**
   * State GC now for one trigger: versions beyond the newest `keepVersions` (default: the
   * trigger's `retention.keepVersions`) that no alias points at lose the values no kept version
   * shares; manifests stay. Audited per batch. Admin only.
   */
  collect: adminProcedure
    .input(z.object({ trigger: nameSchema, keepVersions: z.number().int().min(1).max(1_000_000).optional(), reason: reasonSchema.optional() }))
    .mutation(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      return ctx.motion.retention.collectStates({ actor: ctx.actor, trigger: input.trigger, keepVersions: input.keepVersions, reason: input.reason });
    }),

  /** Lets `active` follow `latest` again after a pinned rollback. */
  unpin: adminProcedure.input(z.object({ trigger: nameSchema, reason: reasonSchema.optional() })).mutation(async ({ ctx, input }) => {
    requireTrigger(ctx.motion, input.trigger);
    await ctx.motion.unpin(input.trigger, { actor: ctx.actor, reason: input.reason });
    const actor = ctx.actor;
    await ctx.motion.db.tx(() => audit({ actor, action: "state.unpin", target: input.trigger, reason: input.reason ?? null }));
    return { trigger: input.trigger, pinned: false };
  }),

  /**
   * Server-sent events: each move of the trigger's `active` / `latest` from now on (a fit's new
   * version, a rollback), tracked by its alias-history id. `lastEventId` (sent by the client
   * on reconnect, or `aliasHistory`'s newest id) replays the moves after it first.
   */
  onVersion: viewerProcedure
    .input(z.object({ trigger: nameSchema, lastEventId: idSchema.nullish() }))
    .subscription(({ ctx, input, signal }) => {
      requireTrigger(ctx.motion, input.trigger);
      return aliasMoves(ctx.motion, input.trigger, input.lastEventId, signal, ctx.options.subscriptionPollMs);
    }),

  /** Every move of `active` / `latest`, newest first (keyset on id). */
  aliasHistory: viewerProcedure
    .input(
      z.object({
        trigger: nameSchema,
        alias: z.enum(["active", "latest"]).optional(),
        /** "operator": only moves a person or key made (rollbacks, unpins), not each fit's. */
        moves: z.enum(["all", "operator"]).optional(),
        cursor: cursorSchema,
        limit: limitSchema,
      }),
    )
    .query(async ({ ctx, input }) => {
      requireTrigger(ctx.motion, input.trigger);
      const { items, nextCursor } = await ctx.motion.aliasEvents({ trigger: input.trigger, alias: input.alias, operatorOnly: input.moves === "operator", cursor: input.cursor, limit: input.limit });
      // Moves of active/latest always point somewhere (only a candidate can be cleared).
      return { items: items.map((e) => ({ ...e, toVersion: e.toVersion! })), nextCursor };
    }),
});
