// Distinct count: exact (a set of value hashes) up to EXACT_LIMIT values, then a HyperLogLog
// (Flajolet et al. 2007) with 2^11 registers: relative standard error 1.04/√2048 ≈ 2.3%.
// Most categorical columns stay exact; merging is a set union or a register-wise max, both
// associative and commutative. Written here because the npm HyperLogLogs hash through strings
// (an allocation per value), which the per-row budget cannot afford.

const EXACT_LIMIT = 256;
const P = 11;
const M = 1 << P;
/** Hashes are 30 bits: P index bits, the rest feed the rank. */
const REST = 30 - P;
const ALPHA = 0.7213 / (1 + 1.079 / M);

export type DistinctSketchJSON = { e: number[] } | { h: string };

export class DistinctSketch {
  private exact: Set<number> | null = new Set();
  private registers: Uint8Array | null = null;

  /** `hash` is a 30-bit hash (see hash.ts). */
  add(hash: number): void {
    if (this.exact) {
      this.exact.add(hash);
      if (this.exact.size > EXACT_LIMIT) this.toRegisters();
      return;
    }
    this.addToRegisters(hash);
  }

  private addToRegisters(hash: number): void {
    const index = hash >>> REST;
    const rest = hash & ((1 << REST) - 1);
    const rank = rest === 0 ? REST + 1 : Math.clz32(rest) - (32 - REST) + 1;
    const registers = this.registers!;
    if (rank > registers[index]!) registers[index] = rank;
  }

  private toRegisters(): void {
    this.registers = new Uint8Array(M);
    for (const hash of this.exact!) this.addToRegisters(hash);
    this.exact = null;
  }

  estimate(): number {
    if (this.exact) return this.exact.size;
    const registers = this.registers!;
    let sum = 0;
    let zeros = 0;
    for (let i = 0; i < M; i++) {
      sum += 2 ** -registers[i]!;
      if (registers[i] === 0) zeros++;
    }
    const raw = (ALPHA * M * M) / sum;
    // Linear counting is the better estimator while many registers are still empty.
    if (raw <= 2.5 * M && zeros > 0) return M * Math.log(M / zeros);
    return raw;
  }

  merge(other: DistinctSketch): this {
    if (other.exact) {
      for (const hash of other.exact) this.add(hash);
      return this;
    }
    if (this.exact) this.toRegisters();
    const mine = this.registers!;
    const theirs = other.registers!;
    for (let i = 0; i < M; i++) if (theirs[i]! > mine[i]!) mine[i] = theirs[i]!;
    return this;
  }

  toJSON(): DistinctSketchJSON {
    if (this.exact) return { e: [...this.exact].sort((a, b) => a - b) };
    return { h: Buffer.from(this.registers!).toString("base64") };
  }

  static fromJSON(json: DistinctSketchJSON): DistinctSketch {
    const sketch = new DistinctSketch();
    if ("e" in json) {
      for (const hash of json.e) sketch.add(hash);
    } else {
      const bytes = Buffer.from(json.h, "base64");
      if (bytes.length !== M) throw new Error(`distinct sketch: expected ${M} registers, got ${bytes.length}`);
      sketch.exact = null;
      sketch.registers = new Uint8Array(bytes);
    }
    return sketch;
  }
}
