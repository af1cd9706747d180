import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { CaRotationService } from './ca-rotation.service';

/** How often every replica's worker looks for work nobody announced (time-based waits, lost events). */
export const SWEEP_EVERY_MS = 60_000;

/**
 * The CA's queue: "advance the root rotations of a tenant" (after an ACK, a stage change, or at
 * the moment a time-based wait ends; see CaRotationScheduler) and a periodic sweep.
 */
export const gnsCaQueue = defineQueue({
  name: 'gns-ca',
  jobs: {
    'advance-rotations': z.object({ tenantId: z.uuid() }),
    sweep: z.object({}),
  },
  concurrency: 2,
  defaultJobOptions: {
    attempts: 5,
    backoff: { type: 'exponential', delay: 1000 },
    removeOnComplete: true,
    removeOnFail: 100,
  },
});

/** Runs CA jobs on every replica; BullMQ hands each to one of them. */
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
