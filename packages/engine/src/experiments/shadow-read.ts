import { all, decodeJson, toDate, type Provider, type Query } from "@motion/db";
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

const text = (provider: Provider, v: unknown): string | null => (v === null || v === undefined ? null : provider === "postgresql" ? JSON.stringify(v) : String(v));

/** Newest first, keyset on the shadow inference id; `differs` keeps rows whose two answers differ. */
export function* readShadowRows(provider: Provider, q: { trigger: string; version?: number; differsOnly: boolean; cursor?: string | null; limit: number }): Query<{ items: ShadowRow[]; nextCursor: string | null }> {
  const where = [`s."trigger" = ?`];
  const args: unknown[] = [q.trigger];
  const add = (sql: string, value: unknown) => {
    where.push(sql);
    args.push(value);
  };
  if (q.version !== undefined) add(`s."stateVersion" = ?`, q.version);
  if (q.differsOnly) add(`s."differs" = ?`, true);
  if (q.cursor) add(`s."id" < ?`, q.cursor);
  const rows = yield* all<Record<string, unknown>>(
    `SELECT s."id", s."rowId", s."route", s."createdAt", s."stateVersion", s."baseVersion", s."output" AS "shadowOutput", s."error" AS "shadowError", s."differs",
            i."id" AS "inferenceId", i."output" AS "primaryOutput", i."error" AS "primaryError", r."data" AS "input",
            (SELECT f."label" FROM "Feedback" f WHERE f."inferenceId" = s."inferenceId" ORDER BY f."id" DESC LIMIT 1) AS "label",
            (SELECT f."correction" FROM "Feedback" f WHERE f."inferenceId" = s."inferenceId" ORDER BY f."id" DESC LIMIT 1) AS "correction"
     FROM "ShadowInference" s JOIN "Inference" i ON i."id" = s."inferenceId" LEFT JOIN "Row" r ON r."id" = s."rowId"
     WHERE ${where.join(" AND ")} ORDER BY s."id" DESC LIMIT ?`,
    [...args, q.limit + 1],
  );
  const more = rows.length > q.limit;
  const items = rows.slice(0, q.limit).map((r): ShadowRow => {
    const shadowJson = text(provider, r.shadowOutput);
    const primaryJson = text(provider, r.primaryOutput);
    const correctionJson = text(provider, r.correction);
    const label = (r.label as "good" | "bad" | null) ?? null;
    const primary = decodeJson(provider, r.primaryOutput);
    const shadow = decodeJson(provider, r.shadowOutput);
    return {
      id: r.id as string, rowId: r.rowId as string, route: r.route as string, createdAt: toDate(r.createdAt),
      input: r.input === null || r.input === undefined ? null : decodeJson(provider, r.input),
      active: {
        inferenceId: r.inferenceId as string, version: Number(r.baseVersion), output: primary, error: (r.primaryError as string | null) ?? null,
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
  const rows = yield* all<Record<string, unknown>>(
    `SELECT s."output" AS "shadowOutput", s."differs", i."output" AS "primaryOutput",
            (SELECT f."label" FROM "Feedback" f WHERE f."inferenceId" = s."inferenceId" ORDER BY f."id" DESC LIMIT 1) AS "label",
            (SELECT f."correction" FROM "Feedback" f WHERE f."inferenceId" = s."inferenceId" ORDER BY f."id" DESC LIMIT 1) AS "correction"
     FROM (SELECT * FROM "ShadowInference" WHERE "trigger" = ? AND "stateVersion" = ? ORDER BY "id" DESC LIMIT ?) s JOIN "Inference" i ON i."id" = s."inferenceId"`,
    [trigger, version, scan],
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
