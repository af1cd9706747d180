interface CacheEntry<V> {
  /** The data version the answer (or the computation under way) was read at. */
  version: string;
  answer: Promise<V>;
  /** When the computation of `answer` started: its rows are at least that new. */
  startedAtMs: number;
  settled: boolean;
  /** A computation for a newer version, started while `answer` is still served. */
  refreshing: boolean;
}

/**
 * Answers of telemetry queries, kept by a key that names the question and everything but the data
 * it depends on, each answer with the data version it was read at (the caller's version changes
 * whenever the underlying rows may have changed). Concurrent requests for one key share one
 * computation; a failed one is not kept. Least recently used keys are dropped beyond `maxEntries`.
 * Cached answers are shared between callers, which must not modify them.
 *
 * Bounded staleness: while the data changes under a key (agents report every few seconds, so a
 * busy tenant's version changes all the time), an answer read at most `maxStaleMs` ago is still
 * served for a newer version, and one computation for the newest version runs meanwhile and then
 * replaces it. So a dashboard polled by many users costs one computation per key per `maxStaleMs`
 * at most, and an answer is never more than `maxStaleMs` behind the stored data. `maxStaleMs` 0
 * serves only answers of the current version.
 */
export class QueryResultCache<V> {
  private readonly entries = new Map<string, CacheEntry<V>>();

  constructor(
    private readonly maxEntries: number,
    private readonly maxStaleMs = 0,
  ) {
    if (!Number.isSafeInteger(maxEntries) || maxEntries < 1)
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    if (!Number.isFinite(maxStaleMs) || maxStaleMs < 0)
      throw new RangeError(`maxStaleMs must be a number >= 0, got ${maxStaleMs}`);
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string, version: string, compute: () => Promise<V>, now: () => number = Date.now): Promise<V> {
    const entry = this.entries.get(key);
    if (entry) {
      // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
      if (entry.version === version) return entry.answer;
      // Recent enough (also while still computing: requests share it rather than each starting one).
      if (this.maxStaleMs > 0 && now() - entry.startedAtMs <= this.maxStaleMs) {
        if (entry.settled && !entry.refreshing) this.refresh(key, entry, version, compute, now);
        return entry.answer;
      }
    }
    return this.start(key, version, compute, now).answer;
  }

  /** Computes the answer for `version` and makes it the key's entry at once (callers wait for it). */
  private start(key: string, version: string, compute: () => Promise<V>, now: () => number): CacheEntry<V> {
    const startedAtMs = now();
    const answer = compute();
    const entry: CacheEntry<V> = { version, answer, startedAtMs, settled: false, refreshing: false };
    this.entries.set(key, entry);
    answer.then(
      () => {
        entry.settled = true;
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return entry;
  }

  /** Computes the answer for `version` in the background; it replaces `stale` once it is there. */
  private refresh(
    key: string,
    stale: CacheEntry<V>,
    version: string,
    compute: () => Promise<V>,
    now: () => number,
  ): void {
    stale.refreshing = true;
    const startedAt = now();
    compute().then(
      (value) => {
        stale.refreshing = false;
        // Unless the key was dropped or recomputed meanwhile.
        if (this.entries.get(key) !== stale) return;
        this.entries.set(key, {
          version,
          answer: Promise.resolve(value),
          startedAtMs: startedAt,
          settled: true,
          refreshing: false,
        });
      },
      () => {
        // The stale answer stays until it is too old; the next request tries again.
        stale.refreshing = false;
      },
    );
  }
}
