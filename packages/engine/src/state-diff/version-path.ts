import { selectAll, storage, toDateOrNull, toJson, toJsonOrNull, type Query } from "@motion/db";
import { NotFoundError } from "../errors.ts";

/**
 * How two versions of a trigger relate in its version tree (a rollback makes branches).
 * `dropped` are the versions on `from`'s side down to the common ancestor, `added` those on
 * `to`'s side, newest first. A rollback to an older version only drops; a forward move only adds.
 */
export interface VersionPath {
  ancestor: number;
  dropped: number[];
  added: number[];
}

const WINDOW = 1000;

/** Walks parent pointers (a parent is always an older version) in windows of versions. */
export function* versionPath(trigger: string, from: number, to: number): Query<VersionPath> {
  const parents = new Map<number, number | null>();
  const parentOf = function* (v: number): Query<number | null> {
    if (!parents.has(v)) {
      const rows = yield* selectAll(
        storage.selectFrom("StateVersion").select(["version", "parent"]).where("trigger", "=", trigger).where("version", "<=", v).where("version", ">", v - WINDOW).orderBy("version", "desc"),
      );
      for (const r of rows) parents.set(Number(r.version), r.parent === null || r.parent === undefined ? null : Number(r.parent));
      if (!parents.has(v)) throw new NotFoundError(`trigger ${trigger} has no state version ${v}`);
    }
    return parents.get(v)!;
  };
  yield* parentOf(from);
  yield* parentOf(to);
  const dropped: number[] = [];
  const added: number[] = [];
  let a = from;
  let b = to;
  while (a !== b) {
    if (a > b) {
      dropped.push(a);
      const p = yield* parentOf(a);
      if (p === null) break;
      a = p;
    } else {
      added.push(b);
      const p = yield* parentOf(b);
      if (p === null) break;
      b = p;
    }
  }
  return { ancestor: Math.min(a, b), dropped, added };
}

export interface FitOnPath {
  runId: string;
  version: number;
  route: string;
  relation: string;
  rowCount: number;
  metrics: Record<string, number> | null;
  finishedAt: Date | null;
  reason: string | null;
}

/** The fit runs that produced `versions` (version 0 has none), newest first. */
export function fitsOf(trigger: string, versions: readonly number[], withRowIds: false): Query<FitOnPath[]>;
export function fitsOf(trigger: string, versions: readonly number[], withRowIds: true): Query<(FitOnPath & { rowIds: string[] })[]>;
export function* fitsOf(trigger: string, versions: readonly number[], withRowIds: boolean): Query<(FitOnPath & { rowIds?: string[] })[]> {
  const out: (FitOnPath & { rowIds?: string[] })[] = [];
  for (let i = 0; i < versions.length; i += 500) {
    const chunk = versions.slice(i, i + 500);
    const query = storage.selectFrom("StateVersion as v").innerJoin("FitRun as f", "f.id", "v.fitRunId")
      .select(["f.id", "f.route", "f.relation", "f.rowCount", "f.metrics", "f.finishedAt", "f.reason", "v.version"])
      .where("v.trigger", "=", trigger).where("v.version", "in", chunk);
    // The row ids only when asked: they are the largest column.
    const rows: { id: string; route: string; relation: string; rowCount: number; metrics: unknown; finishedAt: unknown; reason: string | null; version: number; rowIds?: unknown }[] =
      yield* selectAll(withRowIds ? query.select("f.rowIds") : query);
    for (const r of rows) {
      out.push({
        runId: r.id, version: Number(r.version), route: r.route, relation: r.relation, rowCount: Number(r.rowCount),
        metrics: toJsonOrNull<Record<string, number>>(r.metrics), finishedAt: toDateOrNull(r.finishedAt), reason: r.reason ?? null,
        ...(withRowIds ? { rowIds: toJson<string[]>(r.rowIds) } : {}),
      });
    }
  }
  return out.sort((x, y) => y.version - x.version);
}
