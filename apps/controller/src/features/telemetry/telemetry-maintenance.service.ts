import { Inject, Injectable, Logger } from '@nestjs/common';
import { ceilHour, floorHour, HOUR_MS, mergeSketchJson } from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryVersionStore } from './telemetry-version.store';
import { TelemetryRepository, type EdgeGroup, type HourRow } from './telemetry.repository';

const DAY_MS = 86_400_000;
/** An hour is rolled up this long after it ends, so minutes still in agents' send queues make it. */
export const ROLLUP_DELAY_MS = 5 * 60_000;

export interface RollupResult {
  hours: number;
  rows: number;
  rolledUpUntil: number;
}

export interface RetentionResult {
  minutes: number;
  hours: number;
  batches: number;
}

/**
 * Hourly rollups and retention. Both are idempotent and safe to run concurrently (two replicas, or
 * a test next to the scheduler): an hour is recomputed from its minutes under an advisory lock and
 * replaces its previous rows; the watermarks only move forward.
 */
@Injectable()
export class TelemetryMaintenanceService {
  private readonly logger = new Logger(TelemetryMaintenanceService.name);

  constructor(
    private readonly telemetry: TelemetryRepository,
    private readonly rollupState: RollupStateStore,
    private readonly versions: TelemetryVersionStore,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  private get minuteRetentionMs(): number {
    return this.config.env.LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS * DAY_MS;
  }

  private get hourRetentionMs(): number {
    return this.config.env.LATTICE_TELEMETRY_HOUR_RETENTION_DAYS * DAY_MS;
  }

  /** Rolls up every completed hour not rolled up yet, then the hours that received late minutes. */
  async rollUp(now = new Date()): Promise<RollupResult> {
    const until = floorHour(now.getTime() - ROLLUP_DELAY_MS);
    // Retention may have deleted part of an older hour: recomputing it would shrink a complete row.
    const oldestKept = ceilHour(now.getTime() - this.minuteRetentionMs);
    const previous = await this.rollupState.rolledUpUntil();
    // Raised before the minutes are read: an ingest committing after our read sees it and marks dirty.
    await this.rollupState.raiseTarget(until);
    let hours = 0;
    let rows = 0;
    for (const tenantId of await this.telemetry.tenantIds()) {
      const earliest = previous ?? (await this.telemetry.earliestMinute(tenantId));
      if (earliest === null) continue;
      for (let hour = Math.max(floorHour(earliest), oldestKept); hour < until; hour += HOUR_MS) {
        rows += await this.telemetry.recomputeHour(tenantId, hour, rollUpMinutes);
        hours++;
      }
      await this.versions.raise(tenantId);
    }
    for (const dirty of await this.rollupState.dirtyHours()) {
      await this.rollupState.clearDirty(dirty.member);
      if (dirty.hourMs < oldestKept) continue;
      rows += await this.telemetry.recomputeHour(dirty.tenantId, dirty.hourMs, rollUpMinutes);
      await this.versions.raise(dirty.tenantId);
      hours++;
    }
    await this.rollupState.raiseRolledUpUntil(until);
    this.logger.log({ hours, rows, rolledUpUntil: new Date(until).toISOString() }, 'telemetry rollup done');
    return { hours, rows, rolledUpUntil: until };
  }

  async applyRetention(now = new Date()): Promise<RetentionResult> {
    const minuteCutoff = now.getTime() - this.minuteRetentionMs;
    const hourCutoff = now.getTime() - this.hourRetentionMs;
    const result: RetentionResult = { minutes: 0, hours: 0, batches: 0 };
    for (const tenantId of await this.telemetry.tenantIds()) {
      result.minutes += await this.telemetry.deleteMinutesBefore(tenantId, minuteCutoff);
      result.hours += await this.telemetry.deleteHoursBefore(tenantId, hourCutoff);
      await this.versions.raise(tenantId);
    }
    result.batches = await this.telemetry.deleteBatchIdsBefore(minuteCutoff);
    this.logger.log(result, 'telemetry retention done');
    return result;
  }
}

/** One hour row per key: counts add, sketches merge. */
export function rollUpMinutes(groups: readonly EdgeGroup[]): HourRow[] {
  return groups.map((group) => ({
    clusterId: group.clusterId,
    sourceCluster: group.sourceCluster,
    sourceNamespace: group.sourceNamespace,
    sourceService: group.sourceService,
    destinationNamespace: group.destinationNamespace,
    destinationService: group.destinationService,
    requests: group.requests,
    errors: group.errors,
    sketch: mergeSketchJson(group.sketches).toJSON(),
  }));
}
