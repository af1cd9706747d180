import { randomUUID } from 'node:crypto';
import type { TelemetryBatch, TelemetryItem } from '@lattice/proto';
import type { AgentLogger } from '../logger';

export type { TelemetryItem } from '@lattice/proto';

/** Produces the telemetry items observed since the last call (synthetic, Prometheus, ...). */
export interface TelemetrySource {
  collect(now: Date): Promise<TelemetryItem[]>;
}

export interface TelemetrySenderOptions {
  /** Unacknowledged batches kept for resending; beyond it the oldest are dropped. */
  maxPendingBatches?: number;
  /** Batches sent on a stream and not acknowledged yet; more wait for an acknowledgement. */
  maxInFlightBatches?: number;
  maxItemsPerBatch?: number;
  newBatchId?: () => string;
}

export interface PendingTelemetryBatch extends TelemetryBatch {
  batchId: string;
  items: TelemetryItem[];
}

/**
 * Turns collected items into batches with unique ids and keeps each batch until the controller
 * acknowledges it, so batches collected while disconnected, or sent on a stream that broke before
 * the ack, are sent again on the next stream (the controller dedupes by batch id).
 *
 * At most a few batches are in flight at a time: a controller that stores telemetry more slowly
 * than the cluster produces it then leaves the backlog here, bounded (oldest dropped), instead of
 * both sides buffering it without limit.
 */
export class TelemetrySender {
  private readonly pending = new Map<string, PendingTelemetryBatch>();
  /** Ids of batches sent on the current stream and not acknowledged yet. */
  private readonly inFlight = new Set<string>();
  private readonly maxPendingBatches: number;
  private readonly maxInFlightBatches: number;
  private readonly maxItemsPerBatch: number;
  private readonly newBatchId: () => string;

  constructor(
    private readonly source: TelemetrySource,
    private readonly logger: AgentLogger,
    options: TelemetrySenderOptions = {},
  ) {
    this.maxPendingBatches = options.maxPendingBatches ?? 120;
    this.maxInFlightBatches = options.maxInFlightBatches ?? 2;
    this.maxItemsPerBatch = options.maxItemsPerBatch ?? 1000;
    this.newBatchId = options.newBatchId ?? randomUUID;
  }

  /** Collects from the source and returns the new batches (already queued as pending). */
  async collect(now: Date): Promise<PendingTelemetryBatch[]> {
    const items = await this.source.collect(now);
    const batches: PendingTelemetryBatch[] = [];
    for (let start = 0; start < items.length; start += this.maxItemsPerBatch) {
      const batch = { batchId: this.newBatchId(), items: items.slice(start, start + this.maxItemsPerBatch) };
      this.pending.set(batch.batchId, batch);
      batches.push(batch);
    }
    this.dropOverflow();
    return batches.filter((batch) => this.pending.has(batch.batchId));
  }

  /** Everything not yet acknowledged, oldest first. */
  unacknowledged(): PendingTelemetryBatch[] {
    return [...this.pending.values()];
  }

  /** A new stream: nothing is in flight on it, so every pending batch is to be sent (again). */
  streamStarted(): void {
    this.inFlight.clear();
  }

  /** The pending batches to send now, oldest first, counted as in flight from here on. */
  takeSendable(): PendingTelemetryBatch[] {
    const batches: PendingTelemetryBatch[] = [];
    for (const batch of this.pending.values()) {
      if (this.inFlight.size >= this.maxInFlightBatches) break;
      if (this.inFlight.has(batch.batchId)) continue;
      this.inFlight.add(batch.batchId);
      batches.push(batch);
    }
    return batches;
  }

  acknowledge(batchId: string): boolean {
    this.inFlight.delete(batchId);
    return this.pending.delete(batchId);
  }

  private dropOverflow(): void {
    let dropped = 0;
    let droppedItems = 0;
    for (const [batchId, batch] of this.pending) {
      if (this.pending.size <= this.maxPendingBatches) break;
      this.pending.delete(batchId);
      dropped += 1;
      droppedItems += batch.items.length;
    }
    if (dropped > 0) {
      this.logger.warn(
        { droppedBatches: dropped, droppedItems, kept: this.pending.size },
        'telemetry backlog full; dropped the oldest batches',
      );
    }
  }
}
