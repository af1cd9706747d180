import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type Job, Worker } from 'bullmq';
import { RedisService } from '../../platform/redis/redis.service';
import {
  DESIRED_STATE_QUEUE,
  recomputeTenantJobSchema,
  type RecomputeTenantJob,
} from './desired-state.queue';
import { DesiredStateService, type RecomputeResult } from './desired-state.service';

/** Runs tenant recomputations on every replica; BullMQ hands each job to one of them. */
@Injectable()
export class DesiredStateWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DesiredStateWorker.name);
  private worker?: Worker<RecomputeTenantJob, RecomputeResult>;

  constructor(
    private readonly redis: RedisService,
    private readonly desiredState: DesiredStateService,
  ) {}

  onApplicationBootstrap(): void {
    this.worker = new Worker<RecomputeTenantJob, RecomputeResult>(
      DESIRED_STATE_QUEUE,
      (job) => this.process(job),
      {
        connection: this.redis.connectionForQueue(),
        prefix: this.redis.prefix,
        // Different tenants in parallel; one tenant never runs twice at once (deduplication).
        concurrency: 4,
      },
    );
    this.worker.on('failed', (job, error) =>
      this.logger.warn(
        { err: error, tenantId: job?.data.tenantId, attempt: job?.attemptsMade },
        'desired state recomputation failed',
      ),
    );
    this.worker.on('error', (error) => this.logger.error({ err: error }, 'desired state worker error'));
  }

  private async process(job: Job<RecomputeTenantJob, RecomputeResult>): Promise<RecomputeResult> {
    const payload = recomputeTenantJobSchema.safeParse(job.data);
    if (!payload.success) {
      this.logger.error({ jobId: job.id }, 'dropping a malformed desired-state job');
      return { clusters: 0, newVersions: [] };
    }
    const result = await this.desiredState.recomputeTenant(payload.data.tenantId);
    this.logger.debug(
      { ...result, tenantId: payload.data.tenantId, reason: payload.data.reason },
      'desired state recomputed',
    );
    return result;
  }

  /** Waits for the running job to finish (graceful shutdown); queued ones stay in Redis for any replica. */
  async onModuleDestroy(): Promise<void> {
    await this.worker?.close();
  }
}
