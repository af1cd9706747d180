import { DDSketch, DEFAULT_RELATIVE_ACCURACY } from './ddsketch';
import {
  compareTelemetryItems,
  MINUTE_MS,
  minuteStart,
  serviceEdgeKey,
  type ServiceEdge,
  type TelemetryItem,
} from './telemetry-item';

export interface ObservedRequest extends ServiceEdge {
  timestampUnixMs: number;
  latencyMs: number;
  isError: boolean;
}

interface PendingItem extends ServiceEdge {
  minuteUnixMs: number;
  requests: number;
  errors: number;
  latency: DDSketch;
}

/**
 * Aggregates observed requests into per-minute, per-edge items. `drain` hands out minutes that are
 * complete; a request that arrives for a minute already drained is dropped and counted in
 * `droppedLateRequests`, because re-sending that minute would make the controller count it twice
 * or overwrite it.
 */
export class MinuteAggregator {
  private readonly pending = new Map<string, PendingItem>();
  private readonly relativeAccuracy: number;
  /** Minutes before this have been drained. */
  private drainedUntilUnixMs = Number.NEGATIVE_INFINITY;
  private lateRequests = 0;

  constructor(options: { relativeAccuracy?: number } = {}) {
    this.relativeAccuracy = options.relativeAccuracy ?? DEFAULT_RELATIVE_ACCURACY;
  }

  get droppedLateRequests(): number {
    return this.lateRequests;
  }

  get pendingItemCount(): number {
    return this.pending.size;
  }

  /** Records one request; returns false when it belongs to a minute already drained. */
  record(request: ObservedRequest): boolean {
    if (!Number.isFinite(request.timestampUnixMs)) {
      throw new RangeError(`timestamp must be finite, got ${request.timestampUnixMs}`);
    }
    const minuteUnixMs = minuteStart(request.timestampUnixMs);
    if (minuteUnixMs < this.drainedUntilUnixMs) {
      this.lateRequests++;
      return false;
    }
    const key = `${minuteUnixMs}|${serviceEdgeKey(request)}`;
    let item = this.pending.get(key);
    if (!item) {
      item = {
        minuteUnixMs,
        ...(request.sourceCluster ? { sourceCluster: request.sourceCluster } : {}),
        sourceNamespace: request.sourceNamespace,
        sourceService: request.sourceService,
        destinationNamespace: request.destinationNamespace,
        destinationService: request.destinationService,
        requests: 0,
        errors: 0,
        latency: new DDSketch({ relativeAccuracy: this.relativeAccuracy }),
      };
      this.pending.set(key, item);
    }
    // Validate the latency before counting, so a bad value leaves the item unchanged.
    item.latency.add(request.latencyMs);
    item.requests++;
    if (request.isError) item.errors++;
    return true;
  }

  /**
   * Removes and returns the items of every minute that ended at or before `untilUnixMs`, ordered by
   * minute and edge. Passing the current time never returns the minute still in progress.
   */
  drain(untilUnixMs: number): TelemetryItem[] {
    const drained: TelemetryItem[] = [];
    for (const [key, item] of this.pending) {
      if (item.minuteUnixMs + MINUTE_MS <= untilUnixMs) {
        this.pending.delete(key);
        drained.push({
          minuteUnixMs: item.minuteUnixMs,
          ...(item.sourceCluster ? { sourceCluster: item.sourceCluster } : {}),
          sourceNamespace: item.sourceNamespace,
          sourceService: item.sourceService,
          destinationNamespace: item.destinationNamespace,
          destinationService: item.destinationService,
          requests: item.requests,
          errors: item.errors,
          latency: item.latency.toJSON(),
        });
      }
    }
    this.drainedUntilUnixMs = Math.max(this.drainedUntilUnixMs, minuteStart(untilUnixMs));
    return drained.sort(compareTelemetryItems);
  }
}
