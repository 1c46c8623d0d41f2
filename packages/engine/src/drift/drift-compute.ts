// The CPU side of a drift check: merging stored profiles, summarising them and judging
// partitions. It runs in a worker thread (drift-thread.ts) so a check of a year of partitions
// never stalls the event loop that answers `add` and infer; the same class serves tests and a
// process where threads cannot start. It holds the summaries, keyed by relation and partition
// and valid while the partition's row count is unchanged.
import { detect, type DetectOptions, type PartitionInput, type PartitionVerdict } from "./detector.ts";
import { ProfileAccumulator, type ProfileJSON } from "./profile-accumulator.ts";
import type { ResolvedProfileOptions } from "./profile-options.ts";
import { summarize, type PartitionSummary } from "./summary.ts";

/** One partition's stored profile rows, as read (JSON text on SQLite, parsed on PostgreSQL). */
export interface PartitionProfiles {
  partition: string;
  ids: string[];
  profiles: (string | ProfileJSON)[];
}

export interface LoadRequest {
  relation: string;
  options: ResolvedProfileOptions;
  partitions: PartitionProfiles[];
}

/** A partition whose profile rows were merged: the caller may store the merge in their place. */
export interface Compaction {
  partition: string;
  ids: string[];
  rows: number;
  /** The merged profile as JSON text. */
  merged: string;
}

export interface JudgeRequest {
  relation: string;
  detect: DetectOptions & { window: number };
  /** Valid partitions (the history), in order. */
  valid: string[];
  /** Partitions to judge, oldest first; each joins the history of later ones unless flagged. */
  candidates: string[];
}

export interface Judged {
  partition: string;
  rows: number;
  /** The verdict without its findings (`findings` is empty): they travel as `findingsJson`. */
  verdict: PartitionVerdict;
  /**
   * Every compared statistic's finding as JSON text, made in the drift thread: hundreds of
   * objects a partition that the process answering callers would otherwise rebuild from the
   * message and stringify again to store.
   */
  findingsJson: string;
}

interface Cached {
  rows: number;
  summary: PartitionSummary;
}

export class DriftCompute {
  private readonly cache = new Map<string, Map<string, Cached>>();

  private of(relation: string): Map<string, Cached> {
    let c = this.cache.get(relation);
    if (!c) this.cache.set(relation, (c = new Map()));
    return c;
  }

  /** Row counts of the summaries held, so the caller reads only partitions that changed. */
  known(relation: string): Map<string, number> {
    return new Map([...this.of(relation)].map(([p, c]) => [p, c.rows]));
  }

  /** Merges and summarises these partitions' profiles; returns the merges of multi-row ones. */
  load(request: LoadRequest): Compaction[] {
    const cache = this.of(request.relation);
    const compactions: Compaction[] = [];
    for (const { partition, ids, profiles } of request.partitions) {
      const parsed = profiles.map((p) => (typeof p === "string" ? (JSON.parse(p) as ProfileJSON) : p));
      if (parsed.length === 0) continue;
      let merged = parsed[0]!;
      if (parsed.length > 1) {
        const acc = ProfileAccumulator.fromJSON(parsed[0]!, request.options);
        for (let i = 1; i < parsed.length; i++) acc.merge(ProfileAccumulator.fromJSON(parsed[i]!, request.options));
        merged = acc.toJSON();
        compactions.push({ partition, ids, rows: merged.rows, merged: JSON.stringify(merged) });
      }
      cache.set(partition, { rows: merged.rows, summary: summarize(merged) });
    }
    return compactions;
  }

  /** Forgets summaries (a relation's partitions deleted, or everything). */
  forget(relation?: string): void {
    if (relation === undefined) this.cache.clear();
    else this.cache.delete(relation);
  }

  summary(relation: string, partition: string): Cached | undefined {
    return this.of(relation).get(partition);
  }

  /** One statistic of one column per partition (partitions without it are left out). */
  series(relation: string, partitions: readonly string[], column: string, statistic: string): [string, number][] {
    const cache = this.of(relation);
    const out: [string, number][] = [];
    for (const p of partitions) {
      const columns = cache.get(p)?.summary.columns;
      // Own columns only: a name like "__proto__" must not reach the prototype.
      const c = columns && Object.hasOwn(columns, column) ? columns[column] : undefined;
      const v = statistic === "coverage" ? (c ? c.stats.coverage : 0) : c?.stats[statistic as keyof typeof c.stats];
      if (typeof v === "number") out.push([p, v]);
    }
    return out;
  }

  /**
   * Judges the candidates oldest first, each against the newest `window` valid partitions
   * before it; a candidate that passes joins the history of the ones after it, as the check
   * records it. Candidates without a summary are skipped.
   */
  judge(request: JudgeRequest): Judged[] {
    const cache = this.of(request.relation);
    const valid = [...request.valid];
    const out: Judged[] = [];
    for (const partition of request.candidates) {
      const current = cache.get(partition);
      if (!current) continue;
      const history: PartitionInput[] = [];
      for (let i = valid.length - 1; i >= 0 && history.length < request.detect.window; i--) {
        const p = valid[i]!;
        if (p >= partition) continue;
        const s = cache.get(p);
        if (s) history.unshift({ partition: p, summary: s.summary });
      }
      const verdict = detect(history, { partition, summary: current.summary }, request.detect);
      out.push({ partition, rows: current.rows, verdict: { ...verdict, findings: [] }, findingsJson: JSON.stringify(verdict.findings) });
      if (verdict.status !== "drift") insertSorted(valid, partition);
      else if (valid.includes(partition)) valid.splice(valid.indexOf(partition), 1);
    }
    return out;
  }
}

export function insertSorted(list: string[], value: string): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > value) i--;
  if (list[i - 1] !== value) list.splice(i, 0, value);
}
