/**
 * DDSketch (Masson, Rim, Lee, VLDB 2019): a mergeable quantile sketch whose quantiles are within a
 * relative error `a` of the exact ones. Values are counted in logarithmic buckets: bucket `i` holds
 * values in (gamma^(i-1), gamma^i] with gamma = (1 + a) / (1 - a).
 *
 * The wire form (`SketchJSON`) mirrors the protobuf message `LatencySketch`.
 */

export const DEFAULT_RELATIVE_ACCURACY = 0.01;
export const DEFAULT_MAX_BUCKETS = 2048;
/** Latencies at or below 1 ns (in ms) are counted in the zero bucket; nothing is measured that finely. */
export const MIN_INDEXABLE_VALUE_MS = 1e-6;

export interface SketchJSON {
  relativeAccuracy: number;
  /** Bucket index of counts[0]. */
  offset: number;
  counts: number[];
  zeroCount: number;
  min: number;
  max: number;
  sum: number;
}

export interface DDSketchOptions {
  relativeAccuracy?: number;
  /** When the buckets would span more indexes than this, the lowest ones are collapsed into one. */
  maxBuckets?: number;
}

/** Sketch data that cannot be trusted or used (typically from an agent). */
export class InvalidSketchError extends Error {
  readonly code = 'INVALID_SKETCH';
  constructor(message: string) {
    super(`Invalid latency sketch: ${message}`);
    this.name = 'InvalidSketchError';
  }
}

/** Two sketches whose buckets do not line up (different relative accuracy). */
export class IncompatibleSketchError extends Error {
  readonly code = 'INCOMPATIBLE_SKETCH';
  constructor(message: string) {
    super(message);
    this.name = 'IncompatibleSketchError';
  }
}

/** Maps values to bucket indexes ("keys") and back. */
export class LogarithmicMapping {
  readonly gamma: number;
  private readonly logGamma: number;

  constructor(readonly relativeAccuracy: number) {
    if (!Number.isFinite(relativeAccuracy) || relativeAccuracy <= 0 || relativeAccuracy >= 1) {
      throw new RangeError(`relative accuracy must be in (0, 1), got ${relativeAccuracy}`);
    }
    // log1p keeps precision for small accuracies, where gamma is close to 1.
    this.logGamma = Math.log1p((2 * relativeAccuracy) / (1 - relativeAccuracy));
    this.gamma = Math.exp(this.logGamma);
  }

  /** Index of the bucket (gamma^(key-1), gamma^key] that holds a positive value. */
  key(value: number): number {
    return Math.ceil(Math.log(value) / this.logGamma);
  }

  lowerBound(key: number): number {
    return Math.exp((key - 1) * this.logGamma);
  }

  upperBound(key: number): number {
    return Math.exp(key * this.logGamma);
  }

  /** The value within relative accuracy of every value in the bucket: 2·gamma^key / (1 + gamma). */
  representative(key: number): number {
    return (2 * this.upperBound(key)) / (1 + this.gamma);
  }

  /** The smallest and largest keys a finite value above MIN_INDEXABLE_VALUE_MS can have. */
  keyRange(): { minKey: number; maxKey: number } {
    return { minKey: this.key(MIN_INDEXABLE_VALUE_MS), maxKey: this.key(Number.MAX_VALUE) };
  }
}

export class DDSketch {
  readonly relativeAccuracy: number;
  readonly maxBuckets: number;
  private readonly mapping: LogarithmicMapping;
  /**
   * Bucket counts live in `storage`, whose slot 0 is key `storageOffset`. Keys lowKey..highKey are
   * the buckets in use (none while highKey < lowKey); the storage has slack on both sides so that
   * growing one key at a time does not copy the array every time.
   */
  private storage: number[] = [];
  private storageOffset = 0;
  private lowKey = 0;
  private highKey = -1;
  private zeroCount = 0;
  private totalCount = 0;
  private minValue = Number.POSITIVE_INFINITY;
  private maxValue = Number.NEGATIVE_INFINITY;
  private sumValue = 0;

  constructor(options: DDSketchOptions = {}) {
    this.relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
    this.maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    if (!Number.isSafeInteger(this.maxBuckets) || this.maxBuckets < 1) {
      throw new RangeError(`maxBuckets must be a positive integer, got ${this.maxBuckets}`);
    }
    this.mapping = new LogarithmicMapping(this.relativeAccuracy);
  }

  get count(): number {
    return this.totalCount;
  }

  get sum(): number {
    return this.sumValue;
  }

  /** Smallest value added, or null when empty. */
  get min(): number | null {
    return this.totalCount === 0 ? null : this.minValue;
  }

  /** Largest value added, or null when empty. */
  get max(): number | null {
    return this.totalCount === 0 ? null : this.maxValue;
  }

  get isEmpty(): boolean {
    return this.totalCount === 0;
  }

  /** Adds `count` occurrences of a latency in milliseconds (>= 0). */
  add(value: number, count = 1): this {
    if (!Number.isFinite(value) || value < 0) {
      throw new RangeError(`sketch values must be finite and >= 0, got ${value}`);
    }
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    if (count === 0) return this;
    if (value <= MIN_INDEXABLE_VALUE_MS) {
      this.zeroCount += count;
    } else {
      const key = this.mapping.key(value);
      this.ensureKeyRange(key, key);
      this.addToBucket(key, count);
    }
    this.totalCount += count;
    this.sumValue += value * count;
    this.minValue = Math.min(this.minValue, value);
    this.maxValue = Math.max(this.maxValue, value);
    return this;
  }

  /** Adds every value of `other` into this sketch. */
  merge(other: DDSketch): this {
    if (other.relativeAccuracy !== this.relativeAccuracy) {
      throw new IncompatibleSketchError(
        `cannot merge sketches with different relative accuracy (${this.relativeAccuracy} and ${other.relativeAccuracy})`,
      );
    }
    if (other.totalCount === 0) return this;
    const otherRange = other.nonEmptyKeyRange();
    if (otherRange) {
      this.ensureKeyRange(otherRange.low, otherRange.high);
      for (let key = otherRange.low; key <= otherRange.high; key++) {
        const bucketCount = other.bucketCount(key);
        if (bucketCount > 0) this.addToBucket(key, bucketCount);
      }
    }
    this.zeroCount += other.zeroCount;
    this.totalCount += other.totalCount;
    this.sumValue += other.sumValue;
    this.minValue = Math.min(this.minValue, other.minValue);
    this.maxValue = Math.max(this.maxValue, other.maxValue);
    return this;
  }

  /**
   * Same result as `this.merge(merged)` where `merged` is a fresh sketch into which each
   * `DDSketch.fromJSON(input)` was merged in order (what queries do with a group of stored
   * sketches), without building a sketch per input: the inputs' buckets are added straight into
   * this sketch's storage after growing it once. Falls back to that step-by-step path, and so to its
   * errors, for anything unusual: invalid input, another accuracy, or bucket spans that would collapse.
   */
  mergeJSONList(inputs: readonly unknown[]): this {
    const parsed = parseForDirectMerge(
      inputs,
      this.relativeAccuracy,
      Math.min(this.maxBuckets, DEFAULT_MAX_BUCKETS),
    );
    if (!parsed) return this.merge(mergedStepByStep(inputs));
    if (parsed.totalCount === 0) return this;
    if (parsed.highKey >= parsed.lowKey) {
      const hasBuckets = this.highKey >= this.lowKey;
      const low = hasBuckets ? Math.min(this.lowKey, parsed.lowKey) : parsed.lowKey;
      const high = hasBuckets ? Math.max(this.highKey, parsed.highKey) : parsed.highKey;
      if (high - low + 1 > this.maxBuckets) {
        // Would collapse: keep the exact order of the step-by-step merge.
        return this.merge(mergedStepByStep(inputs));
      }
      this.ensureKeyRange(parsed.lowKey, parsed.highKey);
      const storage = this.storage;
      for (const sketch of parsed.sketches) {
        const base = sketch.offset - this.storageOffset;
        const counts = sketch.counts;
        for (let index = sketch.first; index <= sketch.last; index++) storage[base + index] += counts[index];
      }
    }
    this.zeroCount += parsed.zeroCount;
    this.totalCount += parsed.totalCount;
    this.sumValue += parsed.sum;
    this.minValue = Math.min(this.minValue, parsed.min);
    this.maxValue = Math.max(this.maxValue, parsed.max);
    return this;
  }

  clone(): DDSketch {
    const copy = new DDSketch({ relativeAccuracy: this.relativeAccuracy, maxBuckets: this.maxBuckets });
    return copy.merge(this);
  }

  /**
   * The value at quantile q (0..1), within the relative accuracy of the exact lower quantile
   * (the element of rank floor(q·(count-1)) in sorted order), or null when the sketch is empty.
   * q = 0 and q = 1 return the exact min and max.
   */
  quantile(q: number): number | null {
    if (!Number.isFinite(q) || q < 0 || q > 1) throw new RangeError(`quantile must be in [0, 1], got ${q}`);
    if (this.totalCount === 0) return null;
    if (q === 0) return this.minValue;
    if (q === 1) return this.maxValue;
    const rank = q * (this.totalCount - 1);
    let estimate = this.maxValue;
    if (rank < this.zeroCount) {
      estimate = 0;
    } else {
      let cumulative = this.zeroCount;
      for (let key = this.lowKey; key <= this.highKey; key++) {
        cumulative += this.bucketCount(key);
        if (cumulative > rank) {
          estimate = this.mapping.representative(key);
          break;
        }
      }
    }
    // The exact quantile lies in [min, max], so clamping never moves the estimate away from it.
    return Math.min(Math.max(estimate, this.minValue), this.maxValue);
  }

  /**
   * How many values are <= `value`. Values in the bucket that contains `value` count as <=, so the
   * answer is exact up to the relative accuracy of `value`.
   */
  countAtOrBelow(value: number): number {
    if (this.totalCount === 0 || value < this.minValue) return 0;
    if (value >= this.maxValue) return this.totalCount;
    let result = this.zeroCount;
    if (value <= MIN_INDEXABLE_VALUE_MS) return result;
    const lastKey = Math.min(this.mapping.key(value), this.highKey);
    for (let key = this.lowKey; key <= lastKey; key++) result += this.bucketCount(key);
    return result;
  }

  /** Canonical wire form: no zero counts at either end; an empty sketch has min = max = sum = 0. */
  toJSON(): SketchJSON {
    const range = this.nonEmptyKeyRange();
    return {
      relativeAccuracy: this.relativeAccuracy,
      offset: range ? range.low : 0,
      counts: range
        ? this.storage.slice(range.low - this.storageOffset, range.high - this.storageOffset + 1)
        : [],
      zeroCount: this.zeroCount,
      min: this.totalCount === 0 ? 0 : this.minValue,
      max: this.totalCount === 0 ? 0 : this.maxValue,
      sum: this.totalCount === 0 ? 0 : this.sumValue,
    };
  }

  /** Rebuilds a sketch from its wire form, which may come from an untrusted agent. */
  static fromJSON(input: unknown, options: Pick<DDSketchOptions, 'maxBuckets'> = {}): DDSketch {
    const maxBuckets = options.maxBuckets ?? DEFAULT_MAX_BUCKETS;
    const json = parseSketchJson(input, maxBuckets);
    const sketch = new DDSketch({ relativeAccuracy: json.relativeAccuracy, maxBuckets });
    const { offset, counts } = json;
    let totalCount = json.zeroCount;
    if (counts.length > 0) {
      sketch.ensureKeyRange(offset, offset + counts.length - 1);
      counts.forEach((bucketCount, index) => sketch.addToBucket(offset + index, bucketCount));
      for (const bucketCount of counts) totalCount += bucketCount;
    }
    sketch.zeroCount = json.zeroCount;
    sketch.totalCount = totalCount;
    if (totalCount > 0) {
      sketch.minValue = json.min;
      sketch.maxValue = json.max;
      sketch.sumValue = json.sum;
    }
    return sketch;
  }

  private bucketCount(key: number): number {
    return this.storage[key - this.storageOffset];
  }

  /** Adds to a key made addressable by ensureKeyRange; keys below the lowest kept bucket go into it. */
  private addToBucket(key: number, count: number): void {
    this.storage[Math.max(key, this.lowKey) - this.storageOffset] += count;
  }

  /**
   * Makes [lowKey, highKey] addressable. When the span would exceed maxBuckets, the lowest keys are
   * collapsed into the lowest kept bucket (addToBucket then clamps keys below it up to it), so high
   * quantiles — the ones latency SLOs care about — keep their accuracy.
   */
  private ensureKeyRange(lowKey: number, highKey: number): void {
    const hasBuckets = this.highKey >= this.lowKey;
    let newLow = hasBuckets ? Math.min(this.lowKey, lowKey) : lowKey;
    const newHigh = hasBuckets ? Math.max(this.highKey, highKey) : highKey;
    if (newHigh - newLow + 1 > this.maxBuckets) newLow = newHigh - this.maxBuckets + 1;
    let collapsed = 0;
    if (hasBuckets) {
      for (let key = this.lowKey; key < newLow && key <= this.highKey; key++) {
        collapsed += this.bucketCount(key);
        this.storage[key - this.storageOffset] = 0;
      }
    }
    if (newLow < this.storageOffset || newHigh >= this.storageOffset + this.storage.length) {
      const slack = Math.max(16, (newHigh - newLow + 1) >> 1);
      const storage = new Array<number>(newHigh - newLow + 1 + 2 * slack).fill(0);
      const storageOffset = newLow - slack;
      if (hasBuckets) {
        for (let key = Math.max(this.lowKey, newLow); key <= this.highKey; key++) {
          storage[key - storageOffset] = this.bucketCount(key);
        }
      }
      this.storage = storage;
      this.storageOffset = storageOffset;
    }
    this.storage[newLow - this.storageOffset] += collapsed;
    this.lowKey = newLow;
    this.highKey = newHigh;
  }

  private nonEmptyKeyRange(): { low: number; high: number } | null {
    let low = this.lowKey;
    while (low <= this.highKey && this.bucketCount(low) === 0) low++;
    if (low > this.highKey) return null;
    let high = this.highKey;
    while (this.bucketCount(high) === 0) high--;
    return { low, high };
  }
}

function finiteNumber(fields: Record<string, unknown>, name: string): number {
  const value = fields[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidSketchError(
      `${name} must be a finite number, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}

function checkCount(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new InvalidSketchError(`${name} must be a non-negative integer, got ${value}`);
  }
}

/**
 * Checks untrusted sketch data (an agent's LatencySketch) as `DDSketch.fromJSON` does, without
 * building a sketch: the ingest stores what passes as it is. Returns a plain `SketchJSON` with
 * exactly its fields; an empty sketch (no counts) gets min, max and sum 0, as `toJSON` writes it.
 */
export function parseSketchJson(input: unknown, maxBuckets = DEFAULT_MAX_BUCKETS): SketchJSON {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidSketchError('expected an object');
  }
  const fields = input as Record<string, unknown>;
  const relativeAccuracy = finiteNumber(fields, 'relativeAccuracy');
  if (relativeAccuracy <= 0 || relativeAccuracy >= 1) {
    throw new InvalidSketchError(`relativeAccuracy must be in (0, 1), got ${relativeAccuracy}`);
  }
  const offset = finiteNumber(fields, 'offset');
  if (!Number.isSafeInteger(offset)) throw new InvalidSketchError(`offset must be an integer, got ${offset}`);
  const rawCounts: unknown = fields['counts'];
  if (!Array.isArray(rawCounts)) throw new InvalidSketchError('counts must be an array');
  if (rawCounts.length > maxBuckets) {
    throw new InvalidSketchError(
      `counts has ${rawCounts.length} buckets, more than the limit of ${maxBuckets}`,
    );
  }
  const zeroCount = finiteNumber(fields, 'zeroCount');
  checkCount(zeroCount, 'zeroCount');
  let totalCount = zeroCount;
  for (let index = 0; index < rawCounts.length; index++) {
    const bucketCount: unknown = rawCounts[index];
    if (typeof bucketCount !== 'number') throw new InvalidSketchError(`counts[${index}] must be a number`);
    checkCount(bucketCount, `counts[${index}]`);
    totalCount += bucketCount;
  }
  if (!Number.isSafeInteger(totalCount)) throw new InvalidSketchError('total count is too large');
  const { minKey, maxKey } = keyRangeOf(relativeAccuracy);
  if (rawCounts.length > 0 && (offset < minKey || offset + rawCounts.length - 1 > maxKey)) {
    throw new InvalidSketchError(
      `bucket indexes ${offset}..${offset + rawCounts.length - 1} are outside the representable range ${minKey}..${maxKey}`,
    );
  }
  const min = finiteNumber(fields, 'min');
  const max = finiteNumber(fields, 'max');
  const sum = finiteNumber(fields, 'sum');
  if (totalCount > 0) {
    if (min < 0 || max < min)
      throw new InvalidSketchError(`min and max must satisfy 0 <= min <= max, got ${min} and ${max}`);
    if (sum < 0) throw new InvalidSketchError(`sum must be >= 0, got ${sum}`);
  }
  const empty = totalCount === 0;
  return {
    relativeAccuracy,
    offset,
    counts: rawCounts as number[],
    zeroCount,
    min: empty ? 0 : min,
    max: empty ? 0 : max,
    sum: empty ? 0 : sum,
  };
}

/** The bucket keys a finite value can have under an accuracy (cached; see LogarithmicMapping.keyRange). */
export function keyRangeOf(relativeAccuracy: number): { minKey: number; maxKey: number } {
  let keyRange = keyRanges.get(relativeAccuracy);
  if (!keyRange) {
    keyRange = new LogarithmicMapping(relativeAccuracy).keyRange();
    // Bounded: only a handful of accuracies are ever seen (the ingest accepts one).
    if (keyRanges.size < 16) keyRanges.set(relativeAccuracy, keyRange);
  }
  return keyRange;
}

/** A fresh sketch into which each `DDSketch.fromJSON(input)` was merged in order. */
function mergedStepByStep(inputs: readonly unknown[]): DDSketch {
  const merged = new DDSketch();
  for (const input of inputs) merged.merge(DDSketch.fromJSON(input));
  return merged;
}

interface DirectMergeInput {
  offset: number;
  counts: readonly number[];
  /** Indexes of the first and last non-zero count. */
  first: number;
  last: number;
}

interface DirectMergeTotals {
  sketches: DirectMergeInput[];
  lowKey: number;
  highKey: number;
  zeroCount: number;
  totalCount: number;
  /** Summed from 0 in input order, as merging into a fresh sketch does. */
  sum: number;
  min: number;
  max: number;
}

const keyRanges = new Map<number, { minKey: number; maxKey: number }>();

/**
 * The inputs' totals when every input passes fromJSON's checks with the given accuracy and none is
 * wider than maxBuckets; null otherwise (the caller then takes the step-by-step path).
 */
function parseForDirectMerge(
  inputs: readonly unknown[],
  relativeAccuracy: number,
  maxBuckets: number,
): DirectMergeTotals | null {
  const keyRange = keyRangeOf(relativeAccuracy);
  const result: DirectMergeTotals = {
    sketches: [],
    lowKey: 0,
    highKey: -1,
    zeroCount: 0,
    totalCount: 0,
    sum: 0,
    min: Number.POSITIVE_INFINITY,
    max: Number.NEGATIVE_INFINITY,
  };
  for (const input of inputs) {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return null;
    const fields = input as Partial<Record<keyof SketchJSON, unknown>>;
    const { relativeAccuracy: accuracy, offset, counts, zeroCount, min, max, sum } = fields;
    if (accuracy !== relativeAccuracy || typeof offset !== 'number' || !Number.isSafeInteger(offset))
      return null;
    if (!Array.isArray(counts) || counts.length > maxBuckets) return null;
    if (typeof zeroCount !== 'number' || !Number.isSafeInteger(zeroCount) || zeroCount < 0) return null;
    if (typeof min !== 'number' || typeof max !== 'number' || typeof sum !== 'number') return null;
    if (!Number.isFinite(min) || !Number.isFinite(max) || !Number.isFinite(sum)) return null;
    let total = zeroCount;
    let first = -1;
    let last = -1;
    for (let index = 0; index < counts.length; index++) {
      const count: unknown = counts[index];
      if (typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) return null;
      if (count > 0) {
        if (first < 0) first = index;
        last = index;
        total += count;
      }
    }
    if (!Number.isSafeInteger(total)) return null;
    if (counts.length > 0 && (offset < keyRange.minKey || offset + counts.length - 1 > keyRange.maxKey))
      return null;
    if (total === 0) continue;
    if (min < 0 || max < min || sum < 0) return null;
    if (first >= 0) {
      // offset + 0 would turn a key of -0 into 0, which the step-by-step path keeps.
      const low = first === 0 ? offset : offset + first;
      const high = last === 0 ? offset : offset + last;
      const hasKeys = result.highKey >= result.lowKey;
      result.lowKey = hasKeys ? Math.min(result.lowKey, low) : low;
      result.highKey = hasKeys ? Math.max(result.highKey, high) : high;
      if (result.highKey - result.lowKey + 1 > maxBuckets) return null;
      result.sketches.push({ offset, counts: counts as number[], first, last });
    }
    result.zeroCount += zeroCount;
    result.totalCount += total;
    result.sum += sum;
    result.min = Math.min(result.min, min);
    result.max = Math.max(result.max, max);
  }
  return Number.isSafeInteger(result.totalCount) ? result : null;
}
