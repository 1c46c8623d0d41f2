// Pure helpers of the "delete rows older than…" dialog (unit-tested).

export interface PurgeTotals {
  rows: number;
  inferences: number;
  feedback: number;
  keptPending: number;
}

/** Sums the reports of successive rows.purge calls; kept rows are those of the last call. */
export function addPurgeReports(sum: PurgeTotals | null, report: PurgeTotals): PurgeTotals {
  return {
    rows: (sum?.rows ?? 0) + report.rows,
    inferences: (sum?.inferences ?? 0) + report.inferences,
    feedback: (sum?.feedback ?? 0) + report.feedback,
    keptPending: report.keptPending,
  };
}

/** A datetime-local value (`YYYY-MM-DDTHH:mm`, local time) for `date`. */
export function toLocalInput(date: Date): string {
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
}

/** The cut-off the dialog suggests: the relation's retention window, else 30 days ago. */
export function defaultPurgeCutoff(now: Date, retentionDays: number | null): string {
  return toLocalInput(new Date(now.getTime() - (retentionDays ?? 30) * 86_400_000));
}

export type ParsedCutoff = { ok: true; date: Date } | { ok: false; message: string };

/** Reads the datetime-local input: a valid time, not in the future. */
export function parseLocalCutoff(value: string, now: Date): ParsedCutoff {
  if (!value) return { ok: false, message: "Pick a date and time." };
  const date = new Date(value);
  if (!Number.isFinite(date.getTime())) return { ok: false, message: "Not a valid date and time." };
  if (date.getTime() > now.getTime()) return { ok: false, message: "The cut-off must not be in the future." };
  return { ok: true, date };
}
