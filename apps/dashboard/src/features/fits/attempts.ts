// A fit run's history as one timeline: each failed attempt, each operator's retry, and how the
// run ended (or that it is still queued / running), oldest first. Pure, so it is unit-tested.

export interface LogEntryLike {
  at: number;
  level: "debug" | "info" | "warn" | "error";
  msg: string;
  data?: unknown;
}

export interface LogsLike {
  entries: LogEntryLike[];
  dropped: number;
}

export interface RunHistoryInput {
  status: string;
  deadLettered: boolean;
  attempts: number;
  maxAttempts: number;
  finishedAt: Date | string | null;
  startedAt: Date | string | null;
  durationMs: number | null;
  producedVersion: number | null;
  logs: LogsLike | null;
  failedAttempts: {
    id: string;
    attempt: number;
    outcome: "failed" | "timeout" | "died";
    error: string;
    errorStack: string | null;
    logs: LogsLike | null;
    owner: string | null;
    durationMs: number | null;
    at: Date | string;
  }[];
  retries: { actor: string; reason: string | null; at: Date | string }[];
}

export type TimelineItem =
  | { kind: "failed"; key: string; at: Date; attempt: number; outcome: "failed" | "timeout" | "died"; error: string; errorStack: string | null; logs: LogsLike | null; owner: string | null; durationMs: number | null }
  | { kind: "retry"; key: string; at: Date; actor: string; reason: string | null }
  | { kind: "succeeded"; key: string; at: Date; attempt: number; durationMs: number | null; producedVersion: number | null; logs: LogsLike | null }
  | { kind: "pending"; key: string; at: Date | null; status: string; attempt: number; maxAttempts: number };

const OUTCOME_LABEL = { failed: "threw", timeout: "timed out", died: "its process died" } as const;

export function outcomeLabel(outcome: "failed" | "timeout" | "died"): string {
  return OUTCOME_LABEL[outcome];
}

export function runTimeline(run: RunHistoryInput): TimelineItem[] {
  const items: TimelineItem[] = [
    ...run.failedAttempts.map((a): TimelineItem => ({ kind: "failed", key: `a:${a.id}`, at: new Date(a.at), attempt: a.attempt, outcome: a.outcome, error: a.error, errorStack: a.errorStack, logs: a.logs, owner: a.owner, durationMs: a.durationMs })),
    ...run.retries.map((r, i): TimelineItem => ({ kind: "retry", key: `r:${i}:${new Date(r.at).getTime()}`, at: new Date(r.at), actor: r.actor, reason: r.reason })),
  ];
  // Same instant: the failure before the retry it prompted.
  items.sort((x, y) => x.at!.getTime() - y.at!.getTime() || (x.kind === "failed" ? -1 : 1));
  if (run.status === "succeeded") {
    items.push({ kind: "succeeded", key: "end", at: new Date(run.finishedAt ?? Date.now()), attempt: run.attempts, durationMs: run.durationMs, producedVersion: run.producedVersion, logs: run.logs });
  } else if (run.status === "queued" || run.status === "running") {
    items.push({ kind: "pending", key: "end", at: run.startedAt ? new Date(run.startedAt) : null, status: run.status, attempt: run.status === "running" ? run.attempts : run.attempts + 1, maxAttempts: run.maxAttempts });
  }
  return items;
}

/** "3 info · 1 warn" for a collapsed log; empty for no logs. */
export function logSummary(logs: LogsLike | null): string {
  if (!logs) return "";
  const counts = new Map<string, number>();
  for (const e of logs.entries) counts.set(e.level, (counts.get(e.level) ?? 0) + 1);
  const parts = (["error", "warn", "info", "debug"] as const).filter((l) => counts.has(l)).map((l) => `${counts.get(l)} ${l}`);
  if (logs.dropped) parts.push(`${logs.dropped} more not kept`);
  return parts.join(" · ");
}
