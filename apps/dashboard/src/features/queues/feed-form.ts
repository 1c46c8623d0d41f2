// The create-queue form as text fields, and the `queues.create` feed they stand for. Empty
// fields are left out; numbers parse (or are sent as typed, for the API to name the field).
export interface FeedForm {
  version: string;
  labelState: "any" | "unlabeled" | "good" | "bad";
  minLatencyMs: string;
  maxLatencyMs: string;
  text: string;
  sampling: "none" | "share" | "count";
  /** Percent of the feed for "share". */
  share: string;
  count: string;
  seed: string;
  maxItems: string;
}

export const EMPTY_FEED_FORM: FeedForm = { version: "", labelState: "unlabeled", minLatencyMs: "", maxLatencyMs: "", text: "", sampling: "none", share: "10", count: "100", seed: "", maxItems: "1000" };

const num = (s: string): number | undefined => (s.trim() === "" ? undefined : Number(s));

export function feedFromForm(f: FeedForm) {
  const filter: Record<string, unknown> = {};
  if (num(f.version) !== undefined) filter.version = num(f.version);
  if (f.labelState === "unlabeled") filter.labeled = false;
  else if (f.labelState !== "any") filter.label = f.labelState;
  if (num(f.minLatencyMs) !== undefined) filter.minLatencyMs = num(f.minLatencyMs);
  if (num(f.maxLatencyMs) !== undefined) filter.maxLatencyMs = num(f.maxLatencyMs);
  if (f.text.trim()) filter.text = f.text.trim();
  const seed = f.seed.trim() || "motion";
  const sample =
    f.sampling === "share" ? { share: (num(f.share) ?? 0) / 100, seed } : f.sampling === "count" ? { count: num(f.count), seed } : undefined;
  return { filter, ...(sample ? { sample } : {}), ...(num(f.maxItems) !== undefined ? { maxItems: num(f.maxItems) } : {}) };
}

/** "a@x.com, b@x.com" -> ["a@x.com", "b@x.com"]. */
export function parseAssignees(text: string): string[] {
  return [...new Set(text.split(/[\s,;]+/).map((s) => s.trim()).filter(Boolean))];
}

/** Share of a queue's items that are no longer pending, 0..100. */
export function percentDone(p: { total: number; pending: number }): number {
  return p.total === 0 ? 0 : Math.round(((p.total - p.pending) / p.total) * 100);
}
