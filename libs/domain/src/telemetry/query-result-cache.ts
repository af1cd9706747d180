/**
 * Answers of telemetry queries, kept by a key that names everything the answer depends on (the
 * caller includes a data version that changes whenever the underlying rows may have changed), so
 * an entry is never stale, only unreachable. Least recently used entries are dropped beyond
 * `maxEntries`. Concurrent requests for one key share one computation; a failed one is not kept.
 * Cached answers are shared between callers, which must not modify them.
 */
export class QueryResultCache<V> {
  private readonly entries = new Map<string, Promise<V>>();

  constructor(private readonly maxEntries: number) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, compute: () => Promise<V>): Promise<V> {
    const cached = this.entries.get(key);
    if (cached) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, cached);
      return cached;
    }
    const computed = compute();
    this.entries.set(key, computed);
    computed.catch(() => {
      if (this.entries.get(key) === computed) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return computed;
  }
}
