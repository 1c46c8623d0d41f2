import { toBool, toDate, toDateOrNull, toJsonOrNull, toNum, toNumOrNull } from "@motion/db";

/** A fit run summary from a raw row (without rowIds / params, which can be large). */
export function toFitRunLike(r: Record<string, unknown>) {
  return {
    id: r.id as string,
    trigger: r.trigger as string,
    route: r.route as string,
    relation: r.relation as string,
    status: r.status as "queued" | "running" | "succeeded" | "failed" | "superseded" | "skipped",
    rowCount: toNum(r.rowCount),
    attempts: toNum(r.attempts),
    maxAttempts: toNum(r.maxAttempts),
    baseVersion: toNumOrNull(r.baseVersion),
    producedVersion: toNumOrNull(r.producedVersion),
    error: (r.error as string | null) ?? null,
    deadLettered: toBool(r.deadLettered),
    metrics: toJsonOrNull<Record<string, number>>(r.metrics),
    queuedAt: toDate(r.queuedAt),
    startedAt: toDateOrNull(r.startedAt),
    finishedAt: toDateOrNull(r.finishedAt),
    durationMs: toNumOrNull(r.durationMs),
    /** "drift", "schedule" (a scheduled tick's run) or null. */
    reason: (r.reason as string | null | undefined) ?? null,
  };
}
