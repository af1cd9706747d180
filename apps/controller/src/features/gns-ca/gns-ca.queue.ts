import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Queue } from 'bullmq';
import { z } from 'zod';
import { RedisService } from '../../platform/redis/redis.service';

export const GNS_CA_QUEUE = 'gns-ca';
export const ADVANCE_TENANT_JOB = 'advance-rotations';
export const SWEEP_JOB = 'sweep';
/** How often every replica's worker looks for work nobody announced (time-based waits, lost events). */
export const SWEEP_EVERY_MS = 60_000;

export const advanceTenantJobSchema = z.object({ tenantId: z.uuid() });
export type AdvanceTenantJob = z.infer<typeof advanceTenantJobSchema>;

/**
 * The CA's BullMQ queue: "advance the root rotations of a tenant" (after an ACK, a stage change,
 * or at the moment a time-based wait ends) and a periodic sweep. Advancing is deduplicated per
 * tenant, so a burst of ACKs gives one run, and one tenant is never advanced twice at once.
 */
@Injectable()
export class GnsCaQueue implements OnModuleDestroy {
  readonly queue: Queue;

  constructor(redis: RedisService) {
    this.queue = new Queue(GNS_CA_QUEUE, {
      connection: redis.connectionForQueue(),
      prefix: redis.prefix,
      defaultJobOptions: {
        attempts: 5,
        backoff: { type: 'exponential', delay: 1000 },
        removeOnComplete: true,
        removeOnFail: 100,
      },
    });
  }

  async advanceSoon(tenantId: string, delayMs = 300): Promise<void> {
    await this.queue.add(
      ADVANCE_TENANT_JOB,
      { tenantId },
      { delay: delayMs, deduplication: { id: `advance-${tenantId}`, keepLastIfActive: true } },
    );
  }

  /** A separate job id per moment: a wait until then must not be swallowed by the deduplication above. */
  async advanceAt(tenantId: string, at: Date): Promise<void> {
    await this.queue.add(
      ADVANCE_TENANT_JOB,
      { tenantId },
      {
        delay: Math.max(0, at.getTime() - Date.now()) + 250,
        jobId: `advance-${tenantId}-at-${at.getTime()}`,
      },
    );
  }

  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }
}
