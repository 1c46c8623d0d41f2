// The window of earlier valid partitions, kept as one sorted array per (column, history kind,
// statistic), so that sliding the window by a partition costs a sorted insert and a removal per
// statistic instead of re-reading and re-sorting every partition of the window. Everything a
// baseline needs (median, MAD, extremes, share mean, noise median) is read off the sorted
// arrays, so the result depends only on which partitions are in the window, never on the order
// they were added or removed in: a window built at once and one slid into place agree exactly.
import { COLUMN_KINDS } from "./column-profile.ts";
import { columnarOf, COVERAGE, KIND_STATISTICS, kindCount, noiseOf, valueFor, type ColumnarColumn, type ColumnarSummary } from "./columnar-summary.ts";
import { type PartitionSummary } from "./summary.ts";

/** A multiset of numbers, sorted on demand (bulk loads) or kept sorted (single updates). */
export class SortedValues {
  values = new Float64Array(8);
  size = 0;
  private dirty = false;

  add(x: number): void {
    if (this.size === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    if (this.dirty || this.size === 0) {
      this.values[this.size++] = x;
      this.dirty = this.size > 1;
      return;
    }
    // Shift by hand: windows hold tens of values, where a copyWithin call costs more than the copy.
    const v = this.values;
    let i = this.size++;
    while (i > 0 && v[i - 1]! > x) {
      v[i] = v[i - 1]!;
      i--;
    }
    v[i] = x;
  }

  remove(x: number): void {
    this.sort();
    const at = this.lowerBound(x);
    if (at >= this.size || this.values[at] !== x) throw new Error(`history window: removing ${x}, which it does not hold`);
    const v = this.values;
    const last = --this.size;
    for (let i = at; i < last; i++) v[i] = v[i + 1]!;
  }

  /** Removes `x` and inserts `y` in one pass: only the values between them move. */
  replace(x: number, y: number): void {
    this.sort();
    let at = this.lowerBound(x);
    const v = this.values;
    if (at >= this.size || v[at] !== x) throw new Error(`history window: removing ${x}, which it does not hold`);
    if (y > x) {
      while (at + 1 < this.size && v[at + 1]! < y) {
        v[at] = v[at + 1]!;
        at++;
      }
    } else {
      while (at > 0 && v[at - 1]! > y) {
        v[at] = v[at - 1]!;
        at--;
      }
    }
    v[at] = y;
  }

  /** Sorts after bulk adds; a no-op when already sorted. */
  sort(): Float64Array {
    if (this.dirty) {
      this.values.subarray(0, this.size).sort();
      this.dirty = false;
    }
    return this.values;
  }

  median(): number {
    const n = this.size;
    if (n === 0) return Number.NaN;
    const v = this.sort();
    const mid = n >> 1;
    return n % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
  }

  private lowerBound(x: number): number {
    let lo = 0;
    let hi = this.size;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.values[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** One (column, history kind, statistic) over the window. */
export class StatisticWindow {
  /** Values on the comparison scale (signed log for level statistics; shares as measured). */
  readonly values = new SortedValues();
  /** Standard errors the partitions reported for this statistic. */
  readonly noise = new SortedValues();
  /** Sum of the statistic's denominators over the partitions that gave a value. */
  denominators = 0;
}

/**
 * Value frequencies pooled over the window's partitions of one kind: value hash → count, in an
 * open-addressing table of typed arrays. Hashes are 30-bit, well mixed (hash.ts), non-negative:
 * -1 marks an empty slot. Entries that fall to zero stay until the next resize, so a lookup
 * never needs tombstones.
 *
 * The table is built only while some partition needs it (one in the window, or the one being
 * judged, has a value counted MIN_VALUE_COUNT times): a near-continuous numeric column keeps
 * ~100 distinct values per partition, none of them frequent, and updating its table at every
 * slide was most of the detector's time. Counts are sums of integers, so a table built late
 * holds exactly what one kept all along would.
 */
export class PooledValues {
  private keys: Int32Array | null = null;
  private counts = new Float64Array(0);
  private used = 0;
  /** Values of the kind over the partitions that carry value counts (the shares' denominator). */
  total = 0;
  /** Partitions that contributed. */
  partitions = 0;
  /** The contributing partitions' columns (with multiplicity), to build the table from. */
  readonly members: ColumnarColumn[] = [];
  /** How many of `members` have a frequent value: while none has, the table is not kept. */
  frequentMembers = 0;

  /** Count of `hash` over the window; call ensure() first. */
  get(hash: number): number {
    const keys = this.keys!;
    const mask = keys.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === hash) return this.counts[i]!;
      if (k === -1) return 0;
    }
  }

  /** Builds the table from the members if it is not kept. */
  ensure(): void {
    if (this.keys) return;
    let pairs = 0;
    for (const m of this.members) pairs += m.values!.length / 2;
    this.keys = new Int32Array(tableSize(pairs)).fill(-1);
    this.counts = new Float64Array(this.keys.length);
    this.used = 0;
    for (const m of this.members) this.count(m.values!, 1);
  }

  private slot(hash: number): number {
    const keys = this.keys!;
    const mask = keys.length - 1;
    for (let i = hash & mask; ; i = (i + 1) & mask) {
      const k = keys[i]!;
      if (k === hash) return i;
      if (k === -1) {
        keys[i] = hash;
        this.used++;
        return i;
      }
    }
  }

  private count(flat: readonly number[], sign: 1 | -1): void {
    if (2 * (this.used + flat.length / 2) > this.keys!.length) this.resize(this.used + flat.length / 2);
    for (let i = 0; i + 1 < flat.length; i += 2) this.counts[this.slot(flat[i]!)]! += sign * flat[i + 1]!;
  }

  update(c: ColumnarColumn, sign: 1 | -1): void {
    const frequent = c.repeated!.length > 0;
    if (sign > 0) {
      this.members.push(c);
      if (frequent) this.frequentMembers++;
    } else {
      // Order does not matter (sums and maxima only): swap-remove.
      const at = this.members.lastIndexOf(c);
      this.members[at] = this.members[this.members.length - 1]!;
      this.members.pop();
      if (frequent) this.frequentMembers--;
    }
    this.total += sign * kindCount(c);
    this.partitions += sign;
    if (this.frequentMembers === 0) this.keys = null;
    else if (this.keys) this.count(c.values!, sign);
  }

  /** Rehashes the live (non-zero) entries into a table with room for `needed` more. */
  private resize(needed: number): void {
    const keys = this.keys!;
    const counts = this.counts;
    let live = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1 && counts[i] !== 0) live++;
    this.keys = new Int32Array(tableSize(live + needed)).fill(-1);
    this.counts = new Float64Array(this.keys.length);
    this.used = 0;
    for (let i = 0; i < keys.length; i++) if (keys[i] !== -1 && counts[i] !== 0) this.counts[this.slot(keys[i]!)] = counts[i]!;
  }
}

function tableSize(entries: number): number {
  let size = 64;
  while (size < 4 * entries) size *= 2;
  return size;
}

interface KindWindow {
  /** One StatisticWindow per statistic index (sparse). */
  statistics: StatisticWindow[];
  pooled: PooledValues;
}

interface ColumnWindow {
  /** Partitions in the window whose column has values, by majority kind. */
  votes: Int32Array;
  /** Per kind with votes. */
  byKind: (KindWindow | null)[];
}

/** Maps a statistic's value onto the scale it is compared on. */
export type Scale = (statistic: number, value: number) => number;

export class HistoryWindow {
  /** Summaries in the window with their multiplicity. */
  readonly members = new Map<PartitionSummary, number>();
  readonly columns = new Map<string, ColumnWindow>();
  size = 0;

  constructor(private readonly scale: Scale) {}

  add(summary: PartitionSummary): void {
    this.members.set(summary, (this.members.get(summary) ?? 0) + 1);
    this.size++;
    const columnar = columnarOf(summary);
    for (const [name, c] of columnar.columns) {
      let column = this.columns.get(name);
      if (!column) this.columns.set(name, (column = { votes: new Int32Array(COLUMN_KINDS.length), byKind: COLUMN_KINDS.map(() => null) }));
      if (c.count > 0 && ++column.votes[c.kind]! === 1) {
        // A kind new to this column's window: its statistics start from every member (this one included).
        column.byKind[c.kind] = { statistics: [], pooled: new PooledValues() };
        for (const [member, times] of this.members) {
          const m = columnarOf(member);
          const mc = m.columns.get(name);
          if (mc) for (let t = 0; t < times; t++) this.contribute(column.byKind[c.kind]!, c.kind, mc, m, 1);
        }
        for (let k = 0; k < COLUMN_KINDS.length; k++) if (k !== c.kind && column.byKind[k]) this.contribute(column.byKind[k]!, k, c, columnar, 1);
        continue;
      }
      for (let k = 0; k < COLUMN_KINDS.length; k++) if (column.byKind[k]) this.contribute(column.byKind[k]!, k, c, columnar, 1);
    }
  }

  remove(summary: PartitionSummary): void {
    const times = this.members.get(summary);
    if (!times) throw new Error("history window: removing a partition it does not hold");
    if (times === 1) this.members.delete(summary);
    else this.members.set(summary, times - 1);
    this.size--;
    const columnar = columnarOf(summary);
    for (const [name, c] of columnar.columns) {
      const column = this.columns.get(name)!;
      for (let k = 0; k < COLUMN_KINDS.length; k++) if (column.byKind[k]) this.contribute(column.byKind[k]!, k, c, columnar, -1);
      if (c.count > 0 && --column.votes[c.kind]! === 0) column.byKind[c.kind] = null;
      if (column.byKind.every((k) => k === null) && !this.holds(name)) this.columns.delete(name);
    }
  }

  /**
   * Slides the window by one partition: `outgoing` leaves, `incoming` joins. When both have the
   * same columns with the same majority kinds (the usual case), each statistic's sorted values
   * are updated in one pass instead of a removal and an insert; otherwise it is add + remove.
   * Either way the window ends up holding the same multiset.
   */
  replace(outgoing: PartitionSummary, incoming: PartitionSummary): void {
    if (outgoing === incoming) {
      if (!this.members.has(outgoing)) throw new Error("history window: removing a partition it does not hold");
      return;
    }
    const a = columnarOf(outgoing);
    const b = columnarOf(incoming);
    if (!this.members.has(outgoing) || !sameShape(a, b)) {
      this.add(incoming);
      this.remove(outgoing);
      return;
    }
    const times = this.members.get(outgoing)!;
    if (times === 1) this.members.delete(outgoing);
    else this.members.set(outgoing, times - 1);
    this.members.set(incoming, (this.members.get(incoming) ?? 0) + 1);
    for (const [name, cb] of b.columns) {
      const ca = a.columns.get(name)!;
      const column = this.columns.get(name)!;
      for (let k = 0; k < COLUMN_KINDS.length; k++) if (column.byKind[k]) this.swap(column.byKind[k]!, k, ca, a, cb, b);
    }
  }

  private swap(into: KindWindow, kind: number, ca: ColumnarColumn, a: ColumnarSummary, cb: ColumnarColumn, b: ColumnarSummary): void {
    if (cb.kind === kind && cb.values) into.pooled.update(cb, 1);
    if (ca.kind === kind && ca.values) into.pooled.update(ca, -1);
    const windows = into.statistics;
    for (const s of KIND_STATISTICS[kind]!) {
      const oldValue = valueFor(ca, kind, s);
      const newValue = valueFor(cb, kind, s);
      const oldNoise = ca.kind === kind ? noiseOf(ca, s) : Number.NaN;
      const newNoise = cb.kind === kind ? noiseOf(cb, s) : Number.NaN;
      if (Number.isNaN(newValue) && Number.isNaN(newNoise) && Number.isNaN(oldValue) && Number.isNaN(oldNoise)) continue;
      let w = windows[s];
      if (!w) windows[s] = w = new StatisticWindow();
      pair(w.noise, oldNoise, newNoise);
      if (!Number.isNaN(oldValue)) w.denominators -= s === COVERAGE ? a.rows : ca.count;
      if (!Number.isNaN(newValue)) w.denominators += s === COVERAGE ? b.rows : cb.count;
      pair(w.values, Number.isNaN(oldValue) ? oldValue : this.scale(s, oldValue), Number.isNaN(newValue) ? newValue : this.scale(s, newValue));
    }
  }

  private holds(name: string): boolean {
    for (const member of this.members.keys()) if (columnarOf(member).columns.has(name)) return true;
    return false;
  }

  private contribute(into: KindWindow, kind: number, c: ColumnarColumn, partition: ColumnarSummary, sign: 1 | -1): void {
    const windows = into.statistics;
    if (c.kind === kind && c.values) into.pooled.update(c, sign);
    for (const s of KIND_STATISTICS[kind]!) {
      let w = windows[s];
      const noise = c.kind === kind ? noiseOf(c, s) : Number.NaN;
      const value = valueFor(c, kind, s);
      if (Number.isNaN(value) && Number.isNaN(noise)) continue;
      if (!w) windows[s] = w = new StatisticWindow();
      if (!Number.isNaN(noise)) {
        if (sign > 0) w.noise.add(noise);
        else w.noise.remove(noise);
      }
      if (Number.isNaN(value)) continue;
      const scaled = this.scale(s, value);
      if (sign > 0) w.values.add(scaled);
      else w.values.remove(scaled);
      w.denominators += sign * (s === COVERAGE ? partition.rows : c.count);
    }
  }

  /**
   * The kind the window's partitions mostly had for this column (ties: the kind seen first in
   * window order), or -1 when no partition had values.
   */
  kindOf(name: string, ordered: readonly PartitionSummary[]): number {
    const column = this.columns.get(name);
    if (!column) return -1;
    let best = -1;
    let most = 0;
    let tied = false;
    for (let k = 0; k < COLUMN_KINDS.length; k++) {
      const v = column.votes[k]!;
      if (v > most) [best, most, tied] = [k, v, false];
      else if (v === most && v > 0) tied = true;
    }
    if (!tied) return best;
    for (const p of ordered) {
      const c = columnarOf(p).columns.get(name);
      if (c && c.count > 0 && column.votes[c.kind] === most) return c.kind;
    }
    return best;
  }
}

/** One value out and one in (either may be NaN: none). */
function pair(values: SortedValues, out: number, into: number): void {
  if (out === into) return; // the same value out and in (coverage 1 in both): nothing moves
  const hasOut = !Number.isNaN(out);
  const hasIn = !Number.isNaN(into);
  if (hasOut && hasIn) values.replace(out, into);
  else if (hasOut) values.remove(out);
  else if (hasIn) values.add(into);
}

/** Same columns, each with the same majority kind and the same presence of values: a slide changes no column's kind votes. */
function sameShape(a: ColumnarSummary, b: ColumnarSummary): boolean {
  if (a.columns.size !== b.columns.size) return false;
  for (const [name, cb] of b.columns) {
    const ca = a.columns.get(name);
    if (!ca || ca.kind !== cb.kind || ca.count > 0 !== cb.count > 0) return false;
  }
  return true;
}

/**
 * A few recent windows, reused by detect(): a check judges partitions oldest first, each
 * against the window of the one before moved on by a partition, so the closest pooled window
 * is slid into place (a removal and an insert per statistic) instead of built again.
 */
export class WindowPool {
  private readonly windows: HistoryWindow[] = [];

  constructor(private readonly scale: Scale, private readonly capacity: number) {}

  windowOf(ordered: readonly PartitionSummary[]): HistoryWindow {
    const wanted = new Map<PartitionSummary, number>();
    for (const p of ordered) wanted.set(p, (wanted.get(p) ?? 0) + 1);
    let best = -1;
    let bestCost = ordered.length / 2;
    for (let i = 0; i < this.windows.length; i++) {
      const w = this.windows[i]!;
      let shared = 0;
      for (const [p, times] of wanted) shared += Math.min(times, w.members.get(p) ?? 0);
      const cost = w.size - shared + (ordered.length - shared);
      if (cost <= bestCost) [best, bestCost] = [i, cost];
    }
    let window: HistoryWindow;
    if (best < 0) {
      window = new HistoryWindow(this.scale);
      for (const p of ordered) window.add(p);
      if (this.windows.length >= this.capacity) this.windows.pop();
    } else {
      window = this.windows.splice(best, 1)[0]!;
      const leaving: PartitionSummary[] = [];
      const joining: PartitionSummary[] = [];
      for (const [p, times] of window.members) for (let t = wanted.get(p) ?? 0; t < times; t++) leaving.push(p);
      for (const [p, times] of wanted) for (let t = window.members.get(p) ?? 0; t < times; t++) joining.push(p);
      // Paired, a partition leaving and one joining cost one pass per statistic.
      const paired = Math.min(leaving.length, joining.length);
      for (let i = 0; i < paired; i++) window.replace(leaving[i]!, joining[i]!);
      for (let i = paired; i < leaving.length; i++) window.remove(leaving[i]!);
      for (let i = paired; i < joining.length; i++) window.add(joining[i]!);
    }
    this.windows.unshift(window);
    return window;
  }
}
