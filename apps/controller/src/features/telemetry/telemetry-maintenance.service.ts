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
  /** Partitions dropped (whole days of minutes, whole months of hours past retention). */
  minutePartitions: string[];
  hourPartitions: string[];
  /** Expired rows deleted from the default partitions (rows written where no partition existed). */
  minutes: number;
  hours: number;
  batches: number;
}

export interface PartitionResult {
  minutePartitions: number;
  hourPartitions: number;
}

/** Days of minute partitions and months of hour partitions kept created ahead of the clock. */
export const MINUTE_PARTITIONS_AHEAD_DAYS = 3;
export const HOUR_PARTITIONS_AHEAD_MONTHS = 2;

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

  /**
   * Retention by dropping partitions: a day of minutes (a month of hours) goes once all of it is
   * past retention, so data lives up to a day (a month) longer than its retention and no row is
   * deleted one by one. Only the default partitions, which hold rows written where no partition
   * existed, are cleaned with DELETE. Batch ids (one row per batch) are deleted in chunks.
   */
  async applyRetention(now = new Date()): Promise<RetentionResult> {
    const minuteCutoff = now.getTime() - this.minuteRetentionMs;
    const hourCutoff = now.getTime() - this.hourRetentionMs;
    const result: RetentionResult = {
      minutePartitions: await this.telemetry.dropPartitionsBefore('telemetry_minutes', minuteCutoff),
      hourPartitions: await this.telemetry.dropPartitionsBefore('telemetry_hours', hourCutoff),
      minutes: await this.telemetry.deleteDefaultMinutesBefore(minuteCutoff),
      hours: await this.telemetry.deleteDefaultHoursBefore(hourCutoff),
      batches: await this.telemetry.deleteBatchIdsBefore(minuteCutoff),
    };
    const changed =
      result.minutePartitions.length + result.hourPartitions.length + result.minutes + result.hours > 0;
    if (changed) for (const tenantId of await this.telemetry.tenantIds()) await this.versions.raise(tenantId);
    this.logger.log(result, 'telemetry retention done');
    return result;
  }

  /**
   * Creates the partitions of the retention window and of the coming days (minutes) and months
   * (hours) ahead of the data; a new one takes the rows of its range that went to the default
   * partition meanwhile (after the migration, which copies existing rows there, or an outage of
   * this job). Rows already past retention stay in the default partition for retention to delete.
   */
  async ensurePartitions(now = new Date()): Promise<PartitionResult> {
    const nowMs = now.getTime();
    // The whole retention window, so history an agent replays (after an outage) lands in its
    // partition, not in the default one; partitions that exist already cost one catalog lookup.
    const result = {
      minutePartitions: await this.telemetry.ensurePartitions(
        'telemetry_minutes',
        nowMs - this.minuteRetentionMs,
        nowMs + MINUTE_PARTITIONS_AHEAD_DAYS * DAY_MS,
      ),
      hourPartitions: await this.telemetry.ensurePartitions(
        'telemetry_hours',
        nowMs - this.hourRetentionMs,
        nowMs + HOUR_PARTITIONS_AHEAD_MONTHS * 31 * DAY_MS,
      ),
    };
    this.logger.log(result, 'telemetry partitions ensured');
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
