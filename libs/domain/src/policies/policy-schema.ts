import { z } from 'zod';
import type { FieldError } from '../errors';
import type { SecurityPolicySpec, TrafficPolicySpec } from './policy-spec';

/*
 * Shapes of the editor-facing specs: types, required fields, unknown fields refused (a typo such
 * as "retrys" must not be silently ignored). Meaning (weights, subsets, bounds, references) is
 * checked afterwards by validateTrafficPolicy / validateSecurityPolicy.
 */

/** Names, durations, paths and patterns: none is legitimately longer; huge strings are refused. */
export const MAX_POLICY_TEXT_LENGTH = 1024;
const text = z
  .string()
  .min(1, 'must not be empty')
  .max(MAX_POLICY_TEXT_LENGTH, `must be at most ${MAX_POLICY_TEXT_LENGTH} characters`);
// As Kubernetes allows them: the labels end up in DestinationRules and AuthorizationPolicies.
const labels = z.record(
  z
    .string()
    .regex(
      /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/,
      'label keys must be Kubernetes label keys ([prefix/]name, name up to 63 characters)',
    ),
  z
    .string()
    .regex(
      /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/,
      'must be a Kubernetes label value: up to 63 letters, digits, "-", "_" or ".", starting and ending alphanumeric',
    ),
);
const percentage = z.number().min(0, 'must be between 0 and 100').max(100, 'must be between 0 and 100');
const count = (max: number) =>
  z.number().int('must be a whole number').min(0, 'must not be negative').max(max, `must be at most ${max}`);

const stringMatch = z.union(
  [
    z
      .object({
        exact: z.string().max(MAX_POLICY_TEXT_LENGTH, `must be at most ${MAX_POLICY_TEXT_LENGTH} characters`),
      })
      .strict(),
    z.object({ prefix: text }).strict(),
    z.object({ regex: text }).strict(),
  ],
  { error: 'must be one of {"exact": …}, {"prefix": …} or {"regex": …}' },
);

const requestMatch = z
  .object({
    headers: z.record(text, stringMatch).optional(),
    path: stringMatch.optional(),
    method: text.optional(),
  })
  .strict();

const retries = z
  .object({
    attempts: count(20),
    perTryTimeout: text.optional(),
    retryOn: z.array(text).optional(),
  })
  .strict();

const fault = z
  .object({
    delay: z.object({ fixedDelay: text, percentage }).strict().optional(),
    abort: z
      .object({ httpStatus: z.number().int('must be a whole number'), percentage })
      .strict()
      .optional(),
  })
  .strict();

const route = z
  .object({
    name: text.optional(),
    match: z.array(requestMatch).optional(),
    destinations: z.array(
      z
        .object({ subset: text.optional(), weight: z.number().int('must be a whole number').optional() })
        .strict(),
    ),
    timeout: text.optional(),
    retries: retries.optional(),
    fault: fault.optional(),
  })
  .strict();

/** The traffic policy shape (also published as JSON Schema for declarative TrafficPolicy specs). */
export const trafficPolicySchema = z
  .object({
    subsets: z.array(z.object({ name: text, labels }).strict()).optional(),
    routes: z.array(route).optional(),
    timeout: text.optional(),
    retries: retries.optional(),
    fault: fault.optional(),
    connectionPool: z
      .object({
        tcp: z
          .object({ maxConnections: count(1_000_000).optional(), connectTimeout: text.optional() })
          .strict()
          .optional(),
        http: z
          .object({
            http1MaxPendingRequests: count(1_000_000).optional(),
            http2MaxRequests: count(1_000_000).optional(),
            maxRequestsPerConnection: count(1_000_000).optional(),
            maxRetries: count(1_000_000).optional(),
          })
          .strict()
          .optional(),
      })
      .strict()
      .optional(),
    outlierDetection: z
      .object({
        consecutiveErrors: count(10_000),
        interval: text,
        baseEjectionTime: text,
        maxEjectionPercent: percentage.pipe(z.number().int('must be a whole number')),
      })
      .strict()
      .optional(),
    failover: z.array(text).optional(),
  })
  .strict();

const action = z.enum(['ALLOW', 'DENY'], { error: 'must be ALLOW or DENY' });

/** The security policy shape (also published as JSON Schema for declarative SecurityPolicy specs). */
export const securityPolicySchema = z
  .object({
    defaultAction: action,
    services: z
      .array(
        z
          .object({
            service: text,
            mtlsMode: z.enum(['STRICT', 'PERMISSIVE'], { error: 'must be STRICT or PERMISSIVE' }).optional(),
            serviceAccount: text.optional(),
            workloadLabels: labels.optional(),
          })
          .strict(),
      )
      .optional(),
    rules: z
      .array(
        z
          .object({
            name: text.optional(),
            action,
            from: z.array(text).min(1, 'must name at least one calling service (or "*")'),
            to: text,
            methods: z.array(text).optional(),
            paths: z.array(text).optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

export type ShapeResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseTrafficPolicyShape(input: unknown): ShapeResult<TrafficPolicySpec> {
  return parseShape(trafficPolicySchema, input);
}

export function parseSecurityPolicyShape(input: unknown): ShapeResult<SecurityPolicySpec> {
  return parseShape(securityPolicySchema, input);
}

function parseShape<T>(schema: z.ZodType<T>, input: unknown): ShapeResult<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.flatMap((issue) =>
      // An unknown field is named itself, so the editor sees which key is the typo.
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((key) => ({
            field: fieldPath([...issue.path, key]),
            message: 'is not a known field',
          }))
        : [{ field: fieldPath(issue.path) || '(body)', message: issue.message }],
    ),
  };
}

/** `routes[0].destinations[1].weight` */
function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
