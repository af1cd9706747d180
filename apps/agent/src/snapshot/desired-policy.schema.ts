import type { DesiredSecurityPolicy, DesiredTrafficPolicy } from '@lattice/domain';
import { z } from 'zod';

// Policies in a snapshot payload (DesiredGlobalNamespace.trafficPolicies / securityPolicy). The
// controller validated them when they were written; this only guards the agent against a payload
// it cannot render (the snapshot is then NACKed with the path of the bad field).
const labels = z.record(z.string(), z.string());
const duration = z.string().regex(/^\d+(ms|s)$/, 'must be a duration like "250ms" or "5s"');
const percentage = z.number().min(0).max(100);
const stringMatch = z.union([
  z.object({ exact: z.string() }),
  z.object({ prefix: z.string() }),
  z.object({ regex: z.string() }),
]);

const retries = z.object({
  attempts: z.number().int().nonnegative(),
  perTryTimeout: duration.optional(),
  retryOn: z.array(z.string()).optional(),
});

const fault = z.object({
  delay: z.object({ fixedDelay: duration, percentage }).optional(),
  abort: z.object({ httpStatus: z.number().int().min(200).max(599), percentage }).optional(),
});

const route = z.object({
  name: z.string().min(1),
  match: z
    .array(
      z.object({
        headers: z.record(z.string(), stringMatch).optional(),
        path: stringMatch.optional(),
        method: z.string().optional(),
      }),
    )
    .optional(),
  destinations: z
    .array(z.object({ subset: z.string().min(1).optional(), weight: z.number().int().min(0).max(100) }))
    .min(1),
  timeout: duration.optional(),
  retries: retries.optional(),
  fault: fault.optional(),
});

const count = z.number().int().nonnegative();

export const desiredTrafficPolicySchema: z.ZodType<DesiredTrafficPolicy> = z.object({
  service: z.string().min(1),
  subsets: z.array(z.object({ name: z.string().min(1), labels })),
  routes: z.array(route),
  connectionPool: z
    .object({
      tcp: z.object({ maxConnections: count.optional(), connectTimeout: duration.optional() }).optional(),
      http: z
        .object({
          http1MaxPendingRequests: count.optional(),
          http2MaxRequests: count.optional(),
          maxRequestsPerConnection: count.optional(),
          maxRetries: count.optional(),
        })
        .optional(),
    })
    .optional(),
  outlierDetection: z
    .object({
      consecutiveErrors: count,
      interval: duration,
      baseEjectionTime: duration,
      maxEjectionPercent: percentage,
    })
    .optional(),
  failover: z.array(z.string().min(1)).optional(),
});

const action = z.enum(['ALLOW', 'DENY']);

export const desiredSecurityPolicySchema: z.ZodType<DesiredSecurityPolicy> = z.object({
  defaultAction: action,
  services: z.array(
    z.object({
      service: z.string().min(1),
      mtlsMode: z.enum(['STRICT', 'PERMISSIVE']).optional(),
      workloadLabels: labels.refine(
        (value) => Object.keys(value).length > 0,
        'must select by at least one label',
      ),
    }),
  ),
  rules: z.array(
    z.object({
      name: z.string().min(1),
      action,
      to: z.string().min(1),
      fromPrincipals: z.array(z.string().min(1)),
      methods: z.array(z.string().min(1)).optional(),
      paths: z.array(z.string().min(1)).optional(),
    }),
  ),
});
