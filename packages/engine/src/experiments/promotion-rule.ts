/**
 * Guarded promotion: a one-sided, pooled two-proportion z-test of the candidate's good-rate
 * against active's, on the labels each version's own inferences received.
 *
 * Once both versions have at least `minLabels` good/bad labels:
 * - z = (p_c − p_a) / sqrt(p̂(1 − p̂)(1/n_c + 1/n_a)), p̂ = (good_c + good_a) / (n_c + n_a);
 * - z ≤ −z_crit (z_crit the one-sided normal quantile of `confidence`, 1.645 at 0.95): the
 *   candidate is significantly worse → abort;
 * - otherwise it is not worse at that confidence → promote.
 * Before that: wait. `minLabels` is what gives the test power: choose it so that a drop you care
 * about would be detected (e.g. 400 labels per side detect a 10-point drop from 80% most of the time).
 */
export interface PromotionRule {
  name: string;
  minLabels: number;
  confidence: number;
}

export interface LabelCounts {
  good: number;
  bad: number;
}

export type RuleDecision =
  | { action: "wait"; reason: string; z: number | null }
  | { action: "promote" | "abort"; reason: string; z: number };

/** Standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9). */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`p ${p} outside (0, 1)`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
}

export function decide(rule: PromotionRule, candidate: LabelCounts, active: LabelCounts): RuleDecision {
  const nc = candidate.good + candidate.bad;
  const na = active.good + active.bad;
  if (nc < rule.minLabels || na < rule.minLabels) {
    return { action: "wait", reason: `needs ${rule.minLabels} labels per version (candidate ${nc}, active ${na})`, z: null };
  }
  const pc = candidate.good / nc;
  const pa = active.good / na;
  const pooled = (candidate.good + active.good) / (nc + na);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nc + 1 / na));
  // Both all-good or all-bad: no variance, and no difference either.
  const z = se === 0 ? 0 : (pc - pa) / se;
  const critical = normalQuantile(rule.confidence);
  const figures = `good-rate ${(pc * 100).toFixed(1)}% (${nc}) vs ${(pa * 100).toFixed(1)}% (${na}), z = ${z.toFixed(3)}`;
  if (z <= -critical) return { action: "abort", reason: `candidate worse at ${rule.confidence} confidence: ${figures}`, z };
  return { action: "promote", reason: `candidate not worse at ${rule.confidence} confidence: ${figures}`, z };
}
