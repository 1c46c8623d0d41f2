/**
 * Duplicate-query cache for infer. The key includes the state version and params hash, so
 * an output computed on one version can never be served for another.
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
    if (this.entries.size >= this.capacity) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, output);
  }

  get size(): number {
    return this.entries.size;
  }
}
