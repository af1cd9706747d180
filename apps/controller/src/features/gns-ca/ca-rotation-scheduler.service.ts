import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { defineQueue } from '../../platform/jobs/jobs.types';

/**
 * The CA's queue: "advance the root rotations of a tenant" and a periodic sweep (handlers in
 * gns-ca.jobs.ts). Declared here rather than in gns-ca.jobs.ts because CaRotationService both runs
 * these jobs and enqueues them: the jobs file imports CaRotationService, which imports this producer.
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

/**
 * Asks for the root rotations of a tenant to be advanced (after an ACK, a stage change, or at the
 * moment a time-based wait ends). Advancing is deduplicated per tenant, so a burst of ACKs gives
 * one run, and one tenant is never advanced twice at once.
 */
@Injectable()
export class CaRotationScheduler {
  constructor(private readonly jobs: JobRunner) {}

  async advanceSoon(tenantId: string, delayMs = 300): Promise<void> {
    await this.jobs.enqueue(
      gnsCaQueue,
      'advance-rotations',
      { tenantId },
      { delay: delayMs, deduplication: { id: `advance-${tenantId}`, keepLastIfActive: true } },
    );
  }

  /** A separate job id per moment: a wait until then must not be swallowed by the deduplication above. */
  async advanceAt(tenantId: string, at: Date): Promise<void> {
    await this.jobs.enqueue(
      gnsCaQueue,
      'advance-rotations',
      { tenantId },
      {
        delay: Math.max(0, at.getTime() - Date.now()) + 250,
        jobId: `advance-${tenantId}-at-${at.getTime()}`,
      },
    );
  }
}
