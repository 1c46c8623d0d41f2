// Stored scores: one row per given value (who and when), the latest per inference and name
// counts. Reads are by inference id (indexed), a page at a time.
import { decodeJson, execute, newId, prepare, storage, toDate, type Provider, type Query } from "@motion/db";

export interface GivenScore {
  value: number | string;
  actor: string;
  createdAt: Date;
}

/** Score name -> latest value of each of these inferences (cleared scores left out). */
export type ScoresById = Map<string, Record<string, GivenScore>>;

export function* writeScores(inferenceId: string, trigger: string, values: Record<string, unknown>, actor: string, now: Date): Query<void> {
  for (const [name, value] of Object.entries(values)) {
    yield* execute(storage.insertInto("InferenceScore").values({ id: newId(), inferenceId, trigger, name, value: JSON.stringify(value), actor, createdAt: now }));
  }
}

// Read with every page of inferences: compiled once per list length.
const SCORES_OF = prepare((ids: string[]) => storage.selectFrom("InferenceScore").select(["inferenceId", "name", "value", "actor", "createdAt"]).where("inferenceId", "in", ids).orderBy("id"));

export function* readScores(provider: Provider, inferenceIds: readonly string[]): Query<ScoresById> {
  const out: ScoresById = new Map();
  if (inferenceIds.length === 0) return out;
  const rows = yield* SCORES_OF.all([...inferenceIds]);
  for (const r of rows) {
    const id = r.inferenceId as string;
    const scores = out.get(id) ?? out.set(id, {}).get(id)!;
    const value = decodeJson(provider, r.value) as number | string | null;
    // By id: the last given value wins; null clears it.
    if (value === null) delete scores[r.name as string];
    else scores[r.name as string] = { value, actor: r.actor as string, createdAt: toDate(r.createdAt) };
  }
  return out;
}
