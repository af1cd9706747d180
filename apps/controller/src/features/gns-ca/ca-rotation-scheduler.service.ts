import { Injectable } from '@nestjs/common';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { gnsCaQueue } from './gns-ca.jobs';

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
