// The Compare page's pure parts: which two versions are compared (from the URL), and the
// per-version quality series (good-rate with its Wilson band, labels, latency) for its chart.

export interface ComparePick {
  a: number | null;
  b: number | null;
}

function version(text: string | null | undefined): number | null {
  if (text === null || text === undefined || text.trim() === "") return null;
  const n = Number(text.trim().replace(/^v/i, ""));
  return Number.isInteger(n) && n >= 0 ? n : null;
}

export function parseComparePick(params: Record<string, string | string[] | undefined> | URLSearchParams): ComparePick {
  const get = (k: string) => (params instanceof URLSearchParams ? params.get(k) : [params[k]].flat()[0]);
  return { a: version(get("a")), b: version(get("b")) };
}

/**
 * Defaults: compare the active version (a) with the newest other version that has labels (b),
 * else the newest other version — a fresh fit has no labels yet, the one before it may.
 */
export function defaultPick(pick: ComparePick, active: number | null, versions: readonly number[], labeled?: ReadonlySet<number>): { a: number; b: number } | null {
  const sorted = [...versions].sort((x, y) => y - x);
  const a = pick.a ?? active ?? sorted[0] ?? null;
  if (a === null) return null;
  const b = pick.b ?? sorted.find((v) => v !== a && labeled?.has(v)) ?? sorted.find((v) => v !== a) ?? null;
  return b === null ? null : { a, b };
}

export interface QualityPoint {
  version: number;
  goodRate: number | null;
  /** [low, high] of the Wilson 95% interval, or null without labels. */
  band: [number, number] | null;
  labeled: number;
  inferences: number;
  p99: number | null;
}

interface OutcomeLike {
  version: number;
  inferences: number;
  latencyMs: { p99: number } | null;
  feedback: { labeled: number; goodRate: number | null; interval: { low: number; high: number } | null };
}

/** Oldest version first, for a chart over versions. */
export function qualitySeries(outcomes: readonly OutcomeLike[]): QualityPoint[] {
  return [...outcomes]
    .sort((x, y) => x.version - y.version)
    .map((o) => ({
      version: o.version,
      goodRate: o.feedback.goodRate,
      band: o.feedback.interval ? [o.feedback.interval.low, o.feedback.interval.high] : null,
      labeled: o.feedback.labeled,
      inferences: o.inferences,
      p99: o.latencyMs?.p99 ?? null,
    }));
}

/**
 * Whether b's good-rate is credibly different from a's: their 95% intervals do not overlap.
 * (Conservative: overlapping intervals can still differ; the page says "not shown" then.)
 */
export function verdict(a: OutcomeLike | undefined, b: OutcomeLike | undefined): "better" | "worse" | "unclear" | "no-labels" {
  const ia = a?.feedback.interval;
  const ib = b?.feedback.interval;
  if (!ia || !ib) return "no-labels";
  if (ib.low > ia.high) return "better";
  if (ib.high < ia.low) return "worse";
  return "unclear";
}
