import { Injectable, Logger } from '@nestjs/common';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { desiredStateQueue } from './desired-state-scheduler.service';
import { DesiredStateService } from './desired-state.service';
import { RecomputeMarksStore } from './recompute-marks.store';
import { recomputeWaitMs } from './recompute-coalescing.util';

export { desiredStateQueue } from './desired-state-scheduler.service';

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
