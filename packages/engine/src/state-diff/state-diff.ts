import { assertNotCollected } from "../state-store.ts";
import { selectAll, selectFirst, sql, storage, toBuffer, toDate, toJson, type Query } from "@motion/db";
import { NotFoundError } from "../errors.ts";
import type { BlobKind, Manifest } from "../state.ts";
import { diffJson, previewJson, type JsonDiff } from "./json-diff.ts";
import { fitsOf, versionPath, type FitOnPath } from "./version-path.ts";

/** JSON values larger than this (either side) are compared by size and checksum only. */
export const JSON_DIFF_MAX_BYTES = 256 * 1024;
/** Keys listed (added, removed, changed); unchanged keys are only counted. */
export const MAX_KEYS = 500;
/** Changes listed per JSON key, and over the whole diff. */
export const MAX_CHANGES_PER_KEY = 200;
export const MAX_CHANGES = 1000;
/** Fit runs listed per side (all are counted). */
export const MAX_FITS = 50;
/** Labels are broken down by good/bad/corrected when a side fitted at most this many. */
export const MAX_LABEL_ROWS = 20_000;

export interface KeyDiff {
  key: string;
  change: "added" | "removed" | "changed";
  kind: { from: BlobKind | null; to: BlobKind | null };
  size: { from: number | null; to: number | null };
  checksum: { from: string | null; to: string | null };
  /** Structural diff of a JSON value (both sides JSON and small enough), else null with `note`. */
  json: JsonDiff | null;
  note: string | null;
}

/** The fits on one side of the diff (what a move from `from` to `to` drops or adds). */
export interface PathSide {
  versions: number[];
  fits: FitOnPath[];
  fitsTotal: number;
  rows: number;
  /** Rows per relation those fits consumed. */
  byRelation: Record<string, number>;
  /** Rows of the built-in `feedback` relation among them, i.e. labels fitted. */
  labels: number;
  /** Those labels by kind; null when there were more than MAX_LABEL_ROWS. */
  labelCounts: { good: number; bad: number; corrected: number } | null;
}

export interface VersionDiff {
  trigger: string;
  from: { version: number; size: number; checksum: string; createdAt: Date; keys: number };
  to: { version: number; size: number; checksum: string; createdAt: Date; keys: number };
  /** back: `to` is an ancestor of `from` (a rollback); forward: a descendant; across: another branch. */
  direction: "same" | "back" | "forward" | "across";
  ancestor: number;
  keys: KeyDiff[];
  keysTruncated: boolean;
  unchanged: number;
  /** Fitted into `from` since the common ancestor: what moving to `to` leaves behind. */
  dropped: PathSide;
  /** Fitted into `to` since the common ancestor: what moving to `to` brings. */
  added: PathSide;
}

function* manifestOf(trigger: string, version: number): Query<{ manifest: Manifest; size: number; checksum: string; createdAt: Date }> {
  const row = yield* selectFirst(storage.selectFrom("StateVersion").select(["entries", "size", "checksum", "createdAt", "collectedAt"]).where("trigger", "=", trigger).where("version", "=", version));
  if (!row) throw new NotFoundError(`trigger ${trigger} has no state version ${version}`);
  // Its values are gone (state GC): a value diff would silently compare against nothing.
  assertNotCollected({ trigger, version, collectedAt: row.collectedAt ? toDate(row.collectedAt) : null });
  return { manifest: toJson<Manifest>(row.entries), size: Number(row.size), checksum: row.checksum, createdAt: toDate(row.createdAt) };
}

function* jsonValues(checksums: string[]): Query<Map<string, unknown>> {
  const out = new Map<string, unknown>();
  for (let i = 0; i < checksums.length; i += 200) {
    const chunk = checksums.slice(i, i + 200);
    const rows = yield* selectAll(storage.selectFrom("StateBlob").select(["checksum", "bytes"]).where("checksum", "in", chunk));
    for (const r of rows) out.set(r.checksum, JSON.parse(toBuffer(r.bytes).toString("utf8")));
  }
  return out;
}

/** Versions per `IN (…)` list when totalling a side. */
const CHUNK = 500;

/** Some of a side's versions: a range of consecutive ones, or a list. */
type VersionCondition = { from: number; to: number } | { in: number[] };

/** The (state version, fit run) pairs of a trigger whose version meets `c`. */
function versionsWithFits(trigger: string, c: VersionCondition) {
  const q = storage.selectFrom("StateVersion as v").innerJoin("FitRun as f", "f.id", "v.fitRunId").where("v.trigger", "=", trigger);
  return "in" in c ? q.where("v.version", "in", c.in) : q.where((eb) => eb.between("v.version", c.from, c.to));
}

/**
 * A side's versions as conditions on the version: each run of 20+ consecutive versions
 * (a chain of fits, the usual case) as one range, the rest in `IN` lists of CHUNK.
 */
function versionConditions(versions: readonly number[]): VersionCondition[] {
  const sorted = [...new Set(versions)].sort((a, b) => a - b);
  const out: VersionCondition[] = [];
  const loose: number[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    if (j - i + 1 >= 20) out.push({ from: sorted[i]!, to: sorted[j]! });
    else loose.push(...sorted.slice(i, j + 1));
    i = j + 1;
  }
  for (let i = 0; i < loose.length; i += CHUNK) {
    const chunk = loose.slice(i, i + CHUNK);
    out.push({ in: chunk });
  }
  return out;
}

/**
 * The fits on one side. A side may hold thousands of versions (a rollback far back): the
 * totals are summed in SQL per chunk of versions, and only the newest MAX_FITS fits are read
 * in full (metrics, times): no longer one decoded fit run per version on the path.
 */
function* sideOf(trigger: string, versions: number[]): Query<PathSide> {
  const byRelation: Record<string, number> = {};
  let rows = 0;
  let fitsTotal = 0;
  const conditions = versionConditions(versions);
  for (const c of conditions) {
    const sums = yield* selectAll(versionsWithFits(trigger, c).select((eb) => ["f.relation", eb.fn.countAll().as("n"), eb.fn.sum("f.rowCount").as("rows")]).groupBy("f.relation"));
    for (const r of sums) {
      fitsTotal += Number(r.n);
      rows += Number(r.rows);
      byRelation[r.relation] = (byRelation[r.relation] ?? 0) + Number(r.rows);
    }
  }
  // The newest MAX_FITS fits in full (a version with no fit, as v0 or a migrated one, is skipped).
  const newestFirst = [...versions].sort((a, b) => b - a);
  const fits: FitOnPath[] = [];
  for (let i = 0; i < newestFirst.length && fits.length < MAX_FITS; i += MAX_FITS) fits.push(...(yield* fitsOf(trigger, newestFirst.slice(i, i + MAX_FITS), false)));
  const labels = byRelation.feedback ?? 0;
  let labelCounts: PathSide["labelCounts"] = labels === 0 ? { good: 0, bad: 0, corrected: 0 } : null;
  if (labels > 0 && labels <= MAX_LABEL_ROWS) {
    const feedbackVersions: number[] = [];
    for (const c of conditions) {
      const found = yield* selectAll(versionsWithFits(trigger, c).select("v.version").where("f.relation", "=", "feedback"));
      for (const f of found) feedbackVersions.push(Number(f.version));
    }
    const withRows = yield* fitsOf(trigger, feedbackVersions, true);
    const rowIds = [...new Set(withRows.flatMap((f) => f.rowIds))];
    labelCounts = { good: 0, bad: 0, corrected: 0 };
    for (let i = 0; i < rowIds.length; i += 500) {
      const chunk = rowIds.slice(i, i + 500);
      const corrected = sql<number>`CASE WHEN ${sql.ref("correction")} IS NULL THEN 0 ELSE 1 END`;
      const counts = yield* selectAll(
        storage.selectFrom("Feedback").select((eb) => ["label", corrected.as("corrected"), eb.fn.countAll().as("n")]).where("rowId", "in", chunk).groupBy(["label", corrected]),
      );
      for (const c of counts) {
        const n = Number(c.n);
        if (c.label === "good") labelCounts.good += n;
        if (c.label === "bad") labelCounts.bad += n;
        if (Number(c.corrected) === 1) labelCounts.corrected += n;
      }
    }
  }
  return { versions, fits: fits.slice(0, MAX_FITS), fitsTotal, rows, byRelation, labels, labelCounts };
}

/**
 * What changes when `active` moves from `from` to `to`: state keys added, removed and changed
 * (sizes, checksums, a structural diff of JSON values) and the fits — rows and labels — on
 * each side of the two versions' common ancestor. Bounded: see the limits above.
 */
export function* diffVersions(trigger: string, from: number, to: number): Query<VersionDiff> {
  const a = yield* manifestOf(trigger, from);
  const b = yield* manifestOf(trigger, to);
  const path = yield* versionPath(trigger, from, to);
  const direction = from === to ? "same" : path.ancestor === to ? "back" : path.ancestor === from ? "forward" : "across";

  const names = [...new Set([...Object.keys(a.manifest), ...Object.keys(b.manifest)])].sort();
  const differing = names.filter((k) => a.manifest[k]?.checksum !== b.manifest[k]?.checksum);
  const listed = differing.slice(0, MAX_KEYS);
  const small = (k: string) => {
    const x = a.manifest[k];
    const y = b.manifest[k];
    return (!x || (x.kind === "json" && x.size <= JSON_DIFF_MAX_BYTES)) && (!y || (y.kind === "json" && y.size <= JSON_DIFF_MAX_BYTES));
  };
  const wanted = [...new Set(listed.filter(small).flatMap((k) => [a.manifest[k]?.checksum, b.manifest[k]?.checksum]).filter((c): c is string => !!c))];
  const values = yield* jsonValues(wanted);

  let budget = MAX_CHANGES;
  const keys: KeyDiff[] = listed.map((key) => {
    const x = a.manifest[key];
    const y = b.manifest[key];
    const change = !x ? "added" : !y ? "removed" : "changed";
    let json: JsonDiff | null = null;
    let note: string | null = null;
    if (!small(key)) note = (x && x.kind !== "json") || (y && y.kind !== "json") ? "binary value: compared by size and checksum" : `JSON larger than ${JSON_DIFF_MAX_BYTES / 1024} KB: compared by size and checksum`;
    else if (budget <= 0) note = "diff not shown: the change budget of this diff is used up";
    else {
      const before = x ? values.get(x.checksum) : undefined;
      const after = y ? values.get(y.checksum) : undefined;
      const limit = { maxChanges: Math.min(MAX_CHANGES_PER_KEY, budget) };
      // A key only on one side is one add or remove of its whole value (previewed).
      json = x && y ? diffJson(before, after, limit) : { changes: [x ? { op: "remove", path: [], from: previewJson(before) } : { op: "add", path: [], to: previewJson(after) }], truncated: false };
      budget -= json.changes.length;
    }
    return {
      key, change, json, note,
      kind: { from: x?.kind ?? null, to: y?.kind ?? null },
      size: { from: x?.size ?? null, to: y?.size ?? null },
      checksum: { from: x?.checksum ?? null, to: y?.checksum ?? null },
    };
  });

  return {
    trigger,
    from: { version: from, size: a.size, checksum: a.checksum, createdAt: a.createdAt, keys: Object.keys(a.manifest).length },
    to: { version: to, size: b.size, checksum: b.checksum, createdAt: b.createdAt, keys: Object.keys(b.manifest).length },
    direction,
    ancestor: path.ancestor,
    keys,
    keysTruncated: differing.length > listed.length,
    unchanged: names.length - differing.length,
    dropped: yield* sideOf(trigger, path.dropped),
    added: yield* sideOf(trigger, path.added),
  };
}
