// Prepared statements by SQL text, at most `limit` of them. Most statements are fixed strings,
// but IN lists and filters are built per call (`?, ?, ?` for n ids), so a long-running process
// — a retention purge sizing its batches, operators filtering rows — would otherwise keep every
// variant it ever prepared. Past the limit the oldest prepared goes (first in, first out: a hit
// costs one Map lookup, nothing more); a hot statement evicted is prepared again on next use.
export class StatementCache<S> {
  private readonly entries = new Map<string, S>();

  constructor(readonly limit = 1_000) {}

  get size(): number {
    return this.entries.size;
  }

  get(sql: string, prepare: (sql: string) => S): S {
    let statement = this.entries.get(sql);
    if (statement === undefined) {
      statement = prepare(sql);
      if (this.entries.size >= this.limit) this.entries.delete(this.entries.keys().next().value!);
      this.entries.set(sql, statement);
    }
    return statement;
  }

  clear(): void {
    this.entries.clear();
  }
}
