import { Injectable, Logger } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { DesiredStateService } from './desired-state.service';
import { RecomputeMarksStore } from './recompute-marks.store';
import { recomputeWaitMs } from './recompute-coalescing.util';

/** Recomputations of a tenant's desired states; one queue per deployment (under the Redis prefix). */
export const desiredStateQueue = defineQueue({
  name: 'desired-state',
  jobs: {
    'recompute-tenant': z.object({
      tenantId: z.uuid(),
      reason: z.string().max(200),
      /** When the first change this job is for was scheduled (ms since the epoch); absent from older replicas. */
      requestedAt: z.int().nonnegative().optional(),
    }),
  },
  // Different tenants in parallel; one tenant never runs twice at once (deduplication, see DesiredStateScheduler).
  concurrency: 4,
  defaultJobOptions: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: true,
    removeOnFail: 100,
  },
});

/** Runs tenant recomputations on every replica; BullMQ hands each job to one of them. */
@Injectable()
export class DesiredStateJobs {
  private readonly logger = new Logger(DesiredStateJobs.name);

  constructor(jobs: JobRunner, desiredState: DesiredStateService, marks: RecomputeMarksStore) {
    jobs.register(desiredStateQueue, {
      handlers: {
        'recompute-tenant': async ({ tenantId, reason, requestedAt }) => {
          // Changes still coming: wait for them to pause (bounded), before reading anything.
          for (;;) {
            const waitMs = recomputeWaitMs(Date.now(), requestedAt ?? 0, await marks.lastChangeAt(tenantId));
            if (waitMs <= 0) break;
            await new Promise((resolve) => setTimeout(resolve, waitMs));
          }
          const result = await desiredState.recomputeTenant(tenantId);
          this.logger.debug({ ...result, tenantId, reason }, 'desired state recomputed');
          return result;
        },
      },
    });
  }
}
