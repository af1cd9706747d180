import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { RedisService } from '../../platform/redis/redis.service';
import { DesiredStateScheduler } from './desired-state.scheduler';
import {
  DESIRED_STATE_QUEUE,
  RECOMPUTE_DEBOUNCE_MS,
  RECOMPUTE_TENANT_JOB,
  type RecomputeTenantJob,
} from './desired-state.queue';

/**
 * Debounces recomputations per tenant across replicas with BullMQ deduplication keyed by tenant:
 *
 * - the first call adds a job delayed by RECOMPUTE_DEBOUNCE_MS; further calls while it waits are
 *   dropped (the job has not read anything yet, so it will see their changes);
 * - a call while the tenant's job is running is kept (`keepLastIfActive`): when the job ends,
 *   BullMQ enqueues one more, again delayed. That run reads the data after the change, so the
 *   final state is always the latest, and one tenant is never recomputed twice at the same time
 *   (two overlapping runs could otherwise store an older state after a newer one).
 */
@Injectable()
export class BullmqDesiredStateScheduler extends DesiredStateScheduler implements OnModuleDestroy {
  private readonly queue: Queue<RecomputeTenantJob>;

  constructor(redis: RedisService) {
    super();
    this.queue = new Queue<RecomputeTenantJob>(DESIRED_STATE_QUEUE, {
      connection: redis.connectionForQueue(),
      prefix: redis.prefix,
      defaultJobOptions: {
        attempts: 8,
        backoff: { type: 'exponential', delay: 500 },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    });
  }

  async schedule(tenantId: string, reason: string): Promise<void> {
    await this.queue.add(
      RECOMPUTE_TENANT_JOB,
      { tenantId, reason: reason.slice(0, 200) },
      { delay: RECOMPUTE_DEBOUNCE_MS, deduplication: { id: `tenant:${tenantId}`, keepLastIfActive: true } },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}
