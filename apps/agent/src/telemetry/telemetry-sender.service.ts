import { randomUUID } from 'node:crypto';
import { packSketch, type SketchJSON } from '@lattice/domain';
import type { ControllerMessage__Output, TelemetryBatch, TelemetryItem } from '@lattice/proto';
import { type AgentLogger, errorMessage } from '../logger';
import type { TelemetrySource } from './telemetry-source.port';

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

type TelemetryAck__Output = NonNullable<ControllerMessage__Output['telemetryAck']>;

/** The stream batches leave on; the controller session in the agent. */
export interface TelemetryOutlet {
  /** False between streams: nothing is taken from the backlog then. */
  readonly isOpen: boolean;
  send(batch: PendingTelemetryBatch): void;
}

/**
 * Turns collected items into batches with unique ids and keeps each batch until the controller
 * acknowledges it, so batches collected while disconnected, or sent on a stream that broke before
 * the ack, are sent again on the next stream (the controller dedupes by batch id).
 *
 * At most a few batches are in flight at a time: a controller that stores telemetry more slowly
 * than the cluster produces it then leaves the backlog here, bounded (oldest dropped), instead of
 * both sides buffering it without limit.
 *
 * Sketches go out as LatencySketch messages until a TelemetryAck on the current stream says the
 * controller accepts packed sketches (TelemetryItem.latency_packed), then packed: the controller
 * stores those bytes as they are. Each new stream starts over, since it may reach a controller of
 * an earlier release (during an upgrade), which would ignore the packed field.
 */
export class TelemetrySender {
  private readonly pending = new Map<string, PendingTelemetryBatch>();
  /** Ids of batches sent on the current stream and not acknowledged yet. */
  private readonly inFlight = new Set<string>();
  private readonly maxPendingBatches: number;
  private readonly maxInFlightBatches: number;
  private readonly maxItemsPerBatch: number;
  private readonly newBatchId: () => string;
  private collectTimer: NodeJS.Timeout | undefined;
  private collecting = false;
  /** The controller on the current stream said it takes packed sketches. */
  private packedLatency = false;

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

  /**
   * Collects every `intervalMs` and sends what the in-flight window allows after each collection.
   * A collection still running when the next is due is not overlapped.
   */
  start(intervalMs: number, outlet: TelemetryOutlet, now: () => number = Date.now): void {
    this.collectTimer = setInterval(() => void this.collectAndSend(outlet, now), intervalMs);
  }

  stop(): void {
    clearInterval(this.collectTimer);
  }

  /** Collects from the source and queues the items as pending batches. */
  async collect(now: Date): Promise<void> {
    const items = await this.source.collect(now);
    for (let start = 0; start < items.length; start += this.maxItemsPerBatch) {
      const batch = { batchId: this.newBatchId(), items: items.slice(start, start + this.maxItemsPerBatch) };
      this.pending.set(batch.batchId, batch);
    }
    this.dropOverflow();
  }

  /** Sends what the in-flight window allows; the rest waits for acknowledgements or the next stream. */
  flush(outlet: TelemetryOutlet): void {
    if (!outlet.isOpen) return;
    for (const batch of this.takeSendable()) outlet.send(this.packedLatency ? packedBatch(batch) : batch);
  }

  /** The controller's answer to a batch; frees its place in the window for the next one. */
  onAcknowledgement(ack: TelemetryAck__Output | null | undefined, outlet: TelemetryOutlet): void {
    if (!ack) return;
    if (ack.acceptsPackedLatency) this.packedLatency = true;
    // A refused batch is dropped as well: resending a malformed batch cannot succeed.
    if (ack.rejectedReason) {
      this.logger.warn(
        { batchId: ack.batchId, reason: ack.rejectedReason },
        'controller refused a telemetry batch',
      );
    }
    this.acknowledge(ack.batchId);
    this.flush(outlet);
  }

  /** Everything not yet acknowledged, oldest first. */
  unacknowledged(): PendingTelemetryBatch[] {
    return [...this.pending.values()];
  }

  /** A new stream: nothing is in flight on it, so every pending batch is to be sent (again). */
  streamStarted(): void {
    this.inFlight.clear();
    this.packedLatency = false;
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

  private async collectAndSend(outlet: TelemetryOutlet, now: () => number): Promise<void> {
    if (this.collecting) return;
    this.collecting = true;
    try {
      await this.collect(new Date(now()));
      this.flush(outlet);
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'telemetry collection failed');
    } finally {
      this.collecting = false;
    }
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

/** Packed sketches by sketch object: a batch sent again (a new stream, a lost ack) is not packed again. */
const packedSketches = new WeakMap<object, Buffer>();

/** The batch with each sketch packed (the agent's sketches are DDSketch.toJSON output: numbers only). */
function packedBatch(batch: PendingTelemetryBatch): PendingTelemetryBatch {
  return {
    batchId: batch.batchId,
    items: batch.items.map(({ latency, ...item }) => {
      if (!latency) return item;
      let packed = packedSketches.get(latency);
      if (!packed) {
        packed = packSketch(latency as SketchJSON);
        packedSketches.set(latency, packed);
      }
      return { ...item, latencyPacked: packed };
    }),
  };
}
