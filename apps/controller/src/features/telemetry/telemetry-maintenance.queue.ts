import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { Queue, Worker, type Job } from 'bullmq';
import { RedisService } from '../../platform/redis/redis.service';
import { TelemetryMaintenanceService } from './telemetry-maintenance.service';

export const TELEMETRY_MAINTENANCE_QUEUE = 'telemetry-maintenance';
const ROLLUP_JOB = 'rollup';
const RETENTION_JOB = 'retention';

/**
 * Repeatable BullMQ jobs for rollups (every 5 minutes: an hour is rolled up shortly after it ends)
 * and retention (hourly). Cron patterns rather than `every`, so a start-up does not run them at
 * once; job schedulers are upserted by id, so every replica registering them is harmless, and
 * each tick runs on one replica.
 */
@Injectable()
export class TelemetryMaintenanceQueue implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryMaintenanceQueue.name);
  private queue?: Queue;
  private worker?: Worker;

  constructor(
    private readonly redis: RedisService,
    private readonly maintenance: TelemetryMaintenanceService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const prefix = this.redis.prefix;
    this.queue = new Queue(TELEMETRY_MAINTENANCE_QUEUE, { connection: this.redis.connectionForQueue(), prefix });
    await this.queue.upsertJobScheduler('telemetry-rollup', { pattern: '*/5 * * * *' }, { name: ROLLUP_JOB, opts: cleanUp });
    await this.queue.upsertJobScheduler('telemetry-retention', { pattern: '17 * * * *' }, { name: RETENTION_JOB, opts: cleanUp });
    this.worker = new Worker(TELEMETRY_MAINTENANCE_QUEUE, (job) => this.process(job), {
      connection: this.redis.connectionForQueue(),
      prefix,
      concurrency: 1,
    });
    this.worker.on('failed', (job, error) => this.logger.error({ err: error, job: job?.name }, 'telemetry maintenance job failed'));
  }

  private async process(job: Job): Promise<unknown> {
    switch (job.name) {
      case ROLLUP_JOB:
        return this.maintenance.rollUp();
      case RETENTION_JOB:
        return this.maintenance.applyRetention();
      default:
        throw new Error(`unknown telemetry maintenance job ${job.name}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
    await this.queue?.close();
  }
}

const cleanUp = { removeOnComplete: 100, removeOnFail: 100 };
