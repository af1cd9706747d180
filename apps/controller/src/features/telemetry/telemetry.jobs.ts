import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { z } from 'zod';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { TelemetryMaintenanceService } from './telemetry-maintenance.service';

export const telemetryMaintenanceQueue = defineQueue({
  name: 'telemetry-maintenance',
  jobs: { rollup: z.object({}), retention: z.object({}), partitions: z.object({}) },
  concurrency: 1,
});

const cleanUp = { removeOnComplete: 100, removeOnFail: 100 };

/**
 * Repeatable jobs for rollups (every 5 minutes: an hour is rolled up shortly after it ends),
 * retention (hourly, dropping expired partitions) and partitions created ahead (hourly). Cron patterns rather than `every`, so a start-up does not run them at once.
 */
@Injectable()
export class TelemetryJobs implements OnApplicationBootstrap {
  constructor(
    private readonly jobs: JobRunner,
    maintenance: TelemetryMaintenanceService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {
    jobs.register(telemetryMaintenanceQueue, {
      handlers: {
        rollup: () => maintenance.rollUp(),
        retention: () => maintenance.applyRetention(),
        partitions: () => maintenance.ensurePartitions(),
      },
      schedules: [
        { id: 'telemetry-rollup', job: 'rollup', pattern: '*/5 * * * *', options: cleanUp },
        { id: 'telemetry-retention', job: 'retention', pattern: '17 * * * *', options: cleanUp },
        // Partitions are created days ahead; hourly keeps that true across restarts and outages.
        { id: 'telemetry-partitions', job: 'partitions', pattern: '7 * * * *', options: cleanUp },
      ],
    });
  }

  /**
   * Partitions once at start-up too (by a worker replica; one job for all replicas starting within a
   * minute): after the migration, existing rows wait in the default partitions until then.
   */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.LATTICE_ROLES.includes('worker')) return;
    const minute = Math.floor(Date.now() / 60_000);
    await this.jobs.enqueue(
      telemetryMaintenanceQueue,
      'partitions',
      {},
      { jobId: `telemetry-partitions-start-${minute}`, ...cleanUp },
    );
  }
}
