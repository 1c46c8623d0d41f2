// A relative-error quantile sketch with logarithmic buckets (the DDSketch algorithm of
// Masson, Rim & Lee, VLDB 2019). Every value x > 0 falls into bucket k = ceil(log_γ x) with
// γ = (1+α)/(1-α); a bucket reports 2γ^k/(γ+1), within relative error α of every value in it.
// Counts per bucket add up, so merging is exact and order-free.
//
// Written here rather than taken from @datadog/sketches-js: that package's merge drops the
// negative-value store (DataDog/sketches-js#22, open) and serialises only through protobuf;
// we need negatives (negative share is a drift signal) and compact JSON.

export const QUANTILE_ACCURACY = 0.01;
const GAMMA = (1 + QUANTILE_ACCURACY) / (1 - QUANTILE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/** Below this magnitude a value counts as zero. */
const MIN_MAGNITUDE = 1e-9;
/**
 * Buckets per sign. 1024 buckets span magnitudes over a ratio of γ^1024 ≈ 8·10^8; beyond that
 * the smallest magnitudes are folded into the lowest kept bucket (accuracy is lost only there).
 */
const MAX_BUCKETS = 1024;

export interface QuantileSketchJSON {
  /** Flattened [key, count, key, count, …] of positive values. */
  p: number[];
  /** The same for negative values (keys of their magnitudes). */
  n: number[];
  z: number;
}

class Store {
  readonly counts = new Map<number, number>();
  /** Keys below this were folded into it after an overflow. */
  floor = -Infinity;
  count = 0;

  add(key: number, weight: number): void {
    if (key < this.floor) key = this.floor;
    this.counts.set(key, (this.counts.get(key) ?? 0) + weight);
    this.count += weight;
    if (this.counts.size > MAX_BUCKETS) this.collapse();
  }

  private collapse(): void {
    const keys = [...this.counts.keys()].sort((a, b) => a - b);
    const keep = keys[keys.length - MAX_BUCKETS]!;
    let folded = 0;
    for (const key of keys) {
      if (key >= keep) break;
      folded += this.counts.get(key)!;
      this.counts.delete(key);
    }
    this.counts.set(keep, this.counts.get(keep)! + folded);
    this.floor = keep;
  }

  sortedKeys(): number[] {
    return [...this.counts.keys()].sort((a, b) => a - b);
  }

  toJSON(): number[] {
    const out: number[] = [];
    for (const key of this.sortedKeys()) out.push(key, this.counts.get(key)!);
    return out;
  }

  static fromJSON(flat: number[]): Store {
    const store = new Store();
    for (let i = 0; i + 1 < flat.length; i += 2) store.add(flat[i]!, flat[i + 1]!);
    return store;
  }
}

function bucketValue(key: number): number {
  return (2 * Math.pow(GAMMA, key)) / (GAMMA + 1);
}

export class QuantileSketch {
  private positive = new Store();
  private negative = new Store();
  private zeros = 0;

  get count(): number {
    return this.positive.count + this.negative.count + this.zeros;
  }

  add(value: number): void {
    if (value > MIN_MAGNITUDE) this.positive.add(Math.ceil(Math.log(value) / LN_GAMMA), 1);
    else if (value < -MIN_MAGNITUDE) this.negative.add(Math.ceil(Math.log(-value) / LN_GAMMA), 1);
    else this.zeros++;
  }

  /** The value at quantile q ∈ [0, 1] (lower rank, as DDSketch), NaN when empty. */
  quantile(q: number): number {
    const count = this.count;
    if (count === 0 || !(q >= 0 && q <= 1)) return NaN;
    const rank = q * (count - 1);
    let seen = 0;
    if (rank < this.negative.count) {
      // Negative values, largest magnitude first.
      const keys = this.negative.sortedKeys();
      for (let i = keys.length - 1; i >= 0; i--) {
        seen += this.negative.counts.get(keys[i]!)!;
        if (seen > rank) return -bucketValue(keys[i]!);
      }
    }
    seen = this.negative.count;
    if (rank < seen + this.zeros) return 0;
    seen += this.zeros;
    for (const key of this.positive.sortedKeys()) {
      seen += this.positive.counts.get(key)!;
      if (seen > rank) return bucketValue(key);
    }
    return NaN;
  }

  /** Adds `other`'s counts into this sketch. */
  merge(other: QuantileSketch): this {
    for (const [key, c] of other.positive.counts) this.positive.add(key, c);
    for (const [key, c] of other.negative.counts) this.negative.add(key, c);
    this.zeros += other.zeros;
    return this;
  }

  toJSON(): QuantileSketchJSON {
    return { p: this.positive.toJSON(), n: this.negative.toJSON(), z: this.zeros };
  }

  static fromJSON(json: QuantileSketchJSON): QuantileSketch {
    const sketch = new QuantileSketch();
    sketch.positive = Store.fromJSON(json.p);
    sketch.negative = Store.fromJSON(json.n);
    sketch.zeros = json.z;
    return sketch;
  }
}
