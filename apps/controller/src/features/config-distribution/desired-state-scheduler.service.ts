import { Injectable, type Logger } from '@nestjs/common';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { desiredStateQueue } from './config-distribution.jobs';

/**
 * Calls for one tenant within this window after the first are folded into one recomputation.
 * The window starts at the first call and is not extended by later ones, so a tenant whose
 * inventory changes all the time is still recomputed at least this often.
 */
export const RECOMPUTE_DEBOUNCE_MS = 250;

/**
 * Asks for the desired state of a tenant's clusters to be recomputed (after a GNS change, an
 * inventory change, a cluster joining or leaving). Implementations debounce across replicas: a
 * burst of calls yields few recomputations, and the last one always sees the latest data.
 */
export abstract class DesiredStateScheduler {
  abstract schedule(tenantId: string, reason: string): Promise<void>;
}

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
export class QueuedDesiredStateScheduler extends DesiredStateScheduler {
  constructor(private readonly jobs: JobRunner) {
    super();
  }

  async schedule(tenantId: string, reason: string): Promise<void> {
    await this.jobs.enqueue(
      desiredStateQueue,
      'recompute-tenant',
      { tenantId, reason: reason.slice(0, 200) },
      { delay: RECOMPUTE_DEBOUNCE_MS, deduplication: { id: `tenant:${tenantId}`, keepLastIfActive: true } },
    );
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
