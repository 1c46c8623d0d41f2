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
 * Buckets per sign: keys span at most 1024, magnitudes over a ratio of γ^1024 ≈ 8·10^8; beyond
 * that the smallest magnitudes are folded into the lowest kept bucket (accuracy is lost only
 * there). Folding depends only on the largest key, so it is the same in any merge order.
 */
const MAX_BUCKETS = 1024;

export interface QuantileSketchJSON {
  /** Flattened [key, count, key, count, …] of positive values. */
  p: number[];
  /** The same for negative values (keys of their magnitudes). */
  n: number[];
  z: number;
}

/** Bucket counts of one sign in a dense array (an index per key, no hashing on the per-row path). */
class Store {
  /** bins[i] counts key offset + i. */
  private bins: number[] = [];
  private offset = 0;
  /** Keys below this were folded into it once the span passed MAX_BUCKETS. */
  floor = -Infinity;
  count = 0;

  add(key: number, weight: number): void {
    if (key < this.floor) key = this.floor;
    const bins = this.bins;
    const i = key - this.offset;
    if (i >= 0 && i < bins.length) {
      bins[i]! += weight;
    } else {
      this.extend(key);
      // A key below the span it would need is folded like the rest.
      this.bins[Math.max(key, this.offset) - this.offset]! += weight;
    }
    this.count += weight;
  }

  /** Widens the array to hold `key`, folding the lowest keys when the span passes MAX_BUCKETS. */
  private extend(key: number): void {
    if (this.bins.length === 0) {
      this.offset = key;
      this.bins = [0];
      return;
    }
    const low = Math.min(key, this.offset);
    const high = Math.max(key, this.offset + this.bins.length - 1);
    const keep = Math.max(low, high - MAX_BUCKETS + 1);
    const next: number[] = new Array<number>(high - keep + 1).fill(0);
    for (let j = 0; j < this.bins.length; j++) {
      const k = Math.max(keep, this.offset + j);
      next[k - keep]! += this.bins[j]!;
    }
    this.bins = next;
    this.offset = keep;
    if (keep > low) this.floor = keep;
  }

  /** Non-empty buckets, ascending by key. */
  forEach(visit: (key: number, count: number) => void): void {
    for (let j = 0; j < this.bins.length; j++) if (this.bins[j]! > 0) visit(this.offset + j, this.bins[j]!);
  }

  /** Non-empty buckets, descending by key, until `visit` returns true; returns that key or NaN. */
  findDescending(visit: (count: number) => boolean): number {
    for (let j = this.bins.length - 1; j >= 0; j--) if (this.bins[j]! > 0 && visit(this.bins[j]!)) return this.offset + j;
    return NaN;
  }

  findAscending(visit: (count: number) => boolean): number {
    for (let j = 0; j < this.bins.length; j++) if (this.bins[j]! > 0 && visit(this.bins[j]!)) return this.offset + j;
    return NaN;
  }

  toJSON(): number[] {
    const out: number[] = [];
    this.forEach((key, count) => out.push(key, count));
    return out;
  }

  static fromJSON(flat: number[]): Store {
    const store = new Store();
    for (let i = 0; i + 1 < flat.length; i += 2) store.add(flat[i]!, flat[i + 1]!);
    return store;
  }
}

/**
 * Keys of the integers 1…SMALL_INTS-1, computed once with the same expression as keyOf: counts,
 * lengths and ids are mostly small integers, and a lookup is cheaper than a logarithm per value.
 */
const SMALL_INTS = 4096;
const INT_KEYS = Int16Array.from({ length: SMALL_INTS }, (_, v) => (v === 0 ? 0 : Math.ceil(Math.log(v) / LN_GAMMA)));

/** The bucket of a magnitude above MIN_MAGNITUDE. */
function keyOf(magnitude: number): number {
  return magnitude < SMALL_INTS && (magnitude | 0) === magnitude ? INT_KEYS[magnitude]! : Math.ceil(Math.log(magnitude) / LN_GAMMA);
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
    if (value > MIN_MAGNITUDE) this.positive.add(keyOf(value), 1);
    else if (value < -MIN_MAGNITUDE) this.negative.add(keyOf(-value), 1);
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
      const key = this.negative.findDescending((c) => (seen += c) > rank);
      if (!Number.isNaN(key)) return -bucketValue(key);
    }
    seen = this.negative.count;
    if (rank < seen + this.zeros) return 0;
    seen += this.zeros;
    const key = this.positive.findAscending((c) => (seen += c) > rank);
    return Number.isNaN(key) ? NaN : bucketValue(key);
  }

  /** Adds `other`'s counts into this sketch. */
  merge(other: QuantileSketch): this {
    other.positive.forEach((key, c) => this.positive.add(key, c));
    other.negative.forEach((key, c) => this.negative.add(key, c));
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
