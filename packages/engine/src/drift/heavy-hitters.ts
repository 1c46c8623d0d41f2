// The share of a column's most frequent value, with bounded memory: a Misra–Gries summary
// (Misra & Gries 1982; mergeable as in Agarwal et al., PODS 2012) over value hashes. Up to
// 2·CAPACITY distinct values every count is exact. Beyond that, a purge subtracts the
// (CAPACITY+1)-th largest count from every counter; each count is then an underestimate by at
// most `purged` ≤ n/(CAPACITY+1), so the top share is low by at most 1/65 ≈ 1.5 points, and
// only for columns with more than 128 distinct values (where the top share is small anyway).

const CAPACITY = 64;
const scratch = new Float64Array(4 * CAPACITY + 2);

export interface HeavyHittersJSON {
  /** Flattened [hash, count, …]. */
  c: number[];
  /** Total subtracted by purges: the error bound of every count. */
  d: number;
}

export class HeavyHitters {
  private counts = new Map<number, number>();
  /** Sum of purge amounts; every count is low by at most this. */
  purged = 0;

  add(hash: number): void {
    const counts = this.counts;
    counts.set(hash, (counts.get(hash) ?? 0) + 1);
    if (counts.size > 2 * CAPACITY) this.purge();
  }

  private purge(): void {
    // The (CAPACITY+1)-th largest count, from a reused typed array (no comparator calls, no garbage).
    let i = 0;
    for (const count of this.counts.values()) scratch[i++] = count;
    const sorted = scratch.subarray(0, i).sort();
    const cut = i > CAPACITY ? sorted[i - 1 - CAPACITY]! : 0;
    if (cut <= 0) return;
    for (const [hash, count] of this.counts) {
      if (count <= cut) this.counts.delete(hash);
      else this.counts.set(hash, count - cut);
    }
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
    this.purged += other.purged;
    if (this.counts.size > 2 * CAPACITY) this.purge();
    return this;
  }

  toJSON(): HeavyHittersJSON {
    const c: number[] = [];
    for (const hash of [...this.counts.keys()].sort((a, b) => a - b)) c.push(hash, this.counts.get(hash)!);
    return { c, d: this.purged };
  }

  static fromJSON(json: HeavyHittersJSON): HeavyHitters {
    const sketch = new HeavyHitters();
    for (let i = 0; i + 1 < json.c.length; i += 2) sketch.counts.set(json.c[i]!, json.c[i + 1]!);
    sketch.purged = json.d;
    return sketch;
  }
}
