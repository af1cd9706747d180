import { z } from 'zod';

/** One BullMQ queue per deployment (under the Redis prefix) for tenant recomputations. */
export const DESIRED_STATE_QUEUE = 'desired-state';
export const RECOMPUTE_TENANT_JOB = 'recompute-tenant';

/**
 * Calls for one tenant within this window after the first are folded into one recomputation.
 * The window starts at the first call and is not extended by later ones, so a tenant whose
 * inventory changes all the time is still recomputed at least this often.
 */
export const RECOMPUTE_DEBOUNCE_MS = 250;

export const recomputeTenantJobSchema = z.object({ tenantId: z.uuid(), reason: z.string().max(200) });
export type RecomputeTenantJob = z.infer<typeof recomputeTenantJobSchema>;
