// Labeled inferences of a trigger for export, one page at a time: each labeled inference once,
// with its input, output and latest label (a relabel replaces the earlier one). Pages walk
// the trigger's inferences by id, oldest first, so an export started during labeling still
// ends; filters apply to the latest label.
import { decodeJson, selectAll, storage, toDate, toNum, type Provider, type Query } from "@motion/db";
import { readScores } from "../review-queue/score-store.ts";

export interface LabelExportQuery {
  trigger: string;
  label?: "good" | "bad";
  /** Latest label given by this actor. */
  actor?: string;
  version?: number;
  /** Latest label given at or after / before these times. */
  from?: Date;
  to?: Date;
  cursor?: string | null;
  /** Labeled inferences looked at per page (the page may return fewer after filters). */
  limit: number;
}

export interface ExportedLabel {
  inferenceId: string;
  rowId: string;
  relation: string;
  route: string;
  stateVersion: number;
  input: unknown;
  output: unknown;
  label: "good" | "bad";
  correction: unknown;
  note: string | null;
  actor: string;
  labeledAt: Date;
  /** How many times the inference was labeled (the latest counts). */
  labels: number;
  /** The latest value of each score the inference was given, by name. */
  scores: Record<string, number | string>;
}

// The labeled flag (kept with every label and row deletion) puts a page on the trigger's
// (trigger, labeled, id) index: a trigger with 20 labels among 1M inferences used to walk all
// of them to fill one page.
export function* readLabelPage(provider: Provider, q: LabelExportQuery): Query<{ items: ExportedLabel[]; nextCursor: string | null }> {
  let page = storage.selectFrom("Inference as i").innerJoin("Row as r", "r.id", "i.rowId")
    .select(["i.id", "i.rowId", "i.relation", "i.route", "i.stateVersion", "i.output", "r.data as input"])
    .where("i.trigger", "=", q.trigger).where("i.labeled", "=", true).where("i.id", ">", q.cursor ?? "");
  if (q.version !== undefined) page = page.where("i.stateVersion", "=", q.version);
  const inferences = yield* selectAll(
    page.where((eb) => eb.exists(eb.selectFrom("Feedback as f").select(eb.lit(1).as("one")).whereRef("f.inferenceId", "=", "i.id"))).orderBy("i.id").limit(q.limit + 1),
  );
  const more = inferences.length > q.limit;
  const pageRows = inferences.slice(0, q.limit);
  const ids = pageRows.map((i) => i.id);
  const labels = ids.length
    ? yield* selectAll(storage.selectFrom("Feedback").select(["inferenceId", "label", "correction", "note", "actor", "createdAt"]).where("inferenceId", "in", ids).orderBy("id"))
    : [];
  const latest = new Map<string, { row: (typeof labels)[number]; count: number }>();
  for (const l of labels) latest.set(l.inferenceId, { row: l, count: (latest.get(l.inferenceId)?.count ?? 0) + 1 }); // by id: the last wins
  const scores = yield* readScores(provider, ids);
  const items: ExportedLabel[] = [];
  for (const i of pageRows) {
    const l = latest.get(i.id);
    if (!l) continue; // its labels were deleted between the two reads
    const labeledAt = toDate(l.row.createdAt);
    const item: ExportedLabel = {
      inferenceId: i.id, rowId: i.rowId, relation: i.relation, route: i.route, stateVersion: toNum(i.stateVersion),
      input: decodeJson(provider, i.input), output: decodeJson(provider, i.output),
      label: l.row.label as "good" | "bad", correction: decodeJson(provider, l.row.correction), note: l.row.note ?? null, actor: l.row.actor,
      labeledAt, labels: l.count,
      scores: Object.fromEntries(Object.entries(scores.get(i.id) ?? {}).map(([name, s]) => [name, s.value])),
    };
    if (q.label && item.label !== q.label) continue;
    if (q.actor && item.actor !== q.actor) continue;
    if (q.from && labeledAt < q.from) continue;
    if (q.to && labeledAt >= q.to) continue;
    items.push(item);
  }
  return { items, nextCursor: more ? (pageRows.at(-1)!.id as string) : null };
}
