import type { Logger } from '@nestjs/common';

/**
 * Asks for the desired state of a tenant's clusters to be recomputed (after a GNS change, an
 * inventory change, a cluster joining or leaving). Implementations debounce across replicas: a
 * burst of calls yields few recomputations, and the last one always sees the latest data.
 */
export abstract class DesiredStateScheduler {
  abstract schedule(tenantId: string, reason: string): Promise<void>;
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
