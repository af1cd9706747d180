import { Injectable, type Logger } from '@nestjs/common';
import { z } from 'zod';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { currentRequestStartedAt } from '../../platform/http/request-context.util';
import { defineQueue } from '../../platform/jobs/jobs.types';
import { DesiredStateMetrics } from './desired-state.metrics';
import { RecomputeMarksStore } from './recompute-marks.store';
import { DEFAULT_COALESCING } from './recompute-coalescing.util';

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
  // A replica killed mid-recomputation: its job runs again within seconds, not BullMQ's default 30 s.
  lockDurationMs: 10_000,
  defaultJobOptions: {
    attempts: 8,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: true,
    removeOnFail: 100,
  },
});

/**
 * Asks for the desired state of a tenant's clusters to be recomputed (after a GNS change, an
 * inventory change, a cluster joining or leaving). Implementations debounce across replicas: a
 * burst of calls yields few recomputations, and the last one always sees the latest data.
 */
export abstract class DesiredStateScheduler {
  abstract schedule(tenantId: string, reason: string): Promise<void>;
}

/**
 * Debounces recomputations per tenant across replicas: BullMQ deduplication keyed by tenant, plus
 * a trailing quiet period with a bound (recomputeWaitMs, DEFAULT_COALESCING: 100 ms quiet, at most
 * 1 s after the first change):
 *
 * - every call stamps the tenant's last change in Redis (RecomputeMarksStore) and adds a job
 *   delayed by the quiet period; further calls while it waits are dropped by the deduplication (the
 *   job has not read anything yet, so it will see their changes);
 * - when the job starts it waits, before reading anything, until no change came for the quiet
 *   period or the bound after its first change has passed (DesiredStateJobs);
 * - a call while the tenant's job is running is kept (`keepLastIfActive`): when the job ends,
 *   BullMQ enqueues one more. That run reads the data after the change, so the final state is
 *   always the latest, and one tenant is never recomputed twice at the same time (two overlapping
 *   runs could otherwise store an older state after a newer one).
 *
 * A burst of 100 edits in 1 s thus gives one recomputation at the bound and one after the burst
 * (at most one more for an edit that lands while the first runs), instead of one per debounce window.
 */
@Injectable()
export class QueuedDesiredStateScheduler extends DesiredStateScheduler {
  constructor(
    private readonly jobs: JobRunner,
    private readonly marks: RecomputeMarksStore,
    private readonly metrics: DesiredStateMetrics,
  ) {
    super();
  }

  async schedule(tenantId: string, reason: string): Promise<void> {
    const startedAt = performance.now();
    const now = Date.now();
    await Promise.all([
      this.marks.markChanged(tenantId, now),
      this.jobs.enqueue(
        desiredStateQueue,
        'recompute-tenant',
        { tenantId, reason: reason.slice(0, 200), requestedAt: now },
        {
          delay: DEFAULT_COALESCING.quietMs,
          deduplication: { id: `tenant:${tenantId}`, keepLastIfActive: true },
        },
      ),
    ]);
    const enqueuedAt = performance.now();
    this.metrics.enqueueSeconds.observe((enqueuedAt - startedAt) / 1000);
    // Inside an API request: from the request reaching the handlers (validated, committed) to here.
    const requestStartedAt = currentRequestStartedAt();
    if (requestStartedAt !== undefined)
      this.metrics.writeToEnqueuedSeconds.observe((enqueuedAt - requestStartedAt) / 1000);
  }
}

/**
 * Schedules after a change is committed: if Redis refuses the job, the request still succeeds (the
 * failure is logged) and the next recomputation of the tenant — any later change or inventory
 * report — carries the change.
 */
export async function scheduleAfterCommit(
  scheduler: DesiredStateScheduler,
  logger: Pick<Logger, 'error'>,
  tenantId: string,
  reason: string,
): Promise<void> {
  await scheduler
    .schedule(tenantId, reason)
    .catch((error: unknown) =>
      logger.error({ err: error, tenantId, reason }, 'scheduling a desired-state recomputation failed'),
    );
}
