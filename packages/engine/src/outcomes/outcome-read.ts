import { selectAll, storage, toDate, toJsonOrNull, type Query } from "@motion/db";
import { histogramQuantiles } from "./latency-histogram.ts";
import { wilsonInterval, type Interval } from "./wilson.ts";

/** What one version (or one params hash on it) did: served inferences and the labels on them. */
export interface OutcomeFigures {
  inferences: number;
  errors: number;
  /** errors / inferences; null with no inferences. */
  errorRate: number | null;
  cached: number;
  cacheHitRate: number | null;
  /** Infer latency; p50/p99 from the version's histogram (within 2%). Null with no inferences. */
  latencyMs: { mean: number; p50: number; p99: number } | null;
  /** By the latest label of each inference. */
  feedback: {
    good: number;
    bad: number;
    /** Latest labels that carry a correction (counted within good/bad too). */
    corrected: number;
    labeled: number;
    /** good / (good + bad); null with no labels. */
    goodRate: number | null;
    /** Wilson 95% interval of the good-rate. */
    interval: Interval | null;
  };
}

export interface ParamsOutcome extends OutcomeFigures {
  paramsHash: string;
}

export interface FitSummary {
  runId: string;
  route: string;
  relation: string;
  rowCount: number;
  paramsHash: string;
  /** What the fit reported with `report({...})`. */
  metrics: Record<string, number> | null;
  finishedAt: Date | null;
}

export interface VersionOutcomes extends OutcomeFigures {
  version: number;
  parent: number | null;
  createdAt: Date;
  /** The fit that produced this version (null for version 0, from setUp). */
  fit: FitSummary | null;
  /** The same figures per params hash the version served under, most inferences first. */
  byParams: ParamsOutcome[];
}

export interface OutcomeTotals {
  inferences: number;
  errors: number;
  cached: number;
  latencySum: number;
  good: number;
  bad: number;
  corrected: number;
  buckets: Map<number, number>;
}

const empty = (): OutcomeTotals => ({ inferences: 0, errors: 0, cached: 0, latencySum: 0, good: 0, bad: 0, corrected: 0, buckets: new Map() });

function add(into: OutcomeTotals, from: OutcomeTotals): void {
  into.inferences += from.inferences;
  into.errors += from.errors;
  into.cached += from.cached;
  into.latencySum += from.latencySum;
  into.good += from.good;
  into.bad += from.bad;
  into.corrected += from.corrected;
  for (const [bucket, count] of from.buckets) into.buckets.set(bucket, (into.buckets.get(bucket) ?? 0) + count);
}

/** Turns running totals into rates, quantiles and an interval. Pure. */
export function figuresOf(t: OutcomeTotals): OutcomeFigures {
  const n = t.inferences;
  const labeled = t.good + t.bad;
  const [p50, p99] = histogramQuantiles(t.buckets, [0.5, 0.99]);
  return {
    inferences: n,
    errors: t.errors,
    errorRate: n > 0 ? t.errors / n : null,
    cached: t.cached,
    cacheHitRate: n > 0 ? t.cached / n : null,
    latencyMs: n > 0 && p50 != null && p99 != null ? { mean: t.latencySum / n, p50, p99 } : null,
    feedback: {
      good: t.good,
      bad: t.bad,
      corrected: t.corrected,
      labeled,
      goodRate: labeled > 0 ? t.good / labeled : null,
      interval: wilsonInterval(t.good, labeled),
    },
  };
}

/**
 * Outcomes of the given versions of a trigger (which must exist: pass what `StateVersion`
 * holds). Reads only the rollup tables and the versions' fit runs: the cost grows with the
 * number of versions × params hashes × latency buckets (a few dozen), never with inferences.
 */
/** The summed columns of the outcome rollups. */
export const COUNTS = ["inferences", "errors", "cached", "latencySum", "good", "bad", "corrected"] as const;

export function* readOutcomes(trigger: string, versions: readonly number[]): Query<VersionOutcomes[]> {
  if (versions.length === 0) return [];
  const meta = yield* selectAll(
    storage.selectFrom("StateVersion as v").leftJoin("FitRun as f", "f.id", "v.fitRunId")
      .select(["v.version", "v.parent", "v.createdAt", "v.fitRunId", "f.route", "f.relation", "f.rowCount", "f.paramsHash", "f.metrics", "f.finishedAt"])
      .where("v.trigger", "=", trigger).where("v.version", "in", versions).orderBy("v.version", "desc"),
  );
  const sums = yield* selectAll(
    storage.selectFrom("VersionOutcome")
      .select((eb) => ["stateVersion", "paramsHash", ...COUNTS.map((c) => eb.fn.sum(c).as(c))])
      .where("trigger", "=", trigger).where("stateVersion", "in", versions).groupBy(["stateVersion", "paramsHash"]),
  );
  const buckets = yield* selectAll(
    storage.selectFrom("VersionLatency").select((eb) => ["stateVersion", "paramsHash", "bucket", eb.fn.sum("count").as("n")])
      .where("trigger", "=", trigger).where("stateVersion", "in", versions)
      .groupBy(["stateVersion", "paramsHash", "bucket"]).orderBy("stateVersion").orderBy("paramsHash").orderBy("bucket"),
  );
  // version → params hash → totals
  const byVersion = new Map<number, Map<string, OutcomeTotals>>();
  const totalsOf = (version: unknown, hash: string) => {
    const v = Number(version);
    let params = byVersion.get(v);
    if (!params) byVersion.set(v, (params = new Map()));
    let t = params.get(hash);
    if (!t) params.set(hash, (t = empty()));
    return t;
  };
  for (const s of sums) {
    add(totalsOf(s.stateVersion, s.paramsHash), {
      inferences: Number(s.inferences), errors: Number(s.errors), cached: Number(s.cached), latencySum: Number(s.latencySum),
      good: Number(s.good), bad: Number(s.bad), corrected: Number(s.corrected), buckets: new Map(),
    });
  }
  let last: OutcomeTotals | null = null;
  let lastKey = "";
  for (const b of buckets) {
    // Rows arrive grouped by (version, params hash): look the totals up once per group.
    const key = `${b.stateVersion}|${b.paramsHash}`;
    if (key !== lastKey || !last) {
      last = totalsOf(b.stateVersion, b.paramsHash);
      lastKey = key;
    }
    last.buckets.set(Number(b.bucket), Number(b.n));
  }
  return meta.map((m) => {
    const version = Number(m.version);
    const total = empty();
    const byParams: ParamsOutcome[] = [];
    for (const [paramsHash, t] of byVersion.get(version) ?? []) {
      add(total, t);
      byParams.push({ paramsHash, ...figuresOf(t) });
    }
    byParams.sort((a, b) => b.inferences - a.inferences || (a.paramsHash < b.paramsHash ? -1 : 1));
    return {
      version,
      parent: m.parent === null || m.parent === undefined ? null : Number(m.parent),
      createdAt: toDate(m.createdAt),
      fit: m.fitRunId
        ? {
            runId: m.fitRunId, route: m.route ?? "", relation: m.relation ?? "",
            rowCount: Number(m.rowCount ?? 0), paramsHash: m.paramsHash ?? "",
            metrics: toJsonOrNull<Record<string, number>>(m.metrics), finishedAt: m.finishedAt === null || m.finishedAt === undefined ? null : toDate(m.finishedAt),
          }
        : null,
      ...figuresOf(total),
      byParams,
    };
  });
}
