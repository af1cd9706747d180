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
import pLimit, { type Limit } from 'p-limit';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RollupStateStore } from './rollup-state.store';
import type { IngestResult } from './telemetry.types';
import { TelemetryMetrics } from './telemetry.metrics';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryVersionStore } from './telemetry-version.store';

const DAY_MS = 86_400_000;

/**
 * Stores telemetry batches received on agent streams. Validates a batch, then stores its batch id and minute rows in one transaction;
 * a batch id seen before stores nothing. Bad data refuses the whole batch (DomainError VALIDATION).
 */
@Injectable()
export class TelemetryIngestService {
  private readonly logger = new Logger(TelemetryIngestService.name);
  private readonly limits: TelemetryBatchLimits;
  /** Minutes this far behind the current one have left the SLO evaluation's recompute span. */
  private readonly lateAfterMs: number;
  /**
   * Batches stored at once by this replica. Each holds a pooled connection for a large insert;
   * without a bound, agents streaming history took every connection and GraphQL queries, REST
   * requests and agent handshakes queued behind them. The wait is flow control for the agents.
   */
  private readonly storing: Limit;

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
    this.storing = pLimit(config.env.LATTICE_TELEMETRY_INGEST_CONCURRENCY);
  }

  async ingest(
    tenantId: string,
    clusterId: string,
    batch: TelemetryBatch__Output,
    now = new Date(),
  ): Promise<IngestResult> {
    // Validated inside the bound too: a batch waiting for its turn holds only its wire form, not
    // the sketches and row JSON built from it.
    const { items, stored } = await this.storing(async () => {
      const valid = validateTelemetryBatch(batch.batchId, batch.items, now.getTime(), this.limits);
      const lateBeforeMs = minuteStart(now.getTime()) - this.lateAfterMs;
      return {
        items: valid,
        stored: await this.telemetry.insertBatch(tenantId, clusterId, batch.batchId, valid, lateBeforeMs),
      };
    });
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
