import { DomainError } from '../errors';
import { DEFAULT_RELATIVE_ACCURACY, InvalidSketchError, parseSketchJson } from './ddsketch';
import { checkPackedSketch, packSketch } from './packed-sketch';
import { MINUTE_MS, type TelemetryItem } from './telemetry-item';

/**
 * A telemetry item as it arrives from an agent (protobuf output shape); nothing is trusted yet. Its
 * sketch comes as `latency` (LatencySketch, agents of earlier releases) or `latencyPacked`.
 */
export type IncomingTelemetryItem = Omit<TelemetryItem, 'latency'> & {
  latency: unknown;
  latencyPacked?: Uint8Array | null;
};

/** An item that passed validation, its sketch in the packed form the ingest stores (packed-sketch.ts). */
export type ValidTelemetryItem = Omit<TelemetryItem, 'sourceCluster' | 'latency'> & {
  sourceCluster: string;
  latencyPacked: Uint8Array;
};

/** An empty sketch, shared by the items that carry none (never mutated). */
const EMPTY_PACKED_SKETCH = packSketch({
  relativeAccuracy: DEFAULT_RELATIVE_ACCURACY,
  offset: 0,
  counts: [],
  zeroCount: 0,
  min: 0,
  max: 0,
  sum: 0,
});

export interface TelemetryBatchLimits {
  /** Items older than this are refused: retention would delete them at once. */
  maxAgeMs: number;
  /** Agents' clocks drift a little; a minute further in the future is a bug or an attack. */
  maxFutureMs: number;
  maxItems: number;
}

export const MAX_TELEMETRY_BATCH_ITEMS = 20_000;
export const MAX_TELEMETRY_BATCH_ID_LENGTH = 128;
/** Kubernetes names are at most 253 characters. */
export const MAX_TELEMETRY_NAME_LENGTH = 253;
export const DEFAULT_MAX_FUTURE_MS = 5 * MINUTE_MS;

const NAME_FIELDS = [
  'sourceNamespace',
  'sourceService',
  'destinationNamespace',
  'destinationService',
] as const;

/**
 * Validates a whole batch from an agent. The first problem refuses the batch (a partial batch would
 * leave the batch id half-counted), with a message naming the item index and the field.
 */
export function validateTelemetryBatch(
  batchId: string,
  items: readonly IncomingTelemetryItem[],
  nowUnixMs: number,
  limits: TelemetryBatchLimits,
): ValidTelemetryItem[] {
  if (typeof batchId !== 'string' || batchId.trim() === '') refuse('batchId', 'must not be empty');
  if (batchId.length > MAX_TELEMETRY_BATCH_ID_LENGTH) {
    refuse('batchId', `must be at most ${MAX_TELEMETRY_BATCH_ID_LENGTH} characters`);
  }
  if (items.length > limits.maxItems) {
    refuse('items', `has ${items.length} items, more than the limit of ${limits.maxItems} per batch`);
  }
  const oldest = nowUnixMs - limits.maxAgeMs;
  const newest = nowUnixMs + limits.maxFutureMs;
  return items.map((item, index) => {
    const at = (field: string) => `items[${index}].${field}`;
    const minute = item.minuteUnixMs;
    if (!Number.isSafeInteger(minute) || minute % MINUTE_MS !== 0) {
      refuse(at('minuteUnixMs'), `must be the start of a minute (a multiple of 60000 ms), got ${minute}`);
    }
    if (minute < oldest) {
      refuse(
        at('minuteUnixMs'),
        `${new Date(minute).toISOString()} is older than the ${days(limits.maxAgeMs)}-day minute retention`,
      );
    }
    if (minute > newest) {
      refuse(at('minuteUnixMs'), `${new Date(minute).toISOString()} is in the future`);
    }
    for (const field of NAME_FIELDS) {
      const value = item[field];
      if (typeof value !== 'string' || value === '') refuse(at(field), 'must not be empty');
      if (value.length > MAX_TELEMETRY_NAME_LENGTH) {
        refuse(at(field), `must be at most ${MAX_TELEMETRY_NAME_LENGTH} characters`);
      }
    }
    // Optional (older agents do not send it): '' means the caller's cluster is unknown.
    const sourceCluster = item.sourceCluster ?? '';
    if (typeof sourceCluster !== 'string') refuse(at('sourceCluster'), 'must be a string');
    if (sourceCluster.length > MAX_TELEMETRY_NAME_LENGTH) {
      refuse(at('sourceCluster'), `must be at most ${MAX_TELEMETRY_NAME_LENGTH} characters`);
    }
    for (const field of ['requests', 'errors'] as const) {
      if (!Number.isSafeInteger(item[field]) || item[field] < 0) {
        refuse(at(field), `must be a non-negative integer, got ${item[field]}`);
      }
    }
    if (item.errors > item.requests) {
      refuse(at('errors'), `${item.errors} errors is more than the ${item.requests} requests`);
    }
    return {
      minuteUnixMs: minute,
      sourceCluster,
      sourceNamespace: item.sourceNamespace,
      sourceService: item.sourceService,
      destinationNamespace: item.destinationNamespace,
      destinationService: item.destinationService,
      requests: item.requests,
      errors: item.errors,
      latencyPacked: packedSketchOf(item, at),
    };
  });
}

function packedSketchOf(item: IncomingTelemetryItem, at: (field: string) => string): Uint8Array {
  const packed = item.latencyPacked;
  const hasPacked = packed !== null && packed !== undefined && packed.length > 0;
  // No traffic, no latencies: an absent sketch is an empty one.
  if (!hasPacked && (item.latency === null || item.latency === undefined)) return EMPTY_PACKED_SKETCH;
  if (hasPacked && item.latency !== null && item.latency !== undefined) {
    refuse(at('latencyPacked'), 'must not be set together with latency');
  }
  const field = hasPacked ? at('latencyPacked') : at('latency');
  try {
    if (hasPacked) {
      checkAccuracy(checkPackedSketch(packed).relativeAccuracy, field);
      return packed;
    }
    const sketch = parseSketchJson(item.latency);
    checkAccuracy(sketch.relativeAccuracy, field);
    return packSketch(sketch);
  } catch (error) {
    if (error instanceof InvalidSketchError) refuse(field, error.message);
    throw error;
  }
}

/** Sketches are merged across clusters and minutes, which needs one bucket layout everywhere. */
function checkAccuracy(relativeAccuracy: number, field: string): void {
  if (relativeAccuracy !== DEFAULT_RELATIVE_ACCURACY) {
    refuse(field, `relativeAccuracy must be ${DEFAULT_RELATIVE_ACCURACY}, got ${relativeAccuracy}`);
  }
}

function refuse(field: string, message: string): never {
  throw new DomainError('VALIDATION', `telemetry batch refused: ${field} ${message}`, [{ field, message }]);
}

function days(ms: number): string {
  return String(Math.round((ms / 86_400_000) * 100) / 100);
}
