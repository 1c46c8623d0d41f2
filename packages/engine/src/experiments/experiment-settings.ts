import { z } from "zod";
import { execute, selectAll, selectFirst, storage, toDate, toJson, type Query } from "@motion/db";
import type { PromotionRule } from "./promotion-rule.ts";
import type { VariantSpec } from "./params-variants.ts";

/** What a trigger declares (`shadow`, `canary`, `promotion`) or an admin sets at run time. */
export interface ExperimentSettings {
  /** Share of rows served by active that are also inferred on the candidate (0..1). */
  shadowShare: number;
  /** Share of routing keys served by the candidate (0..1). */
  canaryShare: number;
  /** Guarded promotion rule, or null (promote and abort by hand only). */
  rule: PromotionRule | null;
  /** Params variants in routing order ([] when none). */
  variants: VariantSpec[];
}

/** A stored row; `variants` null while the trigger's declared variants apply. */
export interface StoredSettings extends Omit<ExperimentSettings, "variants"> {
  variants: VariantSpec[] | null;
}

export const share = z.number().min(0, "share must be in 0..1").max(1, "share must be in 0..1");

export const promotionRule = z.object({
  name: z.string().min(1).max(100).regex(/^[A-Za-z0-9_.-]+$/, "rule names are letters, digits, _ . -"),
  minLabels: z.number().int().min(1).max(1_000_000),
  confidence: z.number().gt(0.5).lt(1),
});

export const experimentPatch = z.object({
  shadow: z.object({ share }).optional(),
  canary: z.object({ share }).optional(),
  rule: promotionRule.nullable().optional(),
});
export type ExperimentPatch = z.input<typeof experimentPatch>;

export const NO_EXPERIMENT: ExperimentSettings = { shadowShare: 0, canaryShare: 0, rule: null, variants: [] };

/** A stored row replaces the declared settings wholesale (it was written from them, see writeSettings). */
export function* readSettings(trigger: string): Query<(StoredSettings & { updatedAt: number }) | null> {
  const r = yield* selectFirst(storage.selectFrom("TriggerExperiment").select(["shadowShare", "canaryShare", "rule", "variants", "updatedAt"]).where("trigger", "=", trigger));
  if (!r) return null;
  return {
    shadowShare: Number(r.shadowShare), canaryShare: Number(r.canaryShare),
    rule: r.rule === null || r.rule === undefined ? null : toJson<PromotionRule>(r.rule),
    variants: r.variants === null || r.variants === undefined ? null : toJson<VariantSpec[]>(r.variants),
    updatedAt: toDate(r.updatedAt).getTime(),
  };
}

/** One marker per trigger with stored settings: what the consistency check compares. */
export function* readSettingsMarkers(): Query<Map<string, number>> {
  const rows = yield* selectAll(storage.selectFrom("TriggerExperiment").select(["trigger", "updatedAt"]));
  return new Map(rows.map((r) => [r.trigger, toDate(r.updatedAt).getTime()]));
}

export function* writeSettings(trigger: string, settings: StoredSettings, actor: string, at: Date): Query<void> {
  yield* execute(
    storage.insertInto("TriggerExperiment")
      .values({
        trigger, shadowShare: settings.shadowShare, canaryShare: settings.canaryShare, rule: settings.rule ? JSON.stringify(settings.rule) : null,
        variants: settings.variants ? JSON.stringify(settings.variants) : null, updatedBy: actor, updatedAt: at,
      })
      .onConflict((oc) => oc.column("trigger").doUpdateSet((eb) => ({
        shadowShare: eb.ref("excluded.shadowShare"), canaryShare: eb.ref("excluded.canaryShare"), rule: eb.ref("excluded.rule"),
        variants: eb.ref("excluded.variants"), updatedBy: eb.ref("excluded.updatedBy"), updatedAt: eb.ref("excluded.updatedAt"),
      }))),
  );
}
