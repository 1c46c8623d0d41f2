// The Compare page's table of the trigger's own metrics (its `evaluate`) for two versions:
// one row per metric either version has, with the change from A to B. Pure, unit-tested.

export interface EvaluationLike {
  version: number;
  examples: number;
  metrics: Record<string, number> | null;
  error: string | null;
}

export interface EvaluationRow {
  metric: string;
  a: number | null;
  b: number | null;
  /** b − a, when both have the metric. */
  delta: number | null;
}

export function evaluationRows(a: EvaluationLike | undefined, b: EvaluationLike | undefined): EvaluationRow[] {
  const names: string[] = [];
  for (const m of [a?.metrics, b?.metrics]) for (const k of Object.keys(m ?? {})) if (!names.includes(k)) names.push(k);
  return names.map((metric) => {
    const x = a?.metrics?.[metric] ?? null;
    const y = b?.metrics?.[metric] ?? null;
    return { metric, a: x, b: y, delta: x !== null && y !== null ? y - x : null };
  });
}
