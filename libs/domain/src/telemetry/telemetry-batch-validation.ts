import { DomainError } from '../errors';
import { DEFAULT_RELATIVE_ACCURACY, InvalidSketchError, parseSketchJson, type SketchJSON } from './ddsketch';
import { MINUTE_MS, type TelemetryItem } from './telemetry-item';

/** A telemetry item as it arrives from an agent (protobuf output shape); nothing is trusted yet. */
export type IncomingTelemetryItem = Omit<TelemetryItem, 'latency'> & { latency: unknown };

/**
 * An item that passed validation. Its sketch stays the plain wire form (checked, not rebuilt into a
 * DDSketch: the ingest stores it as it is and queries merge the stored forms directly).
 */
export type ValidTelemetryItem = Omit<TelemetryItem, 'sourceCluster'> & {
  sourceCluster: string;
  latency: SketchJSON;
};

/** An empty sketch, shared by the items that carry none (never mutated). */
const EMPTY_SKETCH: SketchJSON = Object.freeze({
  relativeAccuracy: DEFAULT_RELATIVE_ACCURACY,
  offset: 0,
  counts: Object.freeze([]) as unknown as number[],
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
      latency: parseSketch(item.latency, at('latency')),
    };
  });
}

function parseSketch(input: unknown, field: string): SketchJSON {
  // No traffic, no latencies: an absent sketch is an empty one.
  if (input === null || input === undefined) return EMPTY_SKETCH;
  let sketch: SketchJSON;
  try {
    sketch = parseSketchJson(input);
  } catch (error) {
    if (error instanceof InvalidSketchError) refuse(field, error.message);
    throw error;
  }
  // Sketches are merged across clusters and minutes, which needs one bucket layout everywhere.
  if (sketch.relativeAccuracy !== DEFAULT_RELATIVE_ACCURACY) {
    refuse(field, `relativeAccuracy must be ${DEFAULT_RELATIVE_ACCURACY}, got ${sketch.relativeAccuracy}`);
  }
  return sketch;
}

function refuse(field: string, message: string): never {
  throw new DomainError('VALIDATION', `telemetry batch refused: ${field} ${message}`, [{ field, message }]);
}

function days(ms: number): string {
  return String(Math.round((ms / 86_400_000) * 100) / 100);
}
