import { selectAll, storage, type Query } from "@motion/db";

// Stored rows per relation, as kept in RelationRowCount by the transactions that insert rows
// (`insertIngest`) and delete them (row deletion, retention): the console's row counts read a
// few tally rows instead of counting a relation (a COUNT of a 1M-row relation took 150 ms).

/** Stored rows per relation (relations without rows are left out). */
export function* readRelationRows(relations: readonly string[]): Query<Map<string, number>> {
  if (relations.length === 0) return new Map();
  const counts = yield* selectAll(storage.selectFrom("RelationRowCount").select((eb) => ["relation", eb.fn.sum("rows").as("n")]).where("relation", "in", [...relations]).groupBy("relation"));
  return new Map(counts.filter((c) => Number(c.n) > 0).map((c) => [c.relation, Number(c.n)]));
}
