import { z } from "zod";
import type { RowIssue } from "../errors.ts";
import { contentHash } from "../hash.ts";
import { routingPoint } from "./routing.ts";

/**
 * Params variants: named params a trigger's infer may run with instead of its default params.
 *
 * Variants share the trigger's state chain (one latest/active, fitted with the default params):
 * params only change what infer does with the state, so fitting per variant would multiply fit
 * work and storage and make a variant's answers depend on a different model, mixing two
 * experiments in one. Each variant has its own params hash, recorded on every inference it
 * answers, so outcomes per (version, params hash) keep variants apart. A variant that needs its
 * own fitted state is a second trigger.
 *
 * A variant stores only the params it overrides; its effective params are the trigger's default
 * params (as they are now, runtime changes included) with those overrides, parsed by the
 * trigger's params schema.
 */
export interface VariantSpec {
  name: string;
  /** The params this variant overrides (merged over the default params). */
  params: Record<string, unknown>;
  /** Share of routing keys served by this variant (0..1); the default variant gets the rest. */
  weight: number;
}

export interface ResolvedVariant extends VariantSpec {
  /** Effective params infer sees. */
  effective: unknown;
  hash: string;
}

export const DEFAULT_VARIANT = "default";
export const MAX_VARIANTS = 20;

export const variantName = z
  .string()
  .min(1, "a variant needs a name")
  .max(64, "variant names are at most 64 characters")
  .regex(/^[A-Za-z0-9_.-]+$/, "variant names are letters, digits, _ . -")
  .refine((n) => n !== DEFAULT_VARIANT, `"${DEFAULT_VARIANT}" names the trigger's own params`);
export const variantWeight = z.number().min(0, "weight must be in 0..1").max(1, "weight must be in 0..1");
export const variantSpec = z.object({ name: variantName, params: z.record(z.string(), z.unknown()), weight: variantWeight });

const issue = (path: (string | number)[], message: string, code = "invalid_variant"): RowIssue => ({ index: 0, path, message, code });

/** Rounding slack when weights like 0.1 + 0.2 + 0.7 are summed. */
const EPSILON = 1e-9;

/**
 * Checks a whole set of variants against the trigger's params schema and the default params:
 * names unique, weights in 0..1 summing to at most 1, params the schema accepts and different
 * from the default's and from each other's (else their inferences could not be told apart).
 * Issues are at `pathOf(index)` + the field.
 */
export function resolveVariants(
  schema: z.ZodType,
  base: { params: unknown; hash: string },
  specs: VariantSpec[],
  pathOf: (index: number) => (string | number)[] = (i) => ["variants", i],
): { resolved: ResolvedVariant[]; issues: RowIssue[] } {
  const issues: RowIssue[] = [];
  const resolved: ResolvedVariant[] = [];
  if (specs.length > MAX_VARIANTS) issues.push(issue(pathOf(MAX_VARIANTS), `at most ${MAX_VARIANTS} variants per trigger`));
  const names = new Set<string>();
  const hashes = new Map<string, string>([[base.hash, DEFAULT_VARIANT]]);
  let sum = 0;
  specs.forEach((spec, i) => {
    const shape = variantSpec.safeParse(spec);
    if (!shape.success) {
      for (const e of shape.error.issues) issues.push(issue([...pathOf(i), ...e.path.map((p) => (typeof p === "symbol" ? String(p) : p))], e.message, e.code));
      return;
    }
    if (names.has(spec.name)) issues.push(issue([...pathOf(i), "name"], `variant ${spec.name} exists already`, "variant_exists"));
    names.add(spec.name);
    sum += spec.weight;
    const parsed = schema.safeParse({ ...(base.params as Record<string, unknown>), ...spec.params });
    if (!parsed.success) {
      for (const e of parsed.error.issues) issues.push(issue([...pathOf(i), "params", ...e.path.map((p) => (typeof p === "symbol" ? String(p) : p))], e.message, e.code));
      return;
    }
    const hash = contentHash(parsed.data);
    const same = hashes.get(hash);
    if (same !== undefined) {
      issues.push(issue([...pathOf(i), "params"], `variant ${spec.name} runs with the same params as ${same}: its inferences could not be told apart`, "variant_same_params"));
      return;
    }
    hashes.set(hash, spec.name);
    resolved.push({ name: spec.name, params: spec.params, weight: spec.weight, effective: Object.freeze(parsed.data), hash });
  });
  if (sum > 1 + EPSILON) issues.push(issue([...pathOf(specs.length - 1), "weight"], `variant weights sum to ${round(sum)}, above 1`, "weights_above_one"));
  return { resolved, issues };
}

const round = (n: number) => Math.round(n * 1e6) / 1e6;

/** Where a routing key falls for variants: independent of the canary's split of the same keys. */
export function variantPoint(trigger: string, key: string): number {
  return routingPoint(`${trigger}\u0000variants`, key);
}

/**
 * The variant a routing key is served by, or null for the default variant. Variants take
 * consecutive ranges of [0, 1) in their order (adding a variant at the end keeps the others'
 * keys where they were); the default variant gets what is left above the sum of weights.
 */
export function pickVariant<V extends { weight: number }>(trigger: string, key: string, variants: readonly V[]): V | null {
  if (!variants.length) return null;
  const point = variantPoint(trigger, key);
  let upTo = 0;
  for (const v of variants) {
    upTo += v.weight;
    if (point < upTo) return v;
  }
  return null;
}

/** Declared `variants` of a trigger definition, in declaration order (TypeError on bad shape). */
export function declaredVariants(trigger: string, declared: Record<string, { params?: Record<string, unknown>; weight?: number }> | undefined): VariantSpec[] {
  if (declared === undefined) return [];
  if (declared === null || typeof declared !== "object") throw new TypeError(`trigger ${trigger}: variants must be an object of named variants`);
  const specs = Object.entries(declared).map(([name, v]) => ({ name, params: v?.params ?? {}, weight: v?.weight ?? 0 }));
  let sum = 0;
  for (const s of specs) {
    const ok = variantSpec.safeParse(s);
    if (!ok.success) throw new TypeError(`trigger ${trigger}: variant ${s.name}: ${ok.error.issues[0]!.message}`);
    sum += s.weight;
  }
  if (specs.length > MAX_VARIANTS) throw new TypeError(`trigger ${trigger}: at most ${MAX_VARIANTS} variants`);
  if (sum > 1 + EPSILON) throw new TypeError(`trigger ${trigger}: variant weights sum to ${round(sum)}, above 1`);
  return specs;
}
