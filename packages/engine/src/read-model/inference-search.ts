// Searching inferences the way an operator looks for them: text in the question or the answer,
// plus filters (trigger, relation, version, label, who labeled, latency, errors). Newest
// first, keyset on id.
//
// Text search is a bounded scan, not an index: each call looks at most `SCAN_WINDOW` of the
// inferences that pass the other filters (newest first) and says how far back it searched, so
// a rare term on a million inferences costs a few pages of clicks, never a query that holds
// the database for seconds. Matching is case-insensitive (ASCII on SQLite) on the JSON text of
// the row's data and the output.
import { decodeJson, prepare, selectAll, selectFirst, sql, storage, toBool, toDate, toNum, type Compilable, type Expression, type Prepared, type Provider, type Query } from "@motion/db";
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

// Every page of inferences reads these (50 ids a page): compiled once per list length.
const ROW_DATA = prepare((ids: string[]) => storage.selectFrom("Row").select(["id", "data"]).where("id", "in", ids));
const LABELS_OF = prepare((ids: string[]) => storage.selectFrom("Feedback").selectAll().where("inferenceId", "in", ids).orderBy("id"));

/** Inputs (row data) and feedback of a page of inferences, in two indexed queries. */
export function* withDetails(provider: Provider, rows: Record<string, unknown>[]): Query<InferenceWithDetails[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id as string);
  const rowIds = [...new Set(rows.map((r) => r.rowId as string))];
  const inputs = yield* ROW_DATA.all(rowIds);
  const feedback = yield* LABELS_OF.all(ids);
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
  const { sql, parameters } = newestFirst(filtered(search), search.limit + 1).compile();
  return { sql, params: [...parameters] };
}

/** A page of filtered inferences, newest first. */
const newestFirst = (q: ReturnType<typeof filtered>, limit: number) => q.selectAll("i").orderBy("i.id", "desc").limit(limit);

/** The filters `filtered` reads, in a fixed order. */
const FILTER_KEYS = ["trigger", "relation", "version", "cursor", "minLatencyMs", "maxLatencyMs", "errors", "labeled", "label", "labeledBy"] as const;

/**
 * A search's filters as a statement shape (which are set; booleans by value, as they change the
 * SQL) and the values that shape binds, so a page's statement is compiled once per shape.
 */
function shapeOf(search: InferenceSearch): { key: string; names: (typeof FILTER_KEYS)[number][]; values: unknown[] } {
  let key = "";
  const names: (typeof FILTER_KEYS)[number][] = [];
  const values: unknown[] = [];
  for (const name of FILTER_KEYS) {
    const v = search[name];
    if (v === undefined || v === null || v === "") key += "-";
    else if (typeof v === "boolean") key += v ? "t" : "f";
    else {
      key += "v";
      names.push(name);
      values.push(v);
    }
  }
  return { key, names, values };
}

type InferenceRow = Record<string, unknown> & { id: string };
const byShape = new Map<string, Prepared<[unknown[], unknown], InferenceRow>>();

/**
 * Runs `finish(filtered(search), extra)` as a statement prepared for the search's shape: the
 * filters' values and `extra` (the limit, or a step's ids) are bound, not rebuilt per call.
 */
function* shaped(search: InferenceSearch, kind: string, extra: unknown, finish: (q: ReturnType<typeof filtered>, extra: never) => Compilable<InferenceRow>): Query<InferenceRow[]> {
  const { key, names, values } = shapeOf(search);
  const id = `${kind}:${key}`;
  let statement = byShape.get(id);
  if (!statement) {
    if (byShape.size > 512) byShape.clear(); // shapes are few; a bound, not a cache policy
    const base = search;
    statement = prepare((stand: unknown[], more: unknown) => finish(filtered({ ...base, ...Object.fromEntries(names.map((n, j) => [n, stand[j]])) } as InferenceSearch), more as never));
    byShape.set(id, statement);
  }
  return yield* statement.all(values, extra);
}

/** Inferences (as `i`) passing the search's filters, text search and ordering aside. */
function filtered(search: InferenceSearch) {
  let q = storage.selectFrom("Inference as i");
  if (search.trigger !== undefined) q = q.where("i.trigger", "=", search.trigger);
  if (search.relation !== undefined) q = q.where("i.relation", "=", search.relation);
  if (search.version !== undefined) q = q.where("i.stateVersion", "=", search.version);
  if (search.cursor) q = q.where("i.id", "<", search.cursor);
  if (search.minLatencyMs !== undefined) q = q.where("i.latencyMs", ">=", search.minLatencyMs);
  if (search.maxLatencyMs !== undefined) q = q.where("i.latencyMs", "<=", search.maxLatencyMs);
  if (search.errors === true) q = q.where("i.error", "is not", null);
  if (search.errors === false) q = q.where("i.error", "is", null);
  // The maintained flag (index Inference(trigger, labeled, id)): an "unlabeled" page is a range
  // of that index, however many labeled inferences sit between the unlabeled ones.
  if (search.labeled === true) q = q.where("i.labeled", "=", true);
  if (search.labeled === false) q = q.where("i.labeled", "=", false);
  const labelOf = (inferenceId: Expression<string>) => storage.selectFrom("Feedback as f").select(sql.lit(1).as("one")).where("f.inferenceId", "=", inferenceId);
  if (search.label) q = q.where((eb) => eb.exists(labelOf(eb.ref("i.id")).where("f.label", "=", search.label!)));
  if (search.labeledBy) q = q.where((eb) => eb.exists(labelOf(eb.ref("i.id")).where("f.actor", "=", search.labeledBy!)));
  return q;
}

export function* searchInferences(provider: Provider, search: InferenceSearch): Query<InferencePage> {
  const text = search.text?.trim();

  if (!text && (search.label || search.labeledBy)) return yield* labeledPage(provider, search);
  if (!text) {
    const rows = yield* shaped(search, "page", search.limit + 1, newestFirst);
    const more = rows.length > search.limit;
    const items = yield* withDetails(provider, rows.slice(0, search.limit));
    return { items, nextCursor: more ? items.at(-1)!.id : null, searchedBack: null };
  }

  // The window: the newest SCAN_WINDOW inferences passing the filters; the text test runs on those only.
  const size = Math.max(1, Math.floor(search.scanWindow ?? SCAN_WINDOW));
  const window = () => filtered(search).select("i.id").orderBy("i.id", "desc").limit(size);
  const pattern = likePattern(text);
  const matches = (column: "i.output" | "r.data") =>
    provider === "postgresql" ? sql<boolean>`${sql.ref(column)}::text ILIKE ${pattern} ESCAPE '\\'` : sql<boolean>`${sql.ref(column)} LIKE ${pattern} ESCAPE '\\'`;
  const rows = yield* selectAll(
    storage.selectFrom("Inference as i").innerJoin("Row as r", "r.id", "i.rowId").selectAll("i")
      .where("i.id", "in", window()).where((eb) => eb.or([matches("i.output"), matches("r.data")]))
      .orderBy("i.id", "desc").limit(search.limit + 1),
  );
  const items = yield* withDetails(provider, rows.slice(0, search.limit));
  if (rows.length > search.limit) return { items, nextCursor: items.at(-1)!.id, searchedBack: null };
  // Fewer matches than a page: the window is searched through. If it was full, older inferences
  // remain: continue below its oldest id.
  const edge = yield* selectFirst(storage.selectFrom(window().as("w")).select((eb) => [eb.fn.min("w.id").as("id"), eb.fn.countAll().as("n")]));
  if (!edge?.id || toNum(edge.n) < size) return { items, nextCursor: null, searchedBack: null };
  const oldest = yield* selectFirst(storage.selectFrom("Inference").select("createdAt").where("id", "=", edge.id));
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
function* labeledPage(provider: Provider, search: InferenceSearch): Query<InferencePage> {
  const found: Record<string, unknown>[] = [];
  let below = search.cursor ?? null;
  for (;;) {
    let labels = storage.selectFrom("Feedback as f").select("f.inferenceId").distinct();
    if (search.label) labels = labels.where("f.label", "=", search.label);
    if (search.labeledBy) labels = labels.where("f.actor", "=", search.labeledBy);
    if (below) labels = labels.where("f.inferenceId", "<", below);
    const step = yield* selectAll(labels.orderBy("f.inferenceId", "desc").limit(LABEL_STEP));
    if (step.length) {
      const ids = step.map((s) => s.inferenceId);
      found.push(...(yield* shaped(search, "step", ids, (q, list: string[]) => q.selectAll("i").where("i.id", "in", list).orderBy("i.id", "desc"))));
      below = ids.at(-1)!;
    }
    if (found.length > search.limit || step.length < LABEL_STEP) break;
  }
  const more = found.length > search.limit;
  const items = yield* withDetails(provider, found.slice(0, search.limit));
  return { items, nextCursor: more ? items.at(-1)!.id : null, searchedBack: null };
}
