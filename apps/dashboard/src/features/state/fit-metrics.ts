/**
 * Metrics that fits report (`report({ accuracy })`), arranged across state versions: one small
 * chart per metric, x = the version the fit produced. Routes report different metrics, so a
 * metric is named by its route when two routes report the same name.
 */
export interface FitWithMetrics {
  route: string;
  producedVersion: number | null;
  metrics: Record<string, unknown> | null;
}

export interface MetricSeries {
  /** Metric name as shown (prefixed with the route only when needed). */
  name: string;
  route: string;
  points: { version: number; value: number }[];
  latest: number;
  /** Change from the previous point, null with one point. */
  change: number | null;
}

export function metricSeries(fits: readonly FitWithMetrics[], max = 12): MetricSeries[] {
  const byKey = new Map<string, { route: string; metric: string; points: Map<number, number> }>();
  const routesOf = new Map<string, Set<string>>();
  for (const f of fits) {
    if (f.producedVersion === null || !f.metrics) continue;
    for (const [metric, v] of Object.entries(f.metrics)) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      const key = `${f.route}\u0000${metric}`;
      const entry = byKey.get(key) ?? { route: f.route, metric, points: new Map() };
      entry.points.set(f.producedVersion, v);
      byKey.set(key, entry);
      routesOf.set(metric, (routesOf.get(metric) ?? new Set()).add(f.route));
    }
  }
  const out: MetricSeries[] = [];
  for (const { route, metric, points } of byKey.values()) {
    const sorted = [...points].sort((a, b) => a[0] - b[0]).map(([version, value]) => ({ version, value }));
    const latest = sorted.at(-1)!.value;
    const prev = sorted.at(-2)?.value;
    out.push({
      name: (routesOf.get(metric)?.size ?? 0) > 1 ? `${route} · ${metric}` : metric,
      route,
      points: sorted,
      latest,
      change: prev === undefined ? null : latest - prev,
    });
  }
  // Metrics seen in more versions first: those are the ones worth a trend line.
  return out.sort((a, b) => b.points.length - a.points.length || a.name.localeCompare(b.name)).slice(0, max);
}
