import { DDSketch, DEFAULT_RELATIVE_ACCURACY, type TelemetryItem } from '@lattice/domain';
import type { PrometheusSample } from './prometheus-api.schema';
import { compareTelemetryItems, serviceEdgeKey, type ServiceEdge } from './telemetry-item.util';

/**
 * Istio standard metrics (istio_requests_total, istio_request_duration_milliseconds) from one
 * query of Prometheus (a "scrape"), and the per-interval telemetry between two scrapes.
 *
 * Naming: the source is `source_canonical_service` (falling back to `source_workload`) in
 * `source_workload_namespace`, in `source_cluster`; the destination is `destination_service_name`
 * (the Kubernetes Service, which is what GNS services and SLOs are about; falling back to
 * `destination_canonical_service`) in `destination_service_namespace`.
 *
 * Attribution: every request is seen by the client's sidecar (reporter="source", in the client's
 * cluster) and the server's sidecar (reporter="destination", in the server's cluster), and each
 * cluster's agent scrapes its own mesh metrics. Each request is counted once, by the cluster that
 * received it: reporter="destination" series always count; a reporter="source" series counts only
 * when no sidecar reports the other end (no destination series for the edge in this scrape) and
 * the call did not leave the cluster (`destination_cluster` unknown, as for a destination outside
 * the mesh, or equal to `source_cluster`). A cross-cluster call is left to the destination
 * cluster's agent, so it is neither counted twice nor attributed to the caller's cluster.
 */

export const ISTIO_REQUESTS_TOTAL = 'istio_requests_total';
export const ISTIO_REQUEST_DURATION = 'istio_request_duration_milliseconds';
const DURATION_BUCKET = `${ISTIO_REQUEST_DURATION}_bucket`;
const DURATION_SUM = `${ISTIO_REQUEST_DURATION}_sum`;

/** The labels that decide how a series is counted. */
interface IstioSeriesIdentity {
  edge: ServiceEdge;
  reporter: string;
  /** Istio's `destination_cluster`; '' when unknown. */
  destinationCluster: string;
  isError: boolean;
}

export interface IstioCounterSeries extends IstioSeriesIdentity {
  value: number;
}

export interface IstioHistogramBucket {
  /** Upper bound in ms (`le`), possibly +Infinity. */
  upperBoundMs: number;
  /** Cumulative count of requests at or below upperBoundMs. */
  cumulativeCount: number;
}

export interface IstioHistogramSeries extends IstioSeriesIdentity {
  /** Sorted by upper bound. */
  buckets: IstioHistogramBucket[];
  sumMs: number | null;
}

/** One scrape, keyed by the full label set of each series (minus `le`). */
export interface IstioScrape {
  requests: Map<string, IstioCounterSeries>;
  durations: Map<string, IstioHistogramSeries>;
}

export function istioScrapeFromSamples(samples: readonly PrometheusSample[]): IstioScrape {
  const scrape: IstioScrape = { requests: new Map(), durations: new Map() };
  for (const sample of samples) {
    if (sample.name === ISTIO_REQUESTS_TOTAL) {
      const key = seriesKey(sample.labels);
      const existing = scrape.requests.get(key);
      // Duplicate series should not occur; if they do, summing loses nothing.
      if (existing) existing.value += sample.value;
      else scrape.requests.set(key, { ...seriesIdentity(sample.labels), value: sample.value });
    } else if (sample.name === DURATION_BUCKET || sample.name === DURATION_SUM) {
      const { le, ...labels } = sample.labels;
      const key = seriesKey(labels);
      let series = scrape.durations.get(key);
      if (!series) {
        series = { ...seriesIdentity(labels), buckets: [], sumMs: null };
        scrape.durations.set(key, series);
      }
      if (sample.name === DURATION_SUM) {
        series.sumMs = sample.value;
      } else {
        const upperBoundMs = le === undefined ? Number.NaN : parseUpperBound(le);
        if (!Number.isNaN(upperBoundMs)) series.buckets.push({ upperBoundMs, cumulativeCount: sample.value });
      }
    }
  }
  for (const series of scrape.durations.values())
    series.buckets.sort((a, b) => a.upperBoundMs - b.upperBoundMs);
  return scrape;
}

/** Reporters in order of preference: one request is reported by both ends, so only one may count. */
const REPORTER_PREFERENCE = ['destination', 'source'];

function reporterRank(reporter: string): number {
  const rank = REPORTER_PREFERENCE.indexOf(reporter);
  return rank < 0 ? REPORTER_PREFERENCE.length : rank;
}

/**
 * A client-side series of a call into another cluster: that cluster's agent counts the request
 * from its server-side series, so counting it here would count it twice, in the wrong cluster.
 */
function reportedByOtherCluster(identity: IstioSeriesIdentity): boolean {
  const sourceCluster = identity.edge.sourceCluster ?? '';
  return (
    identity.reporter === 'source' &&
    identity.destinationCluster !== '' &&
    sourceCluster !== '' &&
    identity.destinationCluster !== sourceCluster
  );
}

interface EdgeAccumulator {
  edge: ServiceEdge;
  requests: number;
  errors: number;
  latency: DDSketch;
}

/**
 * Telemetry for the interval between two scrapes of the same target, stamped with `minuteUnixMs`.
 *
 * - Counters: delta = current − previous; a counter lower than before was reset (the proxy
 *   restarted) and its whole current value is the delta. A series absent from the previous scrape
 *   started within the interval (Istio creates series on the first request), so its whole value
 *   counts too.
 * - Reporters: each edge (per source cluster) is counted from its `reporter="destination"` series
 *   when the current scrape has any for it, else from `source` (else from any other reporter),
 *   never from both; `source` series of calls into another cluster never count (see above).
 * - Histograms: per-bucket deltas are placed in the sketch at the bucket's geometric midpoint
 *   √(lower·upper), the point with the smallest worst-case relative error for a bucket whose
 *   values are unknown; the first bucket (0, le] uses le/2 and the +Inf bucket its lower bound
 *   (an underestimate; Istio's last finite bound is 1 h). The sketch's sum is the delta of
 *   `_sum`, which is exact, when it is available.
 */
export function istioTelemetryBetween(
  previous: IstioScrape,
  current: IstioScrape,
  minuteUnixMs: number,
  options: { relativeAccuracy?: number } = {},
): TelemetryItem[] {
  const relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  // edge key -> reporter rank -> accumulator
  const accumulators = new Map<string, Map<number, EdgeAccumulator>>();
  const accumulatorFor = (identity: IstioSeriesIdentity): EdgeAccumulator | null => {
    if (reportedByOtherCluster(identity)) return null;
    const edgeKey = serviceEdgeKey(identity.edge);
    let byReporter = accumulators.get(edgeKey);
    if (!byReporter) {
      byReporter = new Map();
      accumulators.set(edgeKey, byReporter);
    }
    const rank = reporterRank(identity.reporter);
    let accumulator = byReporter.get(rank);
    if (!accumulator) {
      accumulator = {
        edge: identity.edge,
        requests: 0,
        errors: 0,
        latency: new DDSketch({ relativeAccuracy }),
      };
      byReporter.set(rank, accumulator);
    }
    return accumulator;
  };

  for (const [key, series] of current.requests) {
    const delta = counterDelta(previous.requests.get(key)?.value, series.value);
    const accumulator = accumulatorFor(series);
    if (!accumulator) continue;
    accumulator.requests += delta;
    if (series.isError) accumulator.errors += delta;
  }
  for (const [key, series] of current.durations) {
    accumulatorFor(series)?.latency.merge(
      histogramDeltaSketch(previous.durations.get(key), series, relativeAccuracy),
    );
  }

  const items: TelemetryItem[] = [];
  for (const byReporter of accumulators.values()) {
    const chosen = byReporter.get(Math.min(...byReporter.keys()));
    if (!chosen || (chosen.requests === 0 && chosen.latency.isEmpty)) continue;
    const { sourceCluster, ...edge } = chosen.edge;
    items.push({
      minuteUnixMs,
      ...(sourceCluster ? { sourceCluster } : {}),
      ...edge,
      requests: chosen.requests,
      errors: chosen.errors,
      latency: chosen.latency.toJSON(),
    });
  }
  return items.sort(compareTelemetryItems);
}

function counterDelta(previousValue: number | undefined, currentValue: number): number {
  if (!Number.isFinite(currentValue) || currentValue < 0) return 0;
  const delta =
    previousValue === undefined || currentValue < previousValue ? currentValue : currentValue - previousValue;
  return Math.round(delta);
}

function histogramDeltaSketch(
  previous: IstioHistogramSeries | undefined,
  current: IstioHistogramSeries,
  relativeAccuracy: number,
): DDSketch {
  const sketch = new DDSketch({ relativeAccuracy });
  const previousByBound = new Map(
    previous?.buckets.map((bucket) => [bucket.upperBoundMs, bucket.cumulativeCount]),
  );
  // Any bucket going down, or a changed bucket layout, means the histogram restarted from zero.
  const wasReset =
    previous === undefined ||
    previous.buckets.length !== current.buckets.length ||
    current.buckets.some((bucket) => {
      const before = previousByBound.get(bucket.upperBoundMs);
      return before === undefined || bucket.cumulativeCount < before;
    });
  let cumulativeBefore = 0;
  let lowerBoundMs = 0;
  for (const bucket of current.buckets) {
    const cumulativeDelta = wasReset
      ? bucket.cumulativeCount
      : bucket.cumulativeCount - (previousByBound.get(bucket.upperBoundMs) ?? 0);
    // Buckets are scraped one by one; clamp the rare non-monotonic read instead of failing.
    const bucketCount = Math.max(0, Math.round(cumulativeDelta - cumulativeBefore));
    cumulativeBefore = Math.max(cumulativeBefore, cumulativeDelta);
    const value = bucketValue(lowerBoundMs, bucket.upperBoundMs);
    if (bucketCount > 0 && value !== null) sketch.add(value, bucketCount);
    if (Number.isFinite(bucket.upperBoundMs)) lowerBoundMs = bucket.upperBoundMs;
  }
  const currentSum = current.sumMs;
  const previousSum = previous?.sumMs ?? null;
  const sumDelta =
    currentSum === null ? null : wasReset || previousSum === null ? currentSum : currentSum - previousSum;
  if (sumDelta !== null && Number.isFinite(sumDelta) && sumDelta >= 0 && !sketch.isEmpty) {
    return DDSketch.fromJSON({ ...sketch.toJSON(), sum: sumDelta });
  }
  return sketch;
}

function bucketValue(lowerBoundMs: number, upperBoundMs: number): number | null {
  if (upperBoundMs <= 0) return 0;
  if (!Number.isFinite(upperBoundMs)) return lowerBoundMs > 0 ? lowerBoundMs : null;
  if (lowerBoundMs <= 0) return upperBoundMs / 2;
  return Math.sqrt(lowerBoundMs * upperBoundMs);
}

function parseUpperBound(le: string): number {
  const lower = le.toLowerCase();
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  return le.trim() === '' ? Number.NaN : Number(le);
}

function seriesIdentity(labels: Record<string, string>): IstioSeriesIdentity {
  return {
    edge: {
      sourceCluster: knownLabel(labels, 'source_cluster'),
      sourceNamespace: firstLabel(labels, ['source_workload_namespace']),
      sourceService: firstLabel(labels, ['source_canonical_service', 'source_workload']),
      destinationNamespace: firstLabel(labels, [
        'destination_service_namespace',
        'destination_workload_namespace',
      ]),
      destinationService: firstLabel(labels, ['destination_service_name', 'destination_canonical_service']),
    },
    reporter: labels['reporter'] ?? '',
    destinationCluster: knownLabel(labels, 'destination_cluster'),
    isError: isErrorResponse(labels),
  };
}

/** 5xx, or a gRPC status other than OK (0) when the request was gRPC. */
function isErrorResponse(labels: Record<string, string>): boolean {
  if (/^5\d\d$/.test(labels['response_code'] ?? '')) return true;
  const grpcStatus = labels['grpc_response_status'];
  return grpcStatus !== undefined && grpcStatus !== '' && grpcStatus !== '0';
}

/** The first of the labels that has a known value; Istio writes "unknown" when it has none. */
function firstLabel(labels: Record<string, string>, names: readonly string[]): string {
  for (const name of names) {
    const value = labels[name];
    if (value !== undefined && value !== '' && value !== 'unknown') return value;
  }
  return 'unknown';
}

/** A label's value, '' when absent or "unknown". */
function knownLabel(labels: Record<string, string>, name: string): string {
  const value = labels[name];
  return value === undefined || value === 'unknown' ? '' : value;
}

function seriesKey(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((name) => [name, labels[name]]),
  );
}
