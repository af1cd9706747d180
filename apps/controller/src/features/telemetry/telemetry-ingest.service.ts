import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DEFAULT_MAX_FUTURE_MS,
  floorHour,
  MAX_TELEMETRY_BATCH_ITEMS,
  MINUTE_MS,
  minuteStart,
  validateTelemetryBatch,
  type TelemetryBatchLimits,
} from '@lattice/domain';
import type { TelemetryBatch__Output } from '@lattice/proto';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RollupStateStore } from './rollup-state.store';
import type { IngestResult } from './telemetry.types';
import { TelemetryMetrics } from './telemetry.metrics';
import { TelemetryRepository, type BatchToStore } from './telemetry.repository';
import { TelemetryVersionStore } from './telemetry-version.store';

const DAY_MS = 86_400_000;
/**
 * Rows stored per transaction at most when batches are grouped (a single larger batch is stored
 * alone). Bounds a transaction's size and the work lost when it fails.
 */
export const INGEST_GROUP_MAX_ROWS = 20_000;

interface WaitingBatch {
  batch: BatchToStore;
  resolve: (stored: boolean) => void;
  reject: (error: unknown) => void;
}

/**
 * Stores telemetry batches received on agent streams. Validates a batch (bad data refuses the whole
 * batch: DomainError VALIDATION), then stores its batch id and minute rows in one transaction; a
 * batch id seen before stores nothing. Batches that wait for a writer are stored together, up to
 * INGEST_GROUP_MAX_ROWS rows per transaction (group commit): one COPY and one commit for many
 * agents' batches, so the per-batch cost of round trips and commits does not bound ingest.
 */
@Injectable()
export class TelemetryIngestService {
  private readonly logger = new Logger(TelemetryIngestService.name);
  private readonly limits: TelemetryBatchLimits;
  /** Minutes this far behind the current one have left the SLO evaluation's recompute span. */
  private readonly lateAfterMs: number;
  /**
   * Transactions storing batches at once on this replica (LATTICE_TELEMETRY_INGEST_CONCURRENCY),
   * each on a connection of the ingest's own pool: without a bound, agents streaming history took
   * every connection and GraphQL queries, REST requests and agent handshakes queued behind them.
   * The wait is flow control for the agents (each keeps at most two batches unacknowledged).
   */
  private readonly writers: number;
  private writing = 0;
  private readonly waiting: WaitingBatch[] = [];

  constructor(
    private readonly telemetry: TelemetryRepository,
    private readonly rollupState: RollupStateStore,
    private readonly versions: TelemetryVersionStore,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
    private readonly metrics: TelemetryMetrics,
  ) {
    this.limits = {
      maxAgeMs: config.env.LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS * DAY_MS,
      maxFutureMs: DEFAULT_MAX_FUTURE_MS,
      maxItems: MAX_TELEMETRY_BATCH_ITEMS,
    };
    // The next evaluation (within an interval) recomputes LATTICE_SLO_RECOMPUTE_MINUTES minutes
    // back from its own minute; one minute of slack for a run already under way.
    const intervalMinutes = Math.ceil(config.env.LATTICE_SLO_EVALUATION_INTERVAL_SECONDS / 60);
    this.lateAfterMs =
      Math.max(0, config.env.LATTICE_SLO_RECOMPUTE_MINUTES - intervalMinutes - 1) * MINUTE_MS;
    this.writers = config.env.LATTICE_TELEMETRY_INGEST_CONCURRENCY;
  }

  async ingest(
    tenantId: string,
    clusterId: string,
    batch: TelemetryBatch__Output,
    now = new Date(),
  ): Promise<IngestResult> {
    // Validation keeps the items' wire objects (names and sketch arrays), so a waiting batch holds
    // little more than its decoded message.
    const items = validateTelemetryBatch(batch.batchId, batch.items, now.getTime(), this.limits);
    const lateBeforeMs = minuteStart(now.getTime()) - this.lateAfterMs;
    const stored = await this.store({ tenantId, clusterId, batchId: batch.batchId, items, lateBeforeMs });
    // Outdates cached query answers (TelemetryVersionStore). Also for a duplicate: it may be the
    // resend of a batch whose raise failed (the error made the agent send it again).
    if (items.length > 0) await this.versions.raise(tenantId);
    this.metrics.rows.inc({ outcome: stored ? 'stored' : 'duplicate' }, items.length);
    if (!stored) return { duplicate: true, accepted: 0 };
    if (items.length > 0) {
      const newestMinuteEnd =
        items.reduce((newest, item) => Math.max(newest, item.minuteUnixMs), 0) + MINUTE_MS;
      this.metrics.ingestLag.observe(Math.max(0, Date.now() - newestMinuteEnd) / 1000);
    }
    await this.markLateHours(
      tenantId,
      items.map((item) => floorHour(item.minuteUnixMs)),
    );
    return { duplicate: false, accepted: items.length };
  }

  /** Queues a batch for the next free writer; resolves once its transaction committed. */
  private store(batch: BatchToStore): Promise<boolean> {
    return new Promise<boolean>((resolve, reject) => {
      this.waiting.push({ batch, resolve, reject });
      this.startWriters();
    });
  }

  private startWriters(): void {
    while (this.writing < this.writers && this.waiting.length > 0) {
      const group = takeGroup(this.waiting);
      this.writing++;
      this.telemetry
        .insertBatches(group.map((waiting) => waiting.batch))
        .then(
          (stored) => group.forEach((waiting, index) => waiting.resolve(stored[index] ?? false)),
          (error: unknown) => group.forEach((waiting) => waiting.reject(error)),
        )
        .finally(() => {
          this.writing--;
          this.startWriters();
        });
    }
  }

  /**
   * Minutes of an hour the rollup already took on (after an agent outage, say) make that hour
   * dirty, so the next rollup run recomputes it. Read after the commit: see RollupStateStore.
   */
  private async markLateHours(tenantId: string, hoursMs: number[]): Promise<void> {
    try {
      const target = await this.rollupState.target();
      if (target === null) return;
      const late = [...new Set(hoursMs)].filter((hour) => hour < target);
      await this.rollupState.markDirty(tenantId, late);
    } catch (error) {
      // The minutes are stored; only that hour's rollup stays stale until it is recomputed.
      this.logger.warn({ err: error, tenantId }, 'could not mark late telemetry hours for a new rollup');
    }
  }
}

/** The oldest waiting batches, up to INGEST_GROUP_MAX_ROWS rows (at least one batch). */
function takeGroup(waiting: WaitingBatch[]): WaitingBatch[] {
  let rows = 0;
  let count = 0;
  while (count < waiting.length) {
    const size = waiting[count]!.batch.items.length;
    if (count > 0 && rows + size > INGEST_GROUP_MAX_ROWS) break;
    rows += size;
    count++;
  }
  return waiting.splice(0, count);
}
