interface PendingItem<I, R> {
  item: I;
  resolve(result: R): void;
  reject(error: unknown): void;
}

/**
 * Folds the calls made in one turn of the event loop (or within `delayMs` of the first) into one
 * call of `run` per key (a tenant), at most `maxBatch` items each: a thousand agent streams asking
 * at once (ACKs of one change, snapshot reads after a restart) cost a handful of statements
 * instead of a round trip each. `run` answers with one result per item, in the items' order; when
 * it fails, every item of that batch fails with its error.
 */
export class TickBatcher<I, R> {
  private readonly pending = new Map<string, PendingItem<I, R>[]>();

  constructor(
    private readonly run: (key: string, items: I[]) => Promise<R[]>,
    private readonly maxBatch: number,
    private readonly delayMs = 0,
  ) {}

  add(key: string, item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      let queue = this.pending.get(key);
      if (!queue) {
        queue = [];
        this.pending.set(key, queue);
        if (this.delayMs > 0) setTimeout(() => this.flush(key), this.delayMs).unref();
        else setImmediate(() => this.flush(key));
      }
      queue.push({ item, resolve, reject });
    });
  }

  private flush(key: string): void {
    const queue = this.pending.get(key) ?? [];
    this.pending.delete(key);
    for (let start = 0; start < queue.length; start += this.maxBatch) {
      const batch = queue.slice(start, start + this.maxBatch);
      Promise.resolve()
        .then(() =>
          this.run(
            key,
            batch.map((entry) => entry.item),
          ),
        )
        .then(
          (results) => batch.forEach((entry, index) => entry.resolve(results[index] as R)),
          (error: unknown) => {
            for (const entry of batch) entry.reject(error);
          },
        );
    }
  }
}
