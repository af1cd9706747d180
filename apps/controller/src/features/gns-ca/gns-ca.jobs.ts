import { Injectable } from '@nestjs/common';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { gnsCaQueue } from './ca-rotation-scheduler.service';
import { CaRotationService } from './ca-rotation.service';

/** How often every replica's worker looks for work nobody announced (time-based waits, lost events). */
export const SWEEP_EVERY_MS = 60_000;

/** Runs the CA's jobs (queue declared with its producer, CaRotationScheduler) on every replica; BullMQ hands each to one of them. */
@Injectable()
export class GnsCaJobs {
  constructor(jobs: JobRunner, rotation: CaRotationService) {
    jobs.register(gnsCaQueue, {
      handlers: {
        'advance-rotations': ({ tenantId }) => rotation.advanceTenant(tenantId),
        sweep: () => rotation.sweep(),
      },
      schedules: [
        {
          id: 'gns-ca-sweep',
          job: 'sweep',
          every: SWEEP_EVERY_MS,
          options: { removeOnComplete: 100, removeOnFail: 100 },
        },
      ],
    });
  }
}
