/**
 * Duplicate-query cache for infer. The key includes the state version and params hash, so
 * an output computed on one version can never be served for another.
 *
 * Every hit hands out the same object, so the cache keeps its own deeply frozen copy of the
 * output (made once, on insert): a caller that changes the output it was given cannot change
 * a later answer. Outputs that are not plain JSON-like data (class instances, typed arrays,
 * Dates, state proxies) are not cached, since they cannot be frozen or copied faithfully.
 */
export class InferenceCache {
  private readonly entries = new Map<string, unknown>();

  constructor(private readonly capacity = 10_000) {}

  static key(trigger: string, route: string, inputHash: string, version: number, paramsHash: string): string {
    return `${trigger}\u0000${route}\u0000${version}\u0000${paramsHash}\u0000${inputHash}`;
  }

  get(key: string): { hit: true; output: unknown } | undefined {
    if (!this.entries.has(key)) return undefined;
    const output = this.entries.get(key);
    // Refresh recency: Map keeps insertion order, so the first key is the least recent.
    this.entries.delete(key);
    this.entries.set(key, output);
    return { hit: true, output };
  }

  set(key: string, output: unknown): void {
    const frozen = frozenCopy(output, 0);
    if (frozen === UNCACHEABLE) return;
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, frozen);
  }

  get size(): number {
    return this.entries.size;
  }
}

const UNCACHEABLE = Symbol("uncacheable");
const MAX_DEPTH = 100;

/** A deeply frozen copy of plain objects, arrays and primitives; UNCACHEABLE for anything else. */
function frozenCopy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== "object") return typeof value === "function" || typeof value === "symbol" ? UNCACHEABLE : value;
  if (depth > MAX_DEPTH) return UNCACHEABLE;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) {
      const v = frozenCopy(value[i], depth + 1);
      if (v === UNCACHEABLE) return UNCACHEABLE;
      out[i] = v;
    }
    return Object.freeze(out);
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return UNCACHEABLE;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const v = frozenCopy((value as Record<string, unknown>)[key], depth + 1);
    if (v === UNCACHEABLE) return UNCACHEABLE;
    out[key] = v;
  }
  return Object.freeze(out);
}
