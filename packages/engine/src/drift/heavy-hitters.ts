// The share of a column's most frequent value, with bounded memory: a Misra–Gries summary
// (Misra & Gries 1982; mergeable as in Agarwal et al., PODS 2012) over value hashes. Up to
// 2·CAPACITY distinct values every count is exact. Beyond that, a purge subtracts the
// (CAPACITY+1)-th largest count from every counter; each count is then an underestimate by at
// most `purged` ≤ n/(CAPACITY+1), so the top share is low by at most 1/65 ≈ 1.5 points, and
// only for columns with more than 128 distinct values (where the top share is small anyway).

const CAPACITY = 64;
/** Longer string values are kept as their first LABEL_LENGTH characters and "…" (a label only names the value). */
export const LABEL_LENGTH = 60;
const scratch = new Float64Array(4 * CAPACITY + 2);

export interface HeavyHittersJSON {
  /** Flattened [hash, count, …]. */
  c: number[];
  /** Total subtracted by purges: the error bound of every count. */
  d: number;
  /** The values behind kept hashes, flattened [hash, value, …], for those seen at least twice in one batch. */
  l?: (number | string)[];
}

/** Counts below this are tallied in `histogram` to find the cut without sorting. */
const SMALL = 256;
const histogram = new Uint32Array(SMALL);

/** The (CAPACITY+1)-th largest count; 0 when there are no more than CAPACITY counters. */
function cutOf(counts: Map<number, number>): number {
  const n = counts.size;
  if (n <= CAPACITY) return 0;
  let large = false;
  for (const count of counts.values()) {
    if (count < SMALL) histogram[count]!++;
    else large = true;
  }
  let cut = 0;
  if (!large) {
    // Down from the largest count until more than CAPACITY counters are at or above it.
    let atOrAbove = 0;
    for (let c = SMALL - 1; c > 0; c--) {
      atOrAbove += histogram[c]!;
      if (atOrAbove > CAPACITY) {
        cut = c;
        break;
      }
    }
  }
  histogram.fill(0);
  if (!large) return cut;
  // Some count is large: sort them in a reused typed array (no comparator calls, no garbage).
  let i = 0;
  for (const count of counts.values()) scratch[i++] = count;
  return scratch.subarray(0, i).sort()[i - 1 - CAPACITY]!;
}

export class HeavyHitters {
  private counts = new Map<number, number>();
  /** Sum of purge amounts; every count is low by at most this. */
  purged = 0;

  /** The value each hash stands for, so a finding can name it: set on a value's second sighting, which keeps singletons (most values of a near-unique column) free. */
  private labels = new Map<number, number | string>();

  add(hash: number, value?: number | string): void {
    const counts = this.counts;
    const count = (counts.get(hash) ?? 0) + 1;
    counts.set(hash, count);
    if (count === 2 && value !== undefined) this.labels.set(hash, typeof value === "string" && value.length > LABEL_LENGTH ? `${value.slice(0, LABEL_LENGTH)}…` : value);
    if (counts.size > 2 * CAPACITY) this.purge();
  }

  /** The value behind `hash`, when known. */
  label(hash: number): number | string | undefined {
    return this.counts.has(hash) ? this.labels.get(hash) : undefined;
  }

  private purge(): void {
    const cut = cutOf(this.counts);
    if (cut <= 0) return;
    // The survivors go into a new map (in the same order): in a near-unique column most
    // counters are dropped, and one insert per survivor is cheaper than a delete per loser.
    const kept = new Map<number, number>();
    for (const [hash, count] of this.counts) if (count > cut) kept.set(hash, count - cut);
    this.counts = kept;
    // Labels of purged counters are dropped in bulk, not one delete per purged counter (a purge
    // runs every ~64 new values of a high-cardinality column, on the per-row path).
    if (this.labels.size > 2 * CAPACITY) for (const hash of this.labels.keys()) if (!this.counts.has(hash)) this.labels.delete(hash);
    this.purged += cut;
  }

  /** Every kept (hash, count), flattened and sorted by hash: a partition's value frequencies. */
  flat(): number[] {
    return this.toJSON().c;
  }

  /** The largest count (a lower bound, exact while no purge happened). */
  top(): number {
    let best = 0;
    for (const count of this.counts.values()) if (count > best) best = count;
    return best;
  }

  merge(other: HeavyHitters): this {
    for (const [hash, count] of other.counts) this.counts.set(hash, (this.counts.get(hash) ?? 0) + count);
    for (const [hash, value] of other.labels) if (!this.labels.has(hash)) this.labels.set(hash, value);
    this.purged += other.purged;
    if (this.counts.size > 2 * CAPACITY) this.purge();
    return this;
  }

  toJSON(): HeavyHittersJSON {
    const c: number[] = [];
    const l: (number | string)[] = [];
    for (const hash of [...this.counts.keys()].sort((a, b) => a - b)) {
      c.push(hash, this.counts.get(hash)!);
      const label = this.labels.get(hash);
      if (label !== undefined) l.push(hash, label);
    }
    return l.length > 0 ? { c, d: this.purged, l } : { c, d: this.purged };
  }

  static fromJSON(json: HeavyHittersJSON): HeavyHitters {
    const sketch = new HeavyHitters();
    for (let i = 0; i + 1 < json.c.length; i += 2) sketch.counts.set(json.c[i]!, json.c[i + 1]!);
    sketch.purged = json.d;
    const l = json.l ?? [];
    for (let i = 0; i + 1 < l.length; i += 2) sketch.labels.set(l[i] as number, l[i + 1]!);
    return sketch;
  }
}
