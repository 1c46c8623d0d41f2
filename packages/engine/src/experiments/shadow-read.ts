import { decodeJson, selectAll, storage, toDate, type Expression, type Provider, type Query } from "@motion/db";
import { wilsonInterval, type Interval } from "../outcomes/wilson.ts";
import { diffJson, type JsonDiff } from "../state-diff/json-diff.ts";

/** A label's verdict on one answer: the caller's own label, or what it implies for the shadow's. */
export type Verdict = "good" | "bad" | null;

export interface ShadowRow {
  id: string;
  rowId: string;
  route: string;
  createdAt: Date;
  input: unknown;
  active: { inferenceId: string; version: number; output: unknown; error: string | null; label: "good" | "bad" | null; correction: unknown };
  candidate: { version: number; output: unknown; error: string | null; verdict: Verdict };
  differs: boolean;
  /** A bounded structural diff from the caller's answer to the shadow's (20 changes at most). */
  diff: JsonDiff;
}

/**
 * The shadow answer gets no label of its own (nobody saw it). Its verdict is implied by the
 * caller's label on the same input: equal to a correction → good, different from it → bad;
 * equal to an output labeled good → good, to one labeled bad → bad; otherwise unknown.
 */
export function impliedVerdict(shadowJson: string | null, primaryJson: string | null, label: string | null, correctionJson: string | null): Verdict {
  if (shadowJson === null || label === null) return null;
  if (correctionJson !== null) return shadowJson === correctionJson ? "good" : "bad";
  if (shadowJson === primaryJson) return label === "good" ? "good" : "bad";
  return null;
}

/** A column of the newest label of an inference (a correlated subquery on its labels). */
function latestLabel<C extends "label" | "correction">(inferenceId: Expression<string>, column: C) {
  return storage.selectFrom("Feedback as f").select(`f.${column}` as `f.${C}`).where("f.inferenceId", "=", inferenceId).orderBy("f.id", "desc").limit(1);
}

const text = (provider: Provider, v: unknown): string | null => (v === null || v === undefined ? null : provider === "postgresql" ? JSON.stringify(v) : String(v));

/** Newest first, keyset on the shadow inference id; `differs` keeps rows whose two answers differ. */
export function* readShadowRows(provider: Provider, q: { trigger: string; version?: number; differsOnly: boolean; cursor?: string | null; limit: number }): Query<{ items: ShadowRow[]; nextCursor: string | null }> {
  let page = storage.selectFrom("ShadowInference as s").innerJoin("Inference as i", "i.id", "s.inferenceId").leftJoin("Row as r", "r.id", "s.rowId")
    .select(["s.id", "s.rowId", "s.route", "s.createdAt", "s.stateVersion", "s.baseVersion", "s.output as shadowOutput", "s.error as shadowError", "s.differs"])
    .select(["i.id as inferenceId", "i.output as primaryOutput", "i.error as primaryError", "r.data as input"])
    .select((eb) => [latestLabel(eb.ref("s.inferenceId"), "label").as("label"), latestLabel(eb.ref("s.inferenceId"), "correction").as("correction")])
    .where("s.trigger", "=", q.trigger);
  if (q.version !== undefined) page = page.where("s.stateVersion", "=", q.version);
  if (q.differsOnly) page = page.where("s.differs", "=", true);
  if (q.cursor) page = page.where("s.id", "<", q.cursor);
  const rows = yield* selectAll(page.orderBy("s.id", "desc").limit(q.limit + 1));
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r): ShadowRow => {
    const shadowJson = text(provider, r.shadowOutput);
    const primaryJson = text(provider, r.primaryOutput);
    const correctionJson = text(provider, r.correction);
    const label = (r.label as "good" | "bad" | null) ?? null;
    const primary = decodeJson(provider, r.primaryOutput);
    const shadow = decodeJson(provider, r.shadowOutput);
    return {
      id: r.id, rowId: r.rowId, route: r.route, createdAt: toDate(r.createdAt),
      input: r.input === null || r.input === undefined ? null : decodeJson(provider, r.input),
      active: {
        inferenceId: r.inferenceId, version: Number(r.baseVersion), output: primary, error: (r.primaryError as string | null) ?? null,
        label, correction: r.correction === null || r.correction === undefined ? null : decodeJson(provider, r.correction),
      },
      candidate: { version: Number(r.stateVersion), output: shadow, error: (r.shadowError as string | null) ?? null, verdict: impliedVerdict(shadowJson, primaryJson, label, correctionJson) },
      differs: r.differs === true || r.differs === 1,
      diff: diffJson(primary as Parameters<typeof diffJson>[0], shadow as Parameters<typeof diffJson>[0], { maxChanges: 20 }),
    };
  });
  return { items, nextCursor: more ? items[items.length - 1]!.id : null };
}

export interface ShadowSummary {
  version: number;
  shadowed: number;
  differing: number;
  /** Labeled inputs where the implied verdict of both answers is known. */
  judged: number;
  activeGood: number;
  candidateGood: number;
  activeGoodRate: { rate: number; interval: Interval } | null;
  candidateGoodRate: { rate: number; interval: Interval } | null;
}

/**
 * The two versions on the same inputs: how many shadowed, how many differ, and good-rates on
 * labeled inputs where both verdicts are known. Reads at most `scan` newest shadow rows of the
 * version (bounded: the index on (trigger, stateVersion, id) keeps it a range read).
 */
export function* readShadowSummary(provider: Provider, trigger: string, version: number, scan = 20_000): Query<ShadowSummary> {
  const newest = storage.selectFrom("ShadowInference").selectAll().where("trigger", "=", trigger).where("stateVersion", "=", version).orderBy("id", "desc").limit(scan);
  const rows = yield* selectAll(
    storage.selectFrom(newest.as("s")).innerJoin("Inference as i", "i.id", "s.inferenceId")
      .select(["s.output as shadowOutput", "s.differs", "i.output as primaryOutput"])
      .select((eb) => [latestLabel(eb.ref("s.inferenceId"), "label").as("label"), latestLabel(eb.ref("s.inferenceId"), "correction").as("correction")]),
  );
  let differing = 0, judged = 0, activeGood = 0, candidateGood = 0;
  for (const r of rows) {
    if (r.differs === true || r.differs === 1) differing++;
    const label = (r.label as string | null) ?? null;
    if (!label) continue;
    const primaryJson = text(provider, r.primaryOutput);
    const correctionJson = text(provider, r.correction);
    const verdict = impliedVerdict(text(provider, r.shadowOutput), primaryJson, label, correctionJson);
    if (!verdict) continue;
    judged++;
    if (label === "good") activeGood++;
    if (verdict === "good") candidateGood++;
  }
  const rate = (good: number) => (judged ? { rate: good / judged, interval: wilsonInterval(good, judged)! } : null);
  return { version, shadowed: rows.length, differing, judged, activeGood, candidateGood, activeGoodRate: rate(activeGood), candidateGoodRate: rate(candidateGood) };
}
