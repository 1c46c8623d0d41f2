// Searching inferences the way an operator looks for them: text in the question or the answer,
// plus filters (trigger, relation, version, label, who labeled, latency, errors). Newest
// first, keyset on id.
//
// Text search is a bounded scan, not an index: each call looks at most `SCAN_WINDOW` of the
// inferences that pass the other filters (newest first) and says how far back it searched, so
// a rare term on a million inferences costs a few pages of clicks, never a query that holds
// the database for seconds. Matching is case-insensitive (ASCII on SQLite) on the JSON text of
// the row's data and the output.
import { all, decodeJson, get, toBool, toDate, toNum, type Provider, type Query } from "@motion/db";
import type { InferenceResult } from "../motion.ts";
import { readScores, type GivenScore } from "../review-queue/score-store.ts";

export const SCAN_WINDOW = 10_000;

export interface InferenceSearch {
  trigger?: string;
  relation?: string;
  version?: number;
  /** true: with at least one label; false: without any. */
  labeled?: boolean;
  /** Inferences with a label of this value (any labeler). */
  label?: "good" | "bad";
  /** Inferences labeled by this actor (user e-mail or API key name). */
  labeledBy?: string;
  minLatencyMs?: number;
  maxLatencyMs?: number;
  /** true: only failed infers; false: only successful ones. */
  errors?: boolean;
  /** Text in the row's data or in the output. */
  text?: string;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null;
  limit: number;
  /** How many inferences one text search looks at (default SCAN_WINDOW). */
  scanWindow?: number;
}

export interface InferenceFeedback {
  id: string;
  inferenceId: string;
  label: "good" | "bad";
  correction: unknown;
  note: string | null;
  actor: string;
  createdAt: Date;
}

/** A stored inference: what `add` returned for it, with its row, relation and time. */
export interface InferenceRecord extends InferenceResult {
  rowId: string;
  relation: string;
  createdAt: Date;
}

export interface InferenceWithDetails extends InferenceRecord {
  /** The row's data (what infer was asked). */
  input: unknown;
  feedback: InferenceFeedback[];
  /** The latest value of each declared score given to this inference, by name. */
  scores: Record<string, GivenScore>;
}

export interface InferencePage {
  items: InferenceWithDetails[];
  nextCursor: string | null;
  /**
   * Text searches only: the creation time of the oldest inference looked at, when the scan
   * stopped at its window before the end (older ones are searched by the next page); else null.
   */
  searchedBack: Date | null;
}

const marks = (n: number) => new Array(n).fill("?").join(", ");

export function inferenceRecord(i: Record<string, unknown>, provider: Provider): InferenceRecord {
  return {
    id: i.id as string,
    rowId: i.rowId as string,
    relation: i.relation as string,
    trigger: i.trigger as string,
    route: i.route as string,
    output: decodeJson(provider, i.output),
    error: (i.error as string | null) ?? null,
    stateVersion: toNum(i.stateVersion),
    paramsHash: i.paramsHash as string,
    cached: toBool(i.cached),
    latencyMs: toNum(i.latencyMs),
    createdAt: toDate(i.createdAt),
  };
}

export function inferenceFeedback(f: Record<string, unknown>, provider: Provider): InferenceFeedback {
  return {
    id: f.id as string,
    inferenceId: f.inferenceId as string,
    label: f.label as "good" | "bad",
    correction: decodeJson(provider, f.correction),
    note: (f.note as string | null) ?? null,
    actor: f.actor as string,
    createdAt: toDate(f.createdAt),
  };
}

/** Inputs (row data) and feedback of a page of inferences, in two indexed queries. */
export function* withDetails(provider: Provider, rows: Record<string, unknown>[]): Query<InferenceWithDetails[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id as string);
  const rowIds = [...new Set(rows.map((r) => r.rowId as string))];
  const inputs = yield* all<{ id: string; data: unknown }>(`SELECT "id", "data" FROM "Row" WHERE "id" IN (${marks(rowIds.length)})`, rowIds);
  const feedback = yield* all<Record<string, unknown>>(`SELECT * FROM "Feedback" WHERE "inferenceId" IN (${marks(ids.length)}) ORDER BY "id"`, ids);
  const scores = yield* readScores(provider, ids);
  const inputById = new Map(inputs.map((r) => [r.id, decodeJson(provider, r.data)]));
  const byInference = new Map<string, InferenceFeedback[]>();
  for (const f of feedback) {
    const item = inferenceFeedback(f, provider);
    const list = byInference.get(item.inferenceId);
    if (list) list.push(item);
    else byInference.set(item.inferenceId, [item]);
  }
  return rows.map((r) => ({ ...inferenceRecord(r, provider), input: inputById.get(r.rowId as string) ?? null, feedback: byInference.get(r.id as string) ?? [], scores: scores.get(r.id as string) ?? {} }));
}

/** `%text%` for LIKE with `\` as the escape character. */
function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * The SQL of a filtered page without text search or label-value filters (the Review page's
 * "all" and "unlabeled" lists): exported so a test can check its plan uses an index.
 */
export function inferencePageQuery(search: InferenceSearch): { sql: string; params: unknown[] } {
  const { where, params } = filterClauses(search);
  return { sql: `SELECT i.* FROM "Inference" i ${where} ORDER BY i."id" DESC LIMIT ?`, params: [...params, search.limit + 1] };
}

function filterClauses(search: InferenceSearch): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, ...values: unknown[]) => {
    clauses.push(clause);
    params.push(...values);
  };
  if (search.trigger !== undefined) add(`i."trigger" = ?`, search.trigger);
  if (search.relation !== undefined) add(`i."relation" = ?`, search.relation);
  if (search.version !== undefined) add(`i."stateVersion" = ?`, search.version);
  if (search.cursor) add(`i."id" < ?`, search.cursor);
  if (search.minLatencyMs !== undefined) add(`i."latencyMs" >= ?`, search.minLatencyMs);
  if (search.maxLatencyMs !== undefined) add(`i."latencyMs" <= ?`, search.maxLatencyMs);
  if (search.errors === true) add(`i."error" IS NOT NULL`);
  if (search.errors === false) add(`i."error" IS NULL`);
  // The maintained flag (index Inference(trigger, labeled, id)): an "unlabeled" page is a range
  // of that index, however many labeled inferences sit between the unlabeled ones.
  if (search.labeled === true) add(`i."labeled" = TRUE`);
  if (search.labeled === false) add(`i."labeled" = FALSE`);
  if (search.label) add(`EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id" AND f."label" = ?)`, search.label);
  if (search.labeledBy) add(`EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id" AND f."actor" = ?)`, search.labeledBy);
  return { where: clauses.length ? `WHERE ${clauses.join(" AND ")}` : "", params };
}

export function* searchInferences(provider: Provider, search: InferenceSearch): Query<InferencePage> {
  const { where, params } = filterClauses(search);
  const text = search.text?.trim();

  if (!text && (search.label || search.labeledBy)) return yield* labeledPage(provider, search, where, params);
  if (!text) {
    const page = inferencePageQuery(search);
    const rows = yield* all<Record<string, unknown>>(page.sql, page.params);
    const more = rows.length > search.limit;
    const items = yield* withDetails(provider, rows.slice(0, search.limit));
    return { items, nextCursor: more ? items.at(-1)!.id : null, searchedBack: null };
  }

  // The window: the newest SCAN_WINDOW inferences passing the filters; the text test runs on those only.
  const size = Math.max(1, Math.floor(search.scanWindow ?? SCAN_WINDOW));
  const window = `SELECT i."id" FROM "Inference" i ${where} ORDER BY i."id" DESC LIMIT ${size}`;
  const like = provider === "postgresql" ? "ILIKE" : "LIKE";
  const asText = (column: string) => (provider === "postgresql" ? `${column}::text` : column);
  const pattern = likePattern(text);
  const rows = yield* all<Record<string, unknown>>(
    `SELECT i.* FROM "Inference" i JOIN "Row" r ON r."id" = i."rowId"
     WHERE i."id" IN (${window}) AND (${asText(`i."output"`)} ${like} ? ESCAPE '\\' OR ${asText(`r."data"`)} ${like} ? ESCAPE '\\')
     ORDER BY i."id" DESC LIMIT ?`,
    [...params, pattern, pattern, search.limit + 1],
  );
  const items = yield* withDetails(provider, rows.slice(0, search.limit));
  if (rows.length > search.limit) return { items, nextCursor: items.at(-1)!.id, searchedBack: null };
  // Fewer matches than a page: the window is searched through. If it was full, older inferences
  // remain: continue below its oldest id.
  const edge = yield* get<{ id: string | null; n: unknown }>(`SELECT MIN(w."id") AS "id", COUNT(*) AS "n" FROM (${window}) w`, params);
  if (!edge?.id || toNum(edge.n) < size) return { items, nextCursor: null, searchedBack: null };
  const oldest = yield* get<{ createdAt: unknown }>(`SELECT "createdAt" FROM "Inference" WHERE "id" = ?`, [edge.id]);
  return { items, nextCursor: edge.id, searchedBack: oldest ? toDate(oldest.createdAt) : null };
}

/** Labeled inferences walked per step when a label filter drives the page. */
const LABEL_STEP = 500;

/**
 * Label filters are selective (few of a million inferences carry a label): walk the labels by
 * inference id (the Feedback index) instead of the inferences, so a page costs the labels it
 * passes over, not the whole table. Each step takes the next labeled ids, then applies every
 * filter (the EXISTS clauses included) to just those.
 */
function* labeledPage(provider: Provider, search: InferenceSearch, where: string, params: unknown[]): Query<InferencePage> {
  const conditions: string[] = [];
  const values: unknown[] = [];
  if (search.label) {
    conditions.push(`f."label" = ?`);
    values.push(search.label);
  }
  if (search.labeledBy) {
    conditions.push(`f."actor" = ?`);
    values.push(search.labeledBy);
  }
  const found: Record<string, unknown>[] = [];
  let below = search.cursor ?? null;
  for (;;) {
    const step = yield* all<{ inferenceId: string }>(
      `SELECT DISTINCT f."inferenceId" FROM "Feedback" f WHERE ${[...conditions, ...(below ? [`f."inferenceId" < ?`] : []), "1 = 1"].join(" AND ")} ORDER BY f."inferenceId" DESC LIMIT ${LABEL_STEP}`,
      [...values, ...(below ? [below] : [])],
    );
    if (step.length) {
      const ids = step.map((s) => s.inferenceId);
      const rows = yield* all<Record<string, unknown>>(
        `SELECT i.* FROM "Inference" i ${where ? `${where} AND` : "WHERE"} i."id" IN (${marks(ids.length)}) ORDER BY i."id" DESC`,
        [...params, ...ids],
      );
      found.push(...rows);
      below = ids.at(-1)!;
    }
    if (found.length > search.limit || step.length < LABEL_STEP) break;
  }
  const more = found.length > search.limit;
  const items = yield* withDetails(provider, found.slice(0, search.limit));
  return { items, nextCursor: more ? items.at(-1)!.id : null, searchedBack: null };
}
