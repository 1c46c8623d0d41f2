// What a trigger's own `evaluate` says of each version, from the labels on the outputs that
// version served: e.g. the chatbot's hit@k of the page operators named. Read on demand from
// the labels (a long read), newest labels first, at most `limit` labeled inferences a version.
import { decodeJson, idFloor, selectAll, selectFirst, storage, toDate, type Provider, type Query } from "@motion/db";
import type { LabeledExample } from "../training-example.ts";

/** A trigger's metrics over the labeled outputs of one version; finite numbers only. */
export type EvaluateFn = (examples: LabeledExample[]) => Record<string, number>;

export interface VersionEvaluation {
  version: number;
  /** Labeled inferences the metrics were computed on (the latest label of each). */
  examples: number;
  /** What `evaluate` returned; null with no labeled examples or when it failed. */
  metrics: Record<string, number> | null;
  /** Why `evaluate` failed (it threw or returned something else than finite numbers). */
  error: string | null;
}

/** Clock skew tolerated between processes when bounding a version's inferences by its commit time. */
const CLOCK_SKEW_MS = 60 * 60_000;

/** The latest label of each labeled inference `version` served, newest labels first. */
export function* readVersionExamples(provider: Provider, trigger: string, version: number, limit: number): Query<LabeledExample[]> {
  // An inference is made with a version only once the version is committed, and its id holds
  // the time it was made (time-sortable ids): the version's labeled inferences are read off the
  // (trigger, labeled, id) index from the version's commit on, each joined to its labels. The
  // margin absorbs clock skew between the process that committed and those that served it.
  // (Walking every label newest first, of all triggers, cost 40-95 ms a version at 2,000
  // labels and grew with every label: bench console-pages-more.)
  const made = yield* selectFirst(storage.selectFrom("StateVersion").select("createdAt").where("trigger", "=", trigger).where("version", "=", version));
  const from = made ? idFloor(Math.max(0, toDate(made.createdAt).getTime() - CLOCK_SKEW_MS)) : "";
  // CROSS JOIN: SQLite never reorders one, so the inferences stay the outer loop.
  const rows = yield* selectAll(
    storage.selectFrom("Inference as i").crossJoin("Feedback as f").innerJoin("Row as r", "r.id", "i.rowId")
      .select(["f.inferenceId", "f.label", "f.correction", "f.note", "i.output", "r.data as input"])
      .where("i.trigger", "=", trigger).where("i.labeled", "=", true).where("i.id", ">=", from).where("i.stateVersion", "=", version).whereRef("f.inferenceId", "=", "i.id")
      .orderBy("f.id", "desc").limit(limit),
  );
  const seen = new Set<string>();
  const out: LabeledExample[] = [];
  for (const r of rows) {
    const id = r.inferenceId;
    if (seen.has(id)) continue; // an older label of an inference relabeled since
    seen.add(id);
    out.push({
      inferenceId: id, input: decodeJson(provider, r.input), output: decodeJson(provider, r.output),
      label: r.label as "good" | "bad", correction: decodeJson(provider, r.correction), note: r.note ?? null,
    });
  }
  return out;
}

/** Runs the trigger's `evaluate` on one version's examples; a failure is reported, not thrown. */
export function evaluateExamples(evaluate: EvaluateFn, version: number, examples: LabeledExample[]): VersionEvaluation {
  if (examples.length === 0) return { version, examples: 0, metrics: null, error: null };
  try {
    const metrics = evaluate(examples);
    if (!metrics || typeof metrics !== "object" || Array.isArray(metrics)) throw new TypeError("evaluate must return an object of metric names to numbers");
    for (const [k, v] of Object.entries(metrics)) {
      if (typeof v !== "number" || !Number.isFinite(v)) throw new TypeError(`metric ${k} must be a finite number, got ${String(v)}`);
    }
    return { version, examples: examples.length, metrics: { ...metrics }, error: null };
  } catch (error) {
    return { version, examples: examples.length, metrics: null, error: (error as Error)?.message ?? String(error) };
  }
}
