// Labeled inferences of a trigger for export, one page at a time: each labeled inference once,
// with its input, output and latest label (a relabel replaces the earlier one). Pages walk
// the trigger's inferences by id, oldest first, so an export started during labeling still
// ends; filters apply to the latest label.
import { all, decodeJson, toDate, toNum, type Provider, type Query } from "@motion/db";
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

const marks = (n: number) => new Array(n).fill("?").join(", ");

// The labeled flag (kept with every label and row deletion) puts a page on the trigger's
// (trigger, labeled, id) index: a trigger with 20 labels among 1M inferences used to walk all
// of them to fill one page.
export function* readLabelPage(provider: Provider, q: LabelExportQuery): Query<{ items: ExportedLabel[]; nextCursor: string | null }> {
  const versionClause = q.version !== undefined ? ` AND i."stateVersion" = ?` : "";
  const inferences = yield* all<Record<string, unknown>>(
    `SELECT i."id", i."rowId", i."relation", i."route", i."stateVersion", i."output", r."data" AS "input" FROM "Inference" i JOIN "Row" r ON r."id" = i."rowId"
     WHERE i."trigger" = ? AND i."labeled" = TRUE AND i."id" > ?${versionClause} AND EXISTS (SELECT 1 FROM "Feedback" f WHERE f."inferenceId" = i."id")
     ORDER BY i."id" LIMIT ?`,
    [q.trigger, q.cursor ?? "", ...(q.version !== undefined ? [q.version] : []), q.limit + 1],
  );
  const more = inferences.length > q.limit;
  const pageRows = inferences.slice(0, q.limit);
  const ids = pageRows.map((i) => i.id as string);
  const labels = ids.length
    ? yield* all<Record<string, unknown>>(`SELECT "inferenceId", "label", "correction", "note", "actor", "createdAt" FROM "Feedback" WHERE "inferenceId" IN (${marks(ids.length)}) ORDER BY "id"`, ids)
    : [];
  const latest = new Map<string, { row: Record<string, unknown>; count: number }>();
  for (const l of labels) latest.set(l.inferenceId as string, { row: l, count: (latest.get(l.inferenceId as string)?.count ?? 0) + 1 }); // by id: the last wins
  const scores = yield* readScores(provider, ids);
  const items: ExportedLabel[] = [];
  for (const i of pageRows) {
    const l = latest.get(i.id as string);
    if (!l) continue; // its labels were deleted between the two reads
    const labeledAt = toDate(l.row.createdAt);
    const item: ExportedLabel = {
      inferenceId: i.id as string, rowId: i.rowId as string, relation: i.relation as string, route: i.route as string, stateVersion: toNum(i.stateVersion),
      input: decodeJson(provider, i.input), output: decodeJson(provider, i.output),
      label: l.row.label as "good" | "bad", correction: decodeJson(provider, l.row.correction), note: (l.row.note as string | null) ?? null, actor: l.row.actor as string,
      labeledAt, labels: l.count,
      scores: Object.fromEntries(Object.entries(scores.get(i.id as string) ?? {}).map(([name, s]) => [name, s.value])),
    };
    if (q.label && item.label !== q.label) continue;
    if (q.actor && item.actor !== q.actor) continue;
    if (q.from && labeledAt < q.from) continue;
    if (q.to && labeledAt >= q.to) continue;
    items.push(item);
  }
  return { items, nextCursor: more ? (pageRows.at(-1)!.id as string) : null };
}
