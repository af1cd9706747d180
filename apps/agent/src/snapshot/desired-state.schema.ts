import type { DesiredClusterState } from '@lattice/domain';
import { z } from 'zod';
import { desiredSecurityPolicySchema, desiredTrafficPolicySchema } from './desired-policy.schema';

// Validates a snapshot payload against DesiredClusterState (libs/domain). Unknown fields are
// dropped: a newer controller may add fields this agent does not render yet.
const labels = z.record(z.string(), z.string());

const servicePort = z.object({
  name: z.string(),
  number: z.number().int().min(1).max(65_535),
  protocol: z.string().min(1),
});

// Network, locality and weight of an endpoint (all optional: older controllers send none).
const placement = {
  network: z.string().min(1).max(63).optional(),
  locality: z.string().min(1).max(253).optional(),
  weight: z.number().int().min(1).max(4_294_967_295).optional(),
};

const localEndpoint = z.object({
  kind: z.literal('LOCAL'),
  clusterId: z.string(),
  clusterName: z.string(),
  namespace: z.string(),
  address: z.string().min(1),
  labels: labels.optional(),
  ...placement,
  versionService: z
    .object({
      subset: z.string().min(1),
      selector: labels,
      ports: z.array(
        z.object({
          number: z.number().int().min(1).max(65_535),
          targetPort: z.number().int().min(1).max(65_535),
        }),
      ),
    })
    .optional(),
});

const remoteEndpoint = z.object({
  kind: z.literal('REMOTE'),
  clusterId: z.string(),
  clusterName: z.string(),
  namespace: z.string(),
  address: z.string().min(1),
  port: z.number().int().min(1).max(65_535),
  labels: labels.optional(),
  ...placement,
});

const gnsService = z.object({
  name: z.string().min(1),
  hostname: z.string().min(1),
  ports: z.array(servicePort),
  endpoints: z.array(z.discriminatedUnion('kind', [localEndpoint, remoteEndpoint])),
  addresses: z.array(z.union([z.ipv4(), z.ipv6()])).optional(),
});

const caMaterial = z.object({
  certChainPem: z.string().min(1),
  trustBundlePem: z.string().min(1),
  rootGeneration: z.number().int().nonnegative(),
});

const globalNamespace = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  domain: z.string().min(1),
  mtlsMode: z.enum(['STRICT', 'PERMISSIVE']),
  localNamespaces: z.array(z.string()),
  services: z.array(gnsService),
  ca: caMaterial.optional(),
  trafficPolicies: z.array(desiredTrafficPolicySchema).optional(),
  securityPolicy: desiredSecurityPolicySchema.optional(),
  eastWestGateway: z.object({ managed: z.boolean(), selector: labels }).optional(),
});

const autoscalingTrigger = z.object({
  metric: z.enum(['CPU', 'MEMORY', 'REQUESTS_PER_SECOND', 'ERROR_RATE', 'LATENCY']),
  percentile: z.enum(['p50', 'p90', 'p99']).optional(),
  scaleUp: z.number(),
  scaleDown: z.number(),
});

const autoscalingPolicy = z.object({
  policyId: z.string().min(1),
  version: z.number().int().nonnegative(),
  gnsId: z.string().min(1),
  service: z.string().min(1),
  serviceNamespace: z.string().min(1),
  target: z.object({
    kind: z.enum(['Deployment', 'StatefulSet']),
    namespace: z.string().min(1),
    name: z.string().min(1),
  }),
  mode: z.enum(['EFFICIENCY', 'PERFORMANCE']),
  instances: z.object({
    min: z.number().int().nonnegative(),
    max: z.number().int().nonnegative(),
    default: z.number().int().nonnegative(),
    stepsUp: z.number().int().positive(),
    stepsDown: z.number().int().positive(),
  }),
  triggers: z.array(autoscalingTrigger).min(1),
  windowSeconds: z.number().int().positive(),
  gracePeriodSeconds: z.number().int().nonnegative(),
  recommendOnly: z.boolean(),
  scaleDownBlocked: z.boolean(),
  blockingSlos: z.array(z.object({ id: z.string(), name: z.string() })),
});

const desiredClusterStateSchema: z.ZodType<DesiredClusterState> = z.object({
  clusterId: z.string().min(1),
  clusterName: z.string(),
  globalNamespaces: z.array(globalNamespace),
  meshCa: z.object({ gnsId: z.string().min(1), trustBundlePem: z.string().min(1) }).optional(),
  takeOverMeshCa: z.boolean().optional(),
  autoscaling: z.array(autoscalingPolicy).optional(),
  network: z.string().min(1).max(63).optional(),
  locality: z.object({ region: z.string().min(1).optional(), zone: z.string().min(1).optional() }).optional(),
});

/** Parses and validates a payload; throws with the path of the first bad field. */
export function parseDesiredClusterState(payloadText: string): DesiredClusterState {
  let json: unknown;
  try {
    json = JSON.parse(payloadText);
  } catch (error) {
    throw new Error(`payload is not JSON: ${error instanceof SyntaxError ? error.message : String(error)}`);
  }
  const result = desiredClusterStateSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    throw new Error(`payload does not match DesiredClusterState: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}
