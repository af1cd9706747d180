import { z } from 'zod';
import type { FieldError } from '../errors';
import { isDnsLabel } from '../gns/gns-identity';

/*
 * The autoscaling policy of one GNS service, as editors write it (REST, GraphQL, declarative
 * `AutoscalingPolicy`). Modelled on Tanzu Service Mesh's autoscaling definition: a mode, instance
 * bounds and steps, triggers with scale-up/scale-down thresholds over a window, a grace period.
 */

/** EFFICIENCY scales up and down; PERFORMANCE only ever scales up (bounds aside). */
export const AUTOSCALING_MODES = ['EFFICIENCY', 'PERFORMANCE'] as const;
export type AutoscalingMode = (typeof AUTOSCALING_MODES)[number];

/**
 * What a trigger measures, and in which unit:
 * - CPU: millicores per pod (average over the workload's pods, metrics.k8s.io);
 * - MEMORY: MiB per pod (average, metrics.k8s.io);
 * - REQUESTS_PER_SECOND: requests per second per pod (the service's inbound rate in this cluster,
 *   from Istio's istio_requests_total reported by the destination, divided by the current replicas);
 * - ERROR_RATE: percent of the service's inbound requests answered 5xx in this cluster;
 * - LATENCY: the `percentile` (p50, p90, p99) of inbound request duration in ms in this cluster.
 */
export const AUTOSCALING_METRICS = ['CPU', 'MEMORY', 'REQUESTS_PER_SECOND', 'ERROR_RATE', 'LATENCY'] as const;
export type AutoscalingMetric = (typeof AUTOSCALING_METRICS)[number];
export const AUTOSCALING_PERCENTILES = ['p50', 'p90', 'p99'] as const;
export type AutoscalingPercentile = (typeof AUTOSCALING_PERCENTILES)[number];

export const WORKLOAD_KINDS = ['Deployment', 'StatefulSet'] as const;
export type WorkloadKind = (typeof WORKLOAD_KINDS)[number];

export interface AutoscalingTrigger {
  metric: AutoscalingMetric;
  /** Only for LATENCY. */
  percentile?: AutoscalingPercentile;
  /** Scale up when the metric stayed above this for the whole window. */
  scaleUp: number;
  /** Scale down when the metric stayed below this for the whole window (and every trigger agrees). */
  scaleDown: number;
}

export interface AutoscalingInstances {
  min: number;
  max: number;
  /** Set when no trigger has had data for a whole window (metrics unavailable). */
  default: number;
  stepsUp: number;
  stepsDown: number;
}

/** The workload to scale in one cluster, overriding the default (the Deployment named like the service). */
export interface AutoscalingTarget {
  cluster: string;
  kind: WorkloadKind;
  /** Default: the namespace where the service runs in that cluster. */
  namespace?: string;
  name: string;
}

export interface AutoscalingPolicySpec {
  mode: AutoscalingMode;
  instances: AutoscalingInstances;
  triggers: AutoscalingTrigger[];
  windowSeconds: number;
  gracePeriodSeconds: number;
  recommendOnly: boolean;
  targets: AutoscalingTarget[];
}

/** Bounds: short enough for tests in seconds, long enough for a day's patterns. */
export const AUTOSCALING_LIMITS = {
  maxReplicas: 1000,
  minWindowSeconds: 1,
  maxWindowSeconds: 3600,
  maxGracePeriodSeconds: 86_400,
  maxTriggers: 5,
  maxTargets: 100,
  /** Largest threshold of any metric: 1e9 millicores, MiB, requests per second or milliseconds is past any real workload. */
  maxThreshold: 1_000_000_000,
} as const;

const replicas = (what: string) =>
  z
    .number({ error: `${what} must be a number` })
    .int('must be a whole number')
    .min(0, 'must not be negative')
    .max(AUTOSCALING_LIMITS.maxReplicas, `must be at most ${AUTOSCALING_LIMITS.maxReplicas}`);
const step = z
  .number({ error: 'must be a number' })
  .int('must be a whole number')
  .min(1, 'must be at least 1')
  .max(AUTOSCALING_LIMITS.maxReplicas, `must be at most ${AUTOSCALING_LIMITS.maxReplicas}`);
const threshold = z
  .number({ error: 'must be a number' })
  .refine((value) => Number.isFinite(value), 'must be a finite number')
  .refine((value) => value >= 0, 'must not be negative')
  .refine(
    (value) => value <= AUTOSCALING_LIMITS.maxThreshold,
    `must be at most ${AUTOSCALING_LIMITS.maxThreshold}`,
  );
const dnsLabel = z
  .string({ error: 'must be a string' })
  .refine(isDnsLabel, 'must be a DNS label (lower-case letters, digits and "-", at most 63)');
const kubernetesName = z
  .string({ error: 'must be a string' })
  .regex(
    /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/,
    'must be a Kubernetes object name (lower-case letters, digits, "-" and ".", at most 253)',
  );

const triggerSchema = z.strictObject({
  metric: z.enum(AUTOSCALING_METRICS, { error: `must be one of ${AUTOSCALING_METRICS.join(', ')}` }),
  percentile: z.enum(AUTOSCALING_PERCENTILES, { error: 'must be p50, p90 or p99' }).optional(),
  scaleUp: threshold,
  scaleDown: threshold,
});

const targetSchema = z.strictObject({
  cluster: z
    .string({ error: 'must be a string' })
    .min(1, 'must not be empty')
    .max(253, 'must be at most 253 characters'),
  kind: z.enum(WORKLOAD_KINDS, { error: 'must be Deployment or StatefulSet' }),
  namespace: dnsLabel.optional(),
  name: kubernetesName,
});

/**
 * The shape of a policy (types, bounds, required and unknown fields; defaults of the optional
 * fields): what the REST API checks first and what the declarative `AutoscalingPolicy` kind
 * publishes as its spec. validateAutoscalingPolicy adds the rules across fields.
 */
export const autoscalingPolicySchema = z.strictObject({
  mode: z.enum(AUTOSCALING_MODES, { error: 'must be EFFICIENCY or PERFORMANCE' }),
  instances: z.strictObject({
    min: replicas('min'),
    max: replicas('max'),
    default: replicas('default'),
    stepsUp: step.optional().default(1),
    stepsDown: step.optional().default(1),
  }),
  triggers: z
    .array(triggerSchema, { error: 'must be a list of triggers' })
    .min(1, 'needs at least one trigger')
    .max(AUTOSCALING_LIMITS.maxTriggers, `at most ${AUTOSCALING_LIMITS.maxTriggers} triggers`),
  windowSeconds: z
    .number({ error: 'must be a number' })
    .int('must be a whole number of seconds')
    .min(AUTOSCALING_LIMITS.minWindowSeconds, `must be at least ${AUTOSCALING_LIMITS.minWindowSeconds}`)
    .max(AUTOSCALING_LIMITS.maxWindowSeconds, `must be at most ${AUTOSCALING_LIMITS.maxWindowSeconds}`),
  gracePeriodSeconds: z
    .number({ error: 'must be a number' })
    .int('must be a whole number of seconds')
    .min(0, 'must not be negative')
    .max(
      AUTOSCALING_LIMITS.maxGracePeriodSeconds,
      `must be at most ${AUTOSCALING_LIMITS.maxGracePeriodSeconds}`,
    ),
  recommendOnly: z.boolean({ error: 'must be true or false' }).optional().default(false),
  targets: z
    .array(targetSchema, { error: 'must be a list of targets' })
    .max(AUTOSCALING_LIMITS.maxTargets, `at most ${AUTOSCALING_LIMITS.maxTargets} targets`)
    .optional()
    .default([]),
});

export interface AutoscalingValidation {
  errors: FieldError[];
  /** Normalised (defaults filled in) when there are no errors. */
  policy?: AutoscalingPolicySpec;
}

/**
 * Shape (types, required and unknown fields) and meaning: min <= default <= max, max >= 1,
 * scaleDown < scaleUp, a percentile exactly for LATENCY, ERROR_RATE within 0..100, one metric per
 * trigger, one target per cluster. Every bad field is named.
 */
export function validateAutoscalingPolicy(input: unknown): AutoscalingValidation {
  const parsed = autoscalingPolicySchema.safeParse(input);
  if (!parsed.success) return { errors: shapeErrors(parsed.error.issues) };
  const spec = parsed.data;
  const errors: FieldError[] = [];
  const { min, max } = spec.instances;
  if (max < 1) errors.push({ field: 'instances.max', message: 'must be at least 1' });
  if (min > max) errors.push({ field: 'instances.min', message: `must be at most max (${max})` });
  if (spec.instances.default < min || spec.instances.default > max)
    errors.push({ field: 'instances.default', message: `must be between min (${min}) and max (${max})` });
  const seen = new Map<string, number>();
  spec.triggers.forEach((trigger, index) => {
    const at = `triggers[${index}]`;
    if (trigger.metric === 'LATENCY' && trigger.percentile === undefined)
      errors.push({ field: `${at}.percentile`, message: 'is required for LATENCY (p50, p90 or p99)' });
    if (trigger.metric !== 'LATENCY' && trigger.percentile !== undefined)
      errors.push({ field: `${at}.percentile`, message: 'is only for LATENCY' });
    if (trigger.scaleDown >= trigger.scaleUp)
      errors.push({
        field: `${at}.scaleDown`,
        message: `must be below scaleUp (${trigger.scaleUp}), or the policy would flap`,
      });
    if (trigger.metric === 'ERROR_RATE' && trigger.scaleUp > 100)
      errors.push({ field: `${at}.scaleUp`, message: 'is a percentage: at most 100' });
    const key = triggerKey(trigger);
    const first = seen.get(key);
    if (first !== undefined)
      errors.push({ field: `${at}.metric`, message: `triggers[${first}] already measures ${key}` });
    else seen.set(key, index);
  });
  const clusters = new Map<string, number>();
  spec.targets.forEach((target, index) => {
    const first = clusters.get(target.cluster);
    if (first !== undefined)
      errors.push({
        field: `targets[${index}].cluster`,
        message: `targets[${first}] already names the workload in ${target.cluster}`,
      });
    else clusters.set(target.cluster, index);
  });
  if (errors.length > 0) return { errors };
  return { errors: [], policy: normalise(spec) };
}

/** `CPU`, `LATENCY p99`: how decisions and metrics name a trigger. */
export function triggerKey(trigger: Pick<AutoscalingTrigger, 'metric' | 'percentile'>): string {
  return trigger.metric === 'LATENCY' ? `LATENCY ${trigger.percentile ?? 'p99'}` : trigger.metric;
}

/** Parses a stored spec (written after validation); errors when it no longer parses. */
export function parseAutoscalingPolicy(
  input: unknown,
): { ok: true; value: AutoscalingPolicySpec } | { ok: false; errors: FieldError[] } {
  const result = validateAutoscalingPolicy(input);
  return result.policy ? { ok: true, value: result.policy } : { ok: false, errors: result.errors };
}

function normalise(spec: z.infer<typeof autoscalingPolicySchema>): AutoscalingPolicySpec {
  return {
    mode: spec.mode,
    instances: { ...spec.instances },
    triggers: spec.triggers.map((trigger) => ({
      metric: trigger.metric,
      ...(trigger.percentile !== undefined ? { percentile: trigger.percentile } : {}),
      scaleUp: trigger.scaleUp,
      scaleDown: trigger.scaleDown,
    })),
    windowSeconds: spec.windowSeconds,
    gracePeriodSeconds: spec.gracePeriodSeconds,
    recommendOnly: spec.recommendOnly,
    targets: spec.targets.map((target) => ({
      cluster: target.cluster,
      kind: target.kind,
      ...(target.namespace !== undefined ? { namespace: target.namespace } : {}),
      name: target.name,
    })),
  };
}

function shapeErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: fieldPath([...issue.path, key]), message: 'is not a known field' }))
      : [
          {
            field: fieldPath(issue.path) || '(body)',
            message:
              issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
          },
        ],
  );
}

function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) =>
      typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`,
    )
    .join('');
}
