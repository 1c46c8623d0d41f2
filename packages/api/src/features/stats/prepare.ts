// Pure data preparers for the console's charts: per-bucket rollups and fit runs in, series out.

/** One bucket of a trigger's inferences, merged from the per-minute rollups by the engine. */
export interface InferenceBucket {
  /** Start of the bucket, epoch ms (aligned to the bucket size). */
  t: number;
  inferences: number;
  errors: number;
  latencyP50: number | null;
  latencyP99: number | null;
}

export interface TriggerInferences {
  trigger: string;
  buckets: InferenceBucket[];
  totals: { inferences: number; errors: number; latencyP50: number | null; latencyP99: number | null };
}

export interface FitPoint {
  trigger: string;
  /** Epoch ms when the run finished. */
  at: number;
  durationMs: number | null;
  status: string;
}

export interface MinutePoint {
  /** Start of the bucket (epoch ms → Date); a minute for ranges up to an hour. */
  t: Date;
  inferences: number;
  /** Inferences whose infer threw. */
  errors: number;
  latencyP50: number | null;
  latencyP99: number | null;
  fits: number;
  fitFailures: number;
  fitDurationP50: number | null;
  fitDurationMax: number | null;
}

export interface TriggerSeries {
  trigger: string;
  series: MinutePoint[];
  totals: { inferences: number; errors: number; latencyP50: number | null; latencyP99: number | null; fits: number; fitFailures: number; fitDurationP50: number | null };
}

export interface Overview {
  from: Date;
  to: Date;
  minutes: number;
  /** Width of each series point: 1 up to an hour, coarser for longer ranges. */
  bucketMinutes: number;
  triggers: TriggerSeries[];
}

const MINUTE = 60_000;

/** Nearest-rank percentile of ascending values; null when empty. */
export function percentile(sortedAsc: readonly number[], p: number): number | null {
  if (sortedAsc.length === 0) return null;
  const rank = Math.ceil((p / 100) * sortedAsc.length);
  return sortedAsc[Math.min(sortedAsc.length - 1, Math.max(0, rank - 1))]!;
}

export function sortedNumbers(values: Iterable<number>): number[] {
  return Array.from(values).sort((a, b) => a - b);
}

/** The `minutes` minute starts ending with the minute containing `now`. */
export function minuteStarts(now: number, minutes: number): number[] {
  const last = Math.floor(now / MINUTE) * MINUTE;
  return Array.from({ length: minutes }, (_, i) => last - (minutes - 1 - i) * MINUTE);
}

/**
 * Bucket size for a range: per minute up to an hour, then coarser so a chart keeps about
 * 60–100 points (24 h in 15-minute buckets, not 1,440 minutes).
 */
export function bucketMinutesFor(minutes: number): number {
  if (minutes <= 60) return 1;
  if (minutes <= 180) return 2;
  if (minutes <= 360) return 5;
  if (minutes <= 720) return 10;
  if (minutes <= 1_440) return 15;
  return 60;
}

/** `count` bucket starts of `bucketMinutes` each, ending with the bucket containing `now`. */
export function bucketStarts(now: number, minutes: number, bucketMinutes: number): number[] {
  const size = bucketMinutes * MINUTE;
  const last = Math.floor(now / size) * size;
  const count = Math.ceil(minutes / bucketMinutes);
  return Array.from({ length: count }, (_, i) => last - (count - 1 - i) * size);
}

export function prepareOverview(input: { triggers: string[]; inferences: TriggerInferences[]; fits: FitPoint[]; now: number; minutes: number; bucketMinutes?: number }): Overview {
  const bucketMinutes = input.bucketMinutes ?? bucketMinutesFor(input.minutes);
  const size = bucketMinutes * MINUTE;
  const starts = bucketStarts(input.now, input.minutes, bucketMinutes);
  const from = starts[0]!;
  const end = starts[starts.length - 1]! + size;
  const slot = (at: number) => (at < from || at >= end ? -1 : Math.floor((at - from) / size));
  const byTrigger = new Map(input.inferences.map((i) => [i.trigger, i]));
  const triggers = input.triggers.map((trigger): TriggerSeries => {
    const inferred = starts.map((): InferenceBucket | null => null);
    const durations = starts.map(() => [] as number[]);
    const fits = starts.map(() => 0);
    const failures = starts.map(() => 0);
    const allDurations: number[] = [];
    const own = byTrigger.get(trigger);
    for (const b of own?.buckets ?? []) {
      const i = slot(b.t);
      if (i >= 0) inferred[i] = b;
    }
    for (const f of input.fits) {
      if (f.trigger !== trigger) continue;
      const i = slot(f.at);
      if (i < 0) continue;
      fits[i]!++;
      if (f.status === "failed") failures[i]!++;
      if (f.durationMs !== null && Number.isFinite(f.durationMs)) {
        durations[i]!.push(f.durationMs);
        allDurations.push(f.durationMs);
      }
    }
    const series = starts.map((t, i): MinutePoint => {
      const b = inferred[i];
      const d = sortedNumbers(durations[i]!);
      return {
        t: new Date(t),
        inferences: b?.inferences ?? 0,
        errors: b?.errors ?? 0,
        latencyP50: b?.latencyP50 ?? null,
        latencyP99: b?.latencyP99 ?? null,
        fits: fits[i]!,
        fitFailures: failures[i]!,
        fitDurationP50: percentile(d, 50),
        fitDurationMax: d.length ? d[d.length - 1]! : null,
      };
    });
    const d = sortedNumbers(allDurations);
    return {
      trigger,
      series,
      totals: {
        inferences: own?.totals.inferences ?? 0,
        errors: own?.totals.errors ?? 0,
        latencyP50: own?.totals.latencyP50 ?? null,
        latencyP99: own?.totals.latencyP99 ?? null,
        fits: fits.reduce((a, b) => a + b, 0),
        fitFailures: failures.reduce((a, b) => a + b, 0),
        fitDurationP50: percentile(d, 50),
      },
    };
  });
  return { from: new Date(from), to: new Date(end), minutes: input.minutes, bucketMinutes, triggers };
}

/** Latency summary of a trigger's recent inferences (triggers.list). */
export function latencySummary(latencies: number[]): { sample: number; p50: number | null; p99: number | null } {
  const sorted = sortedNumbers(latencies);
  return { sample: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

/** Fit rate over a window: finished runs per minute and the share that succeeded. */
export function fitRate(counts: { status: string; n: number }[], windowMinutes: number): { windowMinutes: number; succeeded: number; failed: number; perMinute: number; successRate: number | null } {
  const succeeded = counts.filter((c) => c.status === "succeeded").reduce((a, c) => a + c.n, 0);
  const failed = counts.filter((c) => c.status === "failed").reduce((a, c) => a + c.n, 0);
  const done = succeeded + failed;
  return { windowMinutes, succeeded, failed, perMinute: done / windowMinutes, successRate: done ? succeeded / done : null };
}
