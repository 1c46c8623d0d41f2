// Per-column statistics, one accumulator per value kind. A column whose values change kind
// across rows (numbers in some rows, strings in others) keeps one accumulator per kind; its
// summary reports the majority kind plus `typeShare` (see summary.ts).
import { DistinctSketch, type DistinctSketchJSON } from "./distinct-sketch.ts";
import { hashNumber, hashString } from "./hash.ts";
import { HeavyHitters, type HeavyHittersJSON } from "./heavy-hitters.ts";
import { QuantileSketch, type QuantileSketchJSON } from "./quantile-sketch.ts";

export type ColumnKind = "number" | "string" | "boolean" | "embedding";
export const COLUMN_KINDS: readonly ColumnKind[] = ["number", "string", "boolean", "embedding"];

export interface NumberStatsJSON {
  n: number;
  mean: number;
  m2: number;
  min: number;
  max: number;
  neg: number;
  int: number;
  q: QuantileSketchJSON;
  d: DistinctSketchJSON;
  t: HeavyHittersJSON;
}

/** Count, mean and variance (Welford; merged with Chan et al.'s pairwise update), extremes, sketches. */
export class NumberStats {
  count = 0;
  mean = 0;
  m2 = 0;
  min = Infinity;
  max = -Infinity;
  negatives = 0;
  integers = 0;
  quantiles = new QuantileSketch();
  distinct = new DistinctSketch();
  top = new HeavyHitters();

  add(value: number): void {
    const n = ++this.count;
    const delta = value - this.mean;
    this.mean += delta / n;
    this.m2 += delta * (value - this.mean);
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value < 0) this.negatives++;
    if (Number.isInteger(value)) this.integers++;
    this.quantiles.add(value);
    const hash = hashNumber(value);
    this.distinct.add(hash);
    this.top.add(hash, value);
  }

  merge(other: NumberStats): void {
    if (other.count === 0) return;
    const n = this.count + other.count;
    const delta = other.mean - this.mean;
    this.m2 += other.m2 + (delta * delta * this.count * other.count) / n;
    this.mean += (delta * other.count) / n;
    this.count = n;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.negatives += other.negatives;
    this.integers += other.integers;
    this.quantiles.merge(other.quantiles);
    this.distinct.merge(other.distinct);
    this.top.merge(other.top);
  }

  toJSON(): NumberStatsJSON {
    return {
      n: this.count, mean: this.mean, m2: this.m2, min: this.min, max: this.max, neg: this.negatives, int: this.integers,
      q: this.quantiles.toJSON(), d: this.distinct.toJSON(), t: this.top.toJSON(),
    };
  }

  static fromJSON(json: NumberStatsJSON): NumberStats {
    const s = new NumberStats();
    s.count = json.n;
    s.mean = json.mean;
    s.m2 = json.m2;
    s.min = json.min;
    s.max = json.max;
    s.negatives = json.neg;
    s.integers = json.int;
    s.quantiles = QuantileSketch.fromJSON(json.q);
    s.distinct = DistinctSketch.fromJSON(json.d);
    s.top = HeavyHitters.fromJSON(json.t);
    return s;
  }
}

export interface StringStatsJSON {
  n: number;
  len: number;
  q: QuantileSketchJSON;
  d: DistinctSketchJSON;
  t: HeavyHittersJSON;
}

export class StringStats {
  count = 0;
  lengthSum = 0;
  lengths = new QuantileSketch();
  distinct = new DistinctSketch();
  top = new HeavyHitters();

  add(value: string): void {
    this.count++;
    this.lengthSum += value.length;
    this.lengths.add(value.length);
    const hash = hashString(value);
    this.distinct.add(hash);
    this.top.add(hash, value);
  }

  merge(other: StringStats): void {
    this.count += other.count;
    this.lengthSum += other.lengthSum;
    this.lengths.merge(other.lengths);
    this.distinct.merge(other.distinct);
    this.top.merge(other.top);
  }

  toJSON(): StringStatsJSON {
    return { n: this.count, len: this.lengthSum, q: this.lengths.toJSON(), d: this.distinct.toJSON(), t: this.top.toJSON() };
  }

  static fromJSON(json: StringStatsJSON): StringStats {
    const s = new StringStats();
    s.count = json.n;
    s.lengthSum = json.len;
    s.lengths = QuantileSketch.fromJSON(json.q);
    s.distinct = DistinctSketch.fromJSON(json.d);
    s.top = HeavyHitters.fromJSON(json.t);
    return s;
  }
}

export interface BooleanStatsJSON {
  n: number;
  t: number;
}

export class BooleanStats {
  count = 0;
  trues = 0;

  add(value: boolean): void {
    this.count++;
    if (value) this.trues++;
  }

  merge(other: BooleanStats): void {
    this.count += other.count;
    this.trues += other.trues;
  }

  toJSON(): BooleanStatsJSON {
    return { n: this.count, t: this.trues };
  }

  static fromJSON(json: BooleanStatsJSON): BooleanStats {
    const s = new BooleanStats();
    s.count = json.n;
    s.trues = json.t;
    return s;
  }
}

export interface EmbeddingStatsJSON {
  n: number;
  norm: number;
  sum: number;
  dims: number;
}

/** Arrays of numbers: mean L2 norm and the mean over dimensions of each dimension's mean. */
export class EmbeddingStats {
  count = 0;
  normSum = 0;
  elementSum = 0;
  elementCount = 0;

  /** Returns false (and records nothing) when the array holds a non-number or a non-finite number. */
  add(value: readonly unknown[]): boolean {
    let sum = 0;
    let squares = 0;
    for (let i = 0; i < value.length; i++) {
      const x = value[i];
      if (typeof x !== "number" || !Number.isFinite(x)) return false;
      sum += x;
      squares += x * x;
    }
    this.count++;
    this.normSum += Math.sqrt(squares);
    this.elementSum += sum;
    this.elementCount += value.length;
    return true;
  }

  merge(other: EmbeddingStats): void {
    this.count += other.count;
    this.normSum += other.normSum;
    this.elementSum += other.elementSum;
    this.elementCount += other.elementCount;
  }

  toJSON(): EmbeddingStatsJSON {
    return { n: this.count, norm: this.normSum, sum: this.elementSum, dims: this.elementCount };
  }

  static fromJSON(json: EmbeddingStatsJSON): EmbeddingStats {
    const s = new EmbeddingStats();
    s.count = json.n;
    s.normSum = json.norm;
    s.elementSum = json.sum;
    s.elementCount = json.dims;
    return s;
  }
}

export interface ColumnProfileJSON {
  number?: NumberStatsJSON;
  string?: StringStatsJSON;
  boolean?: BooleanStatsJSON;
  embedding?: EmbeddingStatsJSON;
}

/** One column of one partition: an accumulator per kind, created on first sight of that kind. */
export class ColumnProfile {
  number: NumberStats | null = null;
  string: StringStats | null = null;
  boolean: BooleanStats | null = null;
  embedding: EmbeddingStats | null = null;

  /** Values seen (any kind); the rest of the partition's rows lacked this column. */
  get count(): number {
    return (this.number?.count ?? 0) + (this.string?.count ?? 0) + (this.boolean?.count ?? 0) + (this.embedding?.count ?? 0);
  }

  addNumber(value: number): void {
    (this.number ??= new NumberStats()).add(value);
  }

  addString(value: string): void {
    (this.string ??= new StringStats()).add(value);
  }

  addBoolean(value: boolean): void {
    (this.boolean ??= new BooleanStats()).add(value);
  }

  addEmbedding(value: readonly unknown[]): void {
    (this.embedding ??= new EmbeddingStats()).add(value);
  }

  merge(other: ColumnProfile): void {
    if (other.number) (this.number ??= new NumberStats()).merge(other.number);
    if (other.string) (this.string ??= new StringStats()).merge(other.string);
    if (other.boolean) (this.boolean ??= new BooleanStats()).merge(other.boolean);
    if (other.embedding) (this.embedding ??= new EmbeddingStats()).merge(other.embedding);
  }

  toJSON(): ColumnProfileJSON {
    const out: ColumnProfileJSON = {};
    if (this.number) out.number = this.number.toJSON();
    if (this.string) out.string = this.string.toJSON();
    if (this.boolean) out.boolean = this.boolean.toJSON();
    if (this.embedding) out.embedding = this.embedding.toJSON();
    return out;
  }

  static fromJSON(json: ColumnProfileJSON): ColumnProfile {
    const c = new ColumnProfile();
    if (json.number) c.number = NumberStats.fromJSON(json.number);
    if (json.string) c.string = StringStats.fromJSON(json.string);
    if (json.boolean) c.boolean = BooleanStats.fromJSON(json.boolean);
    if (json.embedding) c.embedding = EmbeddingStats.fromJSON(json.embedding);
    return c;
  }
}
