import {
  DDSketch,
  DEFAULT_RELATIVE_ACCURACY,
  LogarithmicMapping,
  MIN_INDEXABLE_VALUE_MS,
  MINUTE_MS,
  minuteStart,
  type SketchJSON,
  type TelemetryItem,
} from '@lattice/domain';
import { deriveSeed, SeededRandom } from '@lattice/platform';
import { compareTelemetryItems } from './telemetry-item.util';

export type LatencyDistributionKind = 'lognormal' | 'normal' | 'exponential' | 'constant';

/**
 * A latency distribution given by its median and 99th percentile.
 * - lognormal, normal: p99Ms is required (> p50Ms, or equal for no spread). A normal distribution
 *   is clamped at 0 ms, which leaves its p50 and p99 unchanged.
 * - exponential: without p99Ms a plain exponential (p99 = p50 · ln 100 / ln 2 ≈ 6.64 · p50); with it,
 *   a shifted exponential (a fixed floor plus an exponential tail), so p99Ms may be at most 6.64 · p50Ms.
 * - constant: every request takes p50Ms; p99Ms, if given, must equal it.
 */
export interface LatencySpec {
  distribution: LatencyDistributionKind;
  p50Ms: number;
  p99Ms?: number;
}

export interface ServiceRef {
  namespace: string;
  service: string;
}

/**
 * One edge a cluster reports. Reports follow the attribution model of real telemetry: a cluster
 * reports the traffic its own services receive (the destination runs in the reporting cluster),
 * naming the caller's cluster in `source.cluster` when the caller runs elsewhere; only calls to a
 * destination outside the mesh are reported by the calling cluster.
 */
export interface SyntheticEdge {
  source: ServiceRef & { cluster?: string };
  destination: ServiceRef;
  requestsPerSecond: number;
  /** Fraction of requests that fail, in [0, 1]. */
  errorRatio: number;
  latency: LatencySpec;
  /** Past minutes the agent reports once, on its first collection (see generateSyntheticHistory). */
  history?: SyntheticEdgeHistory;
}

/**
 * The edge's past, ending at the minute the agent first collects: `minutes` minutes at the edge's
 * rate and latency, failing at `errorRatio` (default: the edge's own) except for the last
 * `incidentMinutes` (default 0), which fail at the edge's current errorRatio — "it started failing
 * that long ago". Gives a demo's SLOs a budget and burn-rate windows to judge from the start.
 */
export interface SyntheticEdgeHistory {
  minutes: number;
  errorRatio?: number;
  incidentMinutes?: number;
}

export interface SyntheticTrafficConfig {
  seed: number;
  /** Minutes that start in [fromUnixMs, toUnixMs) are generated (both are rounded down to a minute). */
  fromUnixMs: number;
  toUnixMs: number;
  edges: SyntheticEdge[];
}

export interface ConfigProblem {
  /** Where the problem is, e.g. `edges[2].latency.p99Ms`. */
  path: string;
  message: string;
}

export class InvalidSyntheticTrafficConfigError extends Error {
  readonly code = 'INVALID_SYNTHETIC_TRAFFIC_CONFIG';
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `Invalid synthetic traffic config: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
    this.name = 'InvalidSyntheticTrafficConfigError';
  }
}

/** z such that Φ(z) = 0.99. */
const Z_99 = 2.3263478740408408;
const LN_2 = Math.LN2;
const LN_100 = Math.log(100);
const MAX_EXPONENTIAL_P99_RATIO = LN_100 / LN_2;
/** Up to this many requests per minute and edge, each latency is sampled; above, buckets are sampled. */
const PER_REQUEST_SAMPLING_LIMIT = 512;
/** Keeps a config from asking for years of per-minute items by mistake. */
const MAX_MINUTES = 366 * 24 * 60;
/**
 * The controller refuses minutes older than its minute retention (LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS,
 * default 7 days): an hour less leaves room for the agent to start a while after reading the file.
 */
export const MAX_HISTORY_MINUTES = 7 * 24 * 60 - 60;
/**
 * History items of all edges together: at most half the agent's default telemetry backlog (120
 * batches of 1,000 items), so live minutes queued behind the history are never dropped for it.
 */
export const MAX_HISTORY_ITEMS = 60_000;
const DISTRIBUTIONS: readonly LatencyDistributionKind[] = ['lognormal', 'normal', 'exponential', 'constant'];
const HISTORY_FIELDS: readonly string[] = ['minutes', 'errorRatio', 'incidentMinutes'];

/** Checks a config (for example parsed from YAML) and lists every problem found; empty when valid. */
export function validateSyntheticTrafficConfig(input: unknown): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (path: string, message: string): void => {
    problems.push({ path, message });
  };
  if (!isRecord(input)) return [{ path: '', message: 'must be an object' }];
  if (!isFiniteNumber(input['seed']) || !Number.isInteger(input['seed']))
    report('seed', 'must be an integer');
  const from = input['fromUnixMs'];
  const to = input['toUnixMs'];
  if (!isFiniteNumber(from)) report('fromUnixMs', 'must be a finite number (Unix milliseconds)');
  if (!isFiniteNumber(to)) report('toUnixMs', 'must be a finite number (Unix milliseconds)');
  if (isFiniteNumber(from) && isFiniteNumber(to)) {
    if (to <= from) report('toUnixMs', 'must be after fromUnixMs');
    else if ((to - from) / MINUTE_MS > MAX_MINUTES)
      report('toUnixMs', `the range may span at most ${MAX_MINUTES} minutes`);
  }
  const edges = input['edges'];
  if (!Array.isArray(edges)) {
    report('edges', 'must be an array');
    return problems;
  }
  edges.forEach((edge: unknown, index) => validateEdge(edge, `edges[${index}]`, report));
  const historyItems = edges.reduce<number>((sum, edge: unknown) => {
    const minutes = isRecord(edge) && isRecord(edge['history']) ? edge['history']['minutes'] : 0;
    return sum + (isFiniteNumber(minutes) && minutes > 0 ? minutes : 0);
  }, 0);
  if (historyItems > MAX_HISTORY_ITEMS) {
    report(
      'edges',
      `history adds up to ${historyItems} minutes over all edges, more than ${MAX_HISTORY_ITEMS} (the agent's telemetry backlog must hold it)`,
    );
  }
  return problems;
}

function validateHistory(
  history: unknown,
  path: string,
  report: (path: string, message: string) => void,
): void {
  if (!isRecord(history)) {
    report(path, 'must be an object with minutes (and optionally errorRatio, incidentMinutes)');
    return;
  }
  for (const key of Object.keys(history)) {
    if (!HISTORY_FIELDS.includes(key))
      report(`${path}.${key}`, `is not a history field (${HISTORY_FIELDS.join(', ')})`);
  }
  const minutes = history['minutes'];
  const minutesValid =
    isFiniteNumber(minutes) && Number.isInteger(minutes) && minutes >= 1 && minutes <= MAX_HISTORY_MINUTES;
  if (!minutesValid) {
    report(
      `${path}.minutes`,
      `must be an integer from 1 to ${MAX_HISTORY_MINUTES} (7 days less an hour: the controller refuses minutes older than its 7-day minute retention), got ${String(minutes)}`,
    );
  }
  const errorRatio = history['errorRatio'];
  if (errorRatio !== undefined && (!isFiniteNumber(errorRatio) || errorRatio < 0 || errorRatio > 1))
    report(`${path}.errorRatio`, `must be a number in [0, 1] when given, got ${String(errorRatio)}`);
  const incident = history['incidentMinutes'];
  if (incident === undefined) return;
  if (!isFiniteNumber(incident) || !Number.isInteger(incident) || incident < 0) {
    report(`${path}.incidentMinutes`, `must be an integer >= 0 when given, got ${String(incident)}`);
  } else if (minutesValid && incident > (minutes as number)) {
    report(`${path}.incidentMinutes`, `must be at most minutes (${String(minutes)}), got ${incident}`);
  }
}

function validateEdge(edge: unknown, path: string, report: (path: string, message: string) => void): void {
  if (!isRecord(edge)) {
    report(path, 'must be an object');
    return;
  }
  for (const end of ['source', 'destination']) {
    const ref = edge[end];
    if (!isRecord(ref)) {
      report(`${path}.${end}`, 'must be an object with namespace and service');
      continue;
    }
    for (const field of ['namespace', 'service']) {
      const name = ref[field];
      if (typeof name !== 'string' || name.length === 0)
        report(`${path}.${end}.${field}`, 'must be a non-empty string');
    }
  }
  const source = edge['source'];
  if (
    isRecord(source) &&
    source['cluster'] !== undefined &&
    (typeof source['cluster'] !== 'string' || source['cluster'] === '')
  ) {
    report(
      `${path}.source.cluster`,
      'must be a non-empty string (the cluster the caller runs in) when given',
    );
  }
  const rate = edge['requestsPerSecond'];
  if (!isFiniteNumber(rate) || rate < 0)
    report(`${path}.requestsPerSecond`, `must be a number >= 0, got ${String(rate)}`);
  const errorRatio = edge['errorRatio'];
  if (!isFiniteNumber(errorRatio) || errorRatio < 0 || errorRatio > 1) {
    report(`${path}.errorRatio`, `must be a number in [0, 1], got ${String(errorRatio)}`);
  }
  if (edge['history'] !== undefined) validateHistory(edge['history'], `${path}.history`, report);
  const latency = edge['latency'];
  if (!isRecord(latency)) {
    report(`${path}.latency`, 'must be an object');
    return;
  }
  const distribution = latency['distribution'];
  if (typeof distribution !== 'string' || !DISTRIBUTIONS.includes(distribution as LatencyDistributionKind)) {
    report(`${path}.latency.distribution`, `must be one of ${DISTRIBUTIONS.join(', ')}`);
    return;
  }
  const p50 = latency['p50Ms'];
  const p99 = latency['p99Ms'];
  if (!isFiniteNumber(p50) || p50 <= 0) {
    report(`${path}.latency.p50Ms`, `must be a number > 0, got ${String(p50)}`);
    return;
  }
  if (p99 === undefined) {
    if (distribution === 'lognormal' || distribution === 'normal') {
      report(`${path}.latency.p99Ms`, `is required for a ${distribution} distribution`);
    }
    return;
  }
  if (!isFiniteNumber(p99)) {
    report(`${path}.latency.p99Ms`, `must be a finite number, got ${String(p99)}`);
  } else if (p99 < p50) {
    report(`${path}.latency.p99Ms`, `must be >= p50Ms (${p50}), got ${p99}`);
  } else if (distribution === 'constant' && p99 !== p50) {
    report(`${path}.latency.p99Ms`, 'must equal p50Ms (or be omitted) for a constant distribution');
  } else if (distribution === 'exponential' && p99 > p50 * MAX_EXPONENTIAL_P99_RATIO) {
    report(
      `${path}.latency.p99Ms`,
      `an exponential distribution cannot have p99 above ${MAX_EXPONENTIAL_P99_RATIO.toFixed(2)} × p50; use lognormal for heavier tails`,
    );
  }
}

/**
 * Generates per-minute telemetry for every edge in the range. Deterministic: each (edge, minute)
 * draws from its own stream seeded by (seed, edge, minute), so the result for a minute does not
 * depend on the range requested or the order of the edges.
 */
export function generateSyntheticTraffic(config: SyntheticTrafficConfig): TelemetryItem[] {
  const problems = validateSyntheticTrafficConfig(config);
  if (problems.length > 0) throw new InvalidSyntheticTrafficConfigError(problems);
  const models = config.edges.map((edge) => latencyModel(edge.latency));
  const items: TelemetryItem[] = [];
  for (let minute = minuteStart(config.fromUnixMs); minute < config.toUnixMs; minute += MINUTE_MS) {
    config.edges.forEach((edge, index) => {
      const item = generateEdgeMinute(config.seed, edge, models[index], minute);
      if (item) items.push(item);
    });
  }
  return items.sort(compareTelemetryItems);
}

export interface SyntheticHistoryRequest {
  seed: number;
  edges: SyntheticEdge[];
  /** The minute the history ends at (exclusive): the agent's first collection; rounded down. */
  untilUnixMs: number;
  /** Only the part of the history in [fromUnixMs, toUnixMs) (default: all), for generating it in slices. */
  fromUnixMs?: number;
  toUnixMs?: number;
}

/** The first minute of the longest history of `edges` ending at `untilUnixMs`; `untilUnixMs`'s minute when none has any. */
export function syntheticHistoryStart(edges: readonly SyntheticEdge[], untilUnixMs: number): number {
  const longest = Math.max(0, ...edges.map((edge) => edge.history?.minutes ?? 0));
  return minuteStart(untilUnixMs) - longest * MINUTE_MS;
}

/**
 * The history of the edges that have one (SyntheticEdgeHistory), ending at the minute of
 * `untilUnixMs`. A minute has the same requests and latencies as live traffic would have had then
 * (same seeded stream); only its error ratio is the history's. Sorted like generateSyntheticTraffic.
 */
export function generateSyntheticHistory(request: SyntheticHistoryRequest): TelemetryItem[] {
  const problems = validateSyntheticTrafficConfig({
    seed: request.seed,
    fromUnixMs: 0,
    toUnixMs: MINUTE_MS,
    edges: request.edges,
  });
  if (problems.length > 0) throw new InvalidSyntheticTrafficConfigError(problems);
  const until = minuteStart(request.untilUnixMs);
  const start = syntheticHistoryStart(request.edges, until);
  const from = request.fromUnixMs === undefined ? start : Math.max(start, minuteStart(request.fromUnixMs));
  const to = Math.min(until, request.toUnixMs ?? until);
  const withHistory = request.edges.flatMap((edge) => {
    const history = edge.history;
    if (!history) return [];
    return [
      {
        startUnixMs: until - history.minutes * MINUTE_MS,
        incidentFromUnixMs: until - (history.incidentMinutes ?? 0) * MINUTE_MS,
        past: { ...edge, errorRatio: history.errorRatio ?? edge.errorRatio },
        incident: edge,
        model: latencyModel(edge.latency),
      },
    ];
  });
  const items: TelemetryItem[] = [];
  for (let minute = from; minute < to; minute += MINUTE_MS) {
    for (const edge of withHistory) {
      if (minute < edge.startUnixMs) continue;
      const source = minute < edge.incidentFromUnixMs ? edge.past : edge.incident;
      const item = generateEdgeMinute(request.seed, source, edge.model, minute);
      if (item) items.push(item);
    }
  }
  return items.sort(compareTelemetryItems);
}

function generateEdgeMinute(
  seed: number,
  edge: SyntheticEdge,
  model: LatencyModel,
  minuteUnixMs: number,
): TelemetryItem | null {
  const sourceCluster = edge.source.cluster;
  const random = new SeededRandom(
    deriveSeed(
      seed,
      // Only when given, so files without source clusters keep their numbers.
      ...(sourceCluster ? [sourceCluster] : []),
      edge.source.namespace,
      edge.source.service,
      edge.destination.namespace,
      edge.destination.service,
      minuteUnixMs,
    ),
  );
  const requests = random.poisson(edge.requestsPerSecond * (MINUTE_MS / 1000));
  if (requests === 0) return null;
  const errors = random.binomial(requests, edge.errorRatio);
  let latency: SketchJSON;
  if (model.kind === 'constant') {
    latency = new DDSketch().add(model.valueMs, requests).toJSON();
  } else if (requests <= PER_REQUEST_SAMPLING_LIMIT) {
    const sketch = new DDSketch();
    for (let i = 0; i < requests; i++) sketch.add(model.sample(random));
    latency = sketch.toJSON();
  } else {
    latency = bucketSampledSketch(model, requests, random);
  }
  return {
    minuteUnixMs,
    ...(sourceCluster ? { sourceCluster } : {}),
    sourceNamespace: edge.source.namespace,
    sourceService: edge.source.service,
    destinationNamespace: edge.destination.namespace,
    destinationService: edge.destination.service,
    requests,
    errors,
    latency,
  };
}

/**
 * Distributes `total` samples over the sketch's buckets by a multinomial draw (a chain of
 * conditional binomials over the bucket probabilities from the CDF). This has the same
 * distribution, at sketch resolution, as adding `total` single samples, at a cost proportional to
 * the number of buckets instead of requests. Each bucket is added at its representative value, so
 * the sketch's sum, min and max are within the relative accuracy of sampled ones.
 *
 * Written straight in the sketch's canonical wire form (DDSketch.toJSON: no zero counts at either
 * end), with the sum added up in the order DDSketch.add would: the same result as adding each
 * bucket to a DDSketch, at a third of the cost, which matters for history of thousands of minutes.
 */
function bucketSampledSketch(model: ContinuousLatencyModel, total: number, random: SeededRandom): SketchJSON {
  const chain = bucketChain(model);
  const counts = new Array<number>(chain.probabilities.length + 1).fill(0);
  let remaining = total;
  // The zero bucket first, then every bucket up to the last, which takes whatever is left.
  const zeroCount = random.binomial(remaining, chain.zeroProbability);
  remaining -= zeroCount;
  let sum = 0;
  let first = -1;
  let last = -1;
  const take = (index: number, count: number): void => {
    counts[index] = count;
    sum += chain.representatives[index]! * count;
    if (first < 0) first = index;
    last = index;
  };
  for (let index = 0; index < chain.probabilities.length && remaining > 0; index++) {
    const bucketCount = random.binomial(remaining, chain.probabilities[index]!);
    if (bucketCount === 0) continue;
    take(index, bucketCount);
    remaining -= bucketCount;
  }
  if (remaining > 0) take(chain.probabilities.length, remaining);
  return {
    relativeAccuracy: DEFAULT_RELATIVE_ACCURACY,
    offset: first < 0 ? 0 : chain.firstKey + first,
    counts: first < 0 ? [] : counts.slice(first, last + 1),
    zeroCount,
    min: zeroCount > 0 || first < 0 ? 0 : chain.representatives[first]!,
    max: first < 0 ? 0 : chain.representatives[last]!,
    sum,
  };
}

/** The conditional probabilities of bucketSampledSketch's chain: the model's alone, so computed once per model. */
interface BucketChain {
  /** Probability of the zero bucket (values at most MIN_INDEXABLE_VALUE_MS). */
  zeroProbability: number;
  /** The sketch key of the chain's first bucket. */
  firstKey: number;
  /** Per bucket from the first key: its probability given that the sample is not in an earlier one. */
  probabilities: Float64Array;
  /** Per bucket from the first key, one more than probabilities: the last bucket takes what is left. */
  representatives: Float64Array;
}

function bucketChain(model: ContinuousLatencyModel): BucketChain {
  if (model.chain) return model.chain;
  const mapping = new LogarithmicMapping(DEFAULT_RELATIVE_ACCURACY);
  const firstKey = mapping.key(Math.max(model.lowMs, MIN_INDEXABLE_VALUE_MS * 2));
  const lastKey = Math.max(firstKey, mapping.key(model.highMs));
  const probabilities = new Float64Array(lastKey - firstKey);
  const representatives = new Float64Array(lastKey - firstKey + 1);
  let previousCdf = model.cdf(MIN_INDEXABLE_VALUE_MS);
  let remainingMass = 1 - previousCdf;
  for (let key = firstKey; key < lastKey; key++) {
    const cdf = model.cdf(mapping.upperBound(key));
    const bucketMass = Math.max(0, cdf - previousCdf);
    probabilities[key - firstKey] = remainingMass > 0 ? Math.min(1, bucketMass / remainingMass) : 1;
    remainingMass -= bucketMass;
    previousCdf = cdf;
  }
  for (let key = firstKey; key <= lastKey; key++)
    representatives[key - firstKey] = mapping.representative(key);
  model.chain = {
    zeroProbability: model.cdf(MIN_INDEXABLE_VALUE_MS),
    firstKey,
    probabilities,
    representatives,
  };
  return model.chain;
}

interface ConstantLatencyModel {
  kind: 'constant';
  valueMs: number;
}

interface ContinuousLatencyModel {
  kind: 'continuous';
  sample(random: SeededRandom): number;
  cdf(valueMs: number): number;
  /** Outside [lowMs, highMs] lies a negligible probability (< 1e-9). */
  lowMs: number;
  highMs: number;
  /** Filled on first use by bucketChain. */
  chain?: BucketChain;
}

type LatencyModel = ConstantLatencyModel | ContinuousLatencyModel;

/** Spread, in standard deviations, beyond which the normal tails are negligible. */
const NORMAL_SPAN = 6.5;

function latencyModel(spec: LatencySpec): LatencyModel {
  const p50 = spec.p50Ms;
  const p99 = spec.p99Ms ?? p50;
  switch (spec.distribution) {
    case 'constant':
      return { kind: 'constant', valueMs: p50 };
    case 'lognormal': {
      const mu = Math.log(p50);
      const sigma = (Math.log(p99) - mu) / Z_99;
      if (sigma === 0) return { kind: 'constant', valueMs: p50 };
      return {
        kind: 'continuous',
        sample: (random) => Math.exp(mu + sigma * random.normal()),
        cdf: (value) => (value <= 0 ? 0 : standardNormalCdf((Math.log(value) - mu) / sigma)),
        lowMs: Math.exp(mu - NORMAL_SPAN * sigma),
        highMs: Math.exp(mu + NORMAL_SPAN * sigma),
      };
    }
    case 'normal': {
      const deviation = (p99 - p50) / Z_99;
      if (deviation === 0) return { kind: 'constant', valueMs: p50 };
      return {
        kind: 'continuous',
        // Clamping at 0 moves only the lowest tail, so p50 and p99 are unchanged.
        sample: (random) => Math.max(0, p50 + deviation * random.normal()),
        cdf: (value) => (value < 0 ? 0 : standardNormalCdf((value - p50) / deviation)),
        lowMs: Math.max(0, p50 - NORMAL_SPAN * deviation),
        highMs: p50 + NORMAL_SPAN * deviation,
      };
    }
    case 'exponential': {
      // A shifted exponential: p50 = shift + ln2/rate and p99 = shift + ln100/rate.
      if (p99 === p50 && spec.p99Ms !== undefined) return { kind: 'constant', valueMs: p50 };
      const rate = spec.p99Ms === undefined ? LN_2 / p50 : (LN_100 - LN_2) / (p99 - p50);
      const shift = Math.max(0, p50 - LN_2 / rate);
      return {
        kind: 'continuous',
        sample: (random) => shift + random.exponential(rate),
        cdf: (value) => (value <= shift ? 0 : -Math.expm1(-rate * (value - shift))),
        lowMs: shift,
        highMs: shift + 21 / rate,
      };
    }
  }
}

/** Φ(z), from the complementary error function. */
export function standardNormalCdf(z: number): number {
  return 0.5 * complementaryErrorFunction(-z / Math.SQRT2);
}

/** erfc(x) by a Chebyshev fit (Numerical Recipes `erfcc`): fractional error below 1.2e-7. */
function complementaryErrorFunction(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const result =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? result : 2 - result;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
