import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { RedisService } from '../../platform/redis/redis.service';
import { CaRotationService } from './ca-rotation.service';
import {
  ADVANCE_TENANT_JOB,
  GNS_CA_QUEUE,
  GnsCaQueue,
  SWEEP_EVERY_MS,
  SWEEP_JOB,
  advanceTenantJobSchema,
} from './gns-ca.queue';

/** Runs CA jobs on every replica; BullMQ hands each to one of them. */
@Injectable()
export class GnsCaWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(GnsCaWorker.name);
  private worker?: Worker;

  constructor(
    private readonly redis: RedisService,
    private readonly queue: GnsCaQueue,
    private readonly rotation: CaRotationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Upserted by id: every replica registering it is harmless, each tick runs once.
    await this.queue.queue.upsertJobScheduler(
      'gns-ca-sweep',
      { every: SWEEP_EVERY_MS },
      { name: SWEEP_JOB, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
    this.worker = new Worker(GNS_CA_QUEUE, (job) => this.process(job), {
      connection: this.redis.connectionForQueue(),
      prefix: this.redis.prefix,
      concurrency: 2,
    });
    this.worker.on('failed', (job, error) =>
      this.logger.warn({ err: error, job: job?.name, data: job?.data as unknown }, 'CA job failed'),
    );
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'CA worker error'));
  }

  private async process(job: Job): Promise<void> {
    switch (job.name) {
      case ADVANCE_TENANT_JOB: {
        const payload = advanceTenantJobSchema.safeParse(job.data);
        if (!payload.success) {
          this.logger.error({ jobId: job.id }, 'dropping a malformed CA job');
          return;
        }
        return this.rotation.advanceTenant(payload.data.tenantId);
      }
      case SWEEP_JOB:
        return this.rotation.sweep();
      default:
        this.logger.error({ jobId: job.id, name: job.name }, 'dropping an unknown CA job');
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}
