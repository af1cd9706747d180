import { DDSketch } from './ddsketch';

/** Traffic summed over any set of minutes, clusters and edges: counts add, sketches merge. */
export class TrafficTotals {
  requests = 0;
  errors = 0;
  readonly latency = new DDSketch();

  add(requests: number, errors: number, latency: DDSketch): this {
    this.requests += requests;
    this.errors += errors;
    this.latency.merge(latency);
    return this;
  }

  /** Same as `add(requests, errors, mergeSketchJson(sketches))`, without the intermediate sketches. */
  addSketchJson(requests: number, errors: number, sketches: readonly unknown[]): this {
    this.requests += requests;
    this.errors += errors;
    this.latency.mergeJSONList(sketches);
    return this;
  }

  addTotals(other: TrafficTotals): this {
    return this.add(other.requests, other.errors, other.latency);
  }

  /** Rates over `durationMs`; percentiles in milliseconds, null when nothing was measured. */
  metrics(durationMs: number): TrafficMetrics {
    return {
      requests: this.requests,
      errors: this.errors,
      requestRate: durationMs > 0 ? this.requests / (durationMs / 1000) : 0,
      errorRate: this.requests > 0 ? this.errors / this.requests : null,
      p50: this.latency.quantile(0.5),
      p90: this.latency.quantile(0.9),
      p99: this.latency.quantile(0.99),
    };
  }
}

export interface TrafficMetrics {
  requests: number;
  errors: number;
  /** Requests per second. */
  requestRate: number;
  /** Fraction of requests that failed; null without requests. */
  errorRate: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
}

/** Totals grouped by a key; `key` must be collision-free (e.g. JSON of the parts). */
export class TrafficTotalsByKey<K> {
  private readonly entries = new Map<string, { key: K; totals: TrafficTotals }>();

  constructor(private readonly keyString: (key: K) => string) {}

  add(key: K, requests: number, errors: number, latency: DDSketch): TrafficTotals {
    const id = this.keyString(key);
    let entry = this.entries.get(id);
    if (!entry) {
      entry = { key, totals: new TrafficTotals() };
      this.entries.set(id, entry);
    }
    entry.totals.add(requests, errors, latency);
    return entry.totals;
  }

  get(key: K): TrafficTotals | undefined {
    return this.entries.get(this.keyString(key))?.totals;
  }

  get size(): number {
    return this.entries.size;
  }

  *[Symbol.iterator](): IterableIterator<{ key: K; totals: TrafficTotals }> {
    yield* this.entries.values();
  }
}

/** Stored rows carry their sketches as JSON; several sketches of one group arrive as a list. */
export function mergeSketchJson(sketches: readonly unknown[]): DDSketch {
  return new DDSketch().mergeJSONList(sketches);
}
