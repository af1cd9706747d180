import type { DesiredClusterState, DesiredGlobalNamespace, DesiredGnsService } from '../desired-state';
import type { ClusterWithInventory } from '../gns/inventory';
import type { MembershipResult } from '../gns/membership';
import type {
  DesiredAccessRule,
  DesiredSecurityPolicy,
  DesiredServiceSecurity,
  DesiredTrafficPolicy,
} from './desired-policy';
import { commonLabels, gnsPolicyContext, type GnsPolicyContext } from './policy-context';
import type { SecurityPolicySpec, TrafficPolicySpec } from './policy-spec';
import { ANY_GNS_SERVICE } from './validate-security-policy';

/** The stored policies of one GNS (already validated when they were written). */
export interface GnsPolicies {
  /** By service name. */
  trafficPolicies: ReadonlyMap<string, TrafficPolicySpec>;
  securityPolicy?: SecurityPolicySpec;
}

export type PoliciesByGns = ReadonlyMap<string, GnsPolicies>;

/**
 * Identity of a GNS service: `<gns domain>/ns/<namespace>/sa/<service account>` (Istio's form of
 * `spiffe://…`; the GNS domain is the trust domain) for every namespace it runs in, in any member
 * cluster. The service account defaults to the service name (the common one-account-per-service
 * layout) and can be set per service in the security policy.
 */
export function principalsOf(
  service: string,
  spec: SecurityPolicySpec | undefined,
  context: GnsPolicyContext,
): string[] {
  if (service === ANY_GNS_SERVICE) return [`${context.domain}/*`];
  const account = spec?.services?.find((entry) => entry.service === service)?.serviceAccount ?? service;
  const namespaces = new Set((context.services.get(service) ?? []).map((placement) => placement.namespace));
  return [...namespaces].sort().map((namespace) => `${context.domain}/ns/${namespace}/sa/${account}`);
}

export function resolveTrafficPolicy(
  service: string,
  spec: TrafficPolicySpec,
  context: GnsPolicyContext,
): DesiredTrafficPolicy {
  const routes =
    spec.routes ??
    (spec.timeout !== undefined || spec.retries !== undefined || spec.fault !== undefined
      ? [{ name: 'default', destinations: [{ weight: 100 }] }]
      : []);
  const desired: DesiredTrafficPolicy = {
    service,
    subsets: (spec.subsets ?? []).map((subset) => ({ name: subset.name, labels: { ...subset.labels } })),
    routes: routes.map((route, index) => {
      const timeout = route.timeout ?? spec.timeout;
      const retries = route.retries ?? spec.retries;
      const fault = route.fault ?? spec.fault;
      return {
        name: route.name ?? `route-${index}`,
        ...(route.match ? { match: route.match } : {}),
        destinations: route.destinations.map((destination) => ({
          ...(destination.subset !== undefined ? { subset: destination.subset } : {}),
          weight: destination.weight ?? 100,
        })),
        ...(timeout !== undefined ? { timeout } : {}),
        ...(retries !== undefined ? { retries } : {}),
        ...(fault !== undefined ? { fault } : {}),
      };
    }),
  };
  if (spec.connectionPool) desired.connectionPool = spec.connectionPool;
  if (spec.outlierDetection) desired.outlierDetection = spec.outlierDetection;
  // Clusters that left the GNS since the policy was written drop out of the order.
  const failover = (spec.failover ?? []).filter((clusterName) => context.clusters.has(clusterName));
  if (failover.length > 0) desired.failover = failover;
  return desired;
}

/**
 * Rules name services; the snapshot carries principals. A rule whose target left the GNS is
 * dropped (no workload to protect). An ALLOW rule whose callers all left stays with no principals:
 * it then allows nobody, so the target fails closed rather than opening to everyone.
 */
export function resolveSecurityPolicy(
  spec: SecurityPolicySpec,
  context: GnsPolicyContext,
): DesiredSecurityPolicy {
  const rules: DesiredAccessRule[] = (spec.rules ?? [])
    .filter((rule) => context.services.has(rule.to))
    .map((rule, index) => ({
      name: rule.name ?? `rule-${index}`,
      action: rule.action,
      to: rule.to,
      fromPrincipals: [...new Set(rule.from.flatMap((caller) => principalsOf(caller, spec, context)))].sort(),
      ...(rule.methods ? { methods: [...rule.methods] } : {}),
      ...(rule.paths ? { paths: [...rule.paths] } : {}),
    }))
    .filter((rule) => rule.action === 'ALLOW' || rule.fromPrincipals.length > 0);
  const named = new Set([
    ...(spec.services ?? [])
      .filter((entry) => entry.mtlsMode !== undefined || entry.workloadLabels !== undefined)
      .map((entry) => entry.service),
    ...rules.map((rule) => rule.to),
  ]);
  const services: DesiredServiceSecurity[] = [...named]
    .filter((service) => context.services.has(service))
    .sort()
    .map((service) => {
      const entry = spec.services?.find((candidate) => candidate.service === service);
      return {
        service,
        ...(entry?.mtlsMode !== undefined ? { mtlsMode: entry.mtlsMode } : {}),
        workloadLabels: { ...(entry?.workloadLabels ?? { app: service }) },
      };
    });
  return { defaultAction: spec.defaultAction, services, rules };
}

/**
 * Adds each GNS's policies to the desired states from buildDesiredStates. A cluster gets the
 * traffic policies of the services it publishes; endpoints of a service with subsets carry the
 * labels all their pods share, which is what subsets select (per cluster instance: a Kubernetes
 * service address cannot be split pod by pod).
 */
export function withPolicies(
  states: ReadonlyMap<string, DesiredClusterState>,
  membership: MembershipResult,
  clusters: readonly ClusterWithInventory[],
  policies: PoliciesByGns,
): Map<string, DesiredClusterState> {
  // Resolved once per GNS (the same for every member cluster), then picked per cluster.
  const resolved = new Map(
    membership.globalNamespaces
      .filter((gns) => policies.has(gns.gns.id))
      .map((gns) => [
        gns.gns.id,
        resolveGnsPolicies(policies.get(gns.gns.id) as GnsPolicies, gnsPolicyContext(gns, clusters)),
      ]),
  );
  const result = new Map<string, DesiredClusterState>();
  for (const [clusterId, state] of states) {
    result.set(clusterId, {
      ...state,
      globalNamespaces: state.globalNamespaces.map((gns) => {
        const gnsPolicies = resolved.get(gns.id);
        return gnsPolicies ? withGnsPolicies(gns, gnsPolicies) : gns;
      }),
    });
  }
  return result;
}

interface ResolvedGnsPolicies {
  trafficPolicies: ReadonlyMap<string, DesiredTrafficPolicy>;
  securityPolicy?: DesiredSecurityPolicy;
  /** Per service with subsets: endpoint labels by `<cluster id>/<namespace>` (local) and `<cluster id>` (remote). */
  endpointLabels: ReadonlyMap<string, ReadonlyMap<string, Record<string, string>>>;
}

function resolveGnsPolicies(policies: GnsPolicies, context: GnsPolicyContext): ResolvedGnsPolicies {
  const trafficPolicies = new Map(
    [...policies.trafficPolicies.entries()]
      .filter(([service]) => context.services.has(service))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([service, spec]) => [service, resolveTrafficPolicy(service, spec, context)] as const),
  );
  const endpointLabels = new Map<string, Map<string, Record<string, string>>>();
  for (const policy of trafficPolicies.values()) {
    if (policy.subsets.length === 0) continue;
    const groups = new Map<string, Readonly<Record<string, string>>[]>();
    for (const placement of context.services.get(policy.service) ?? []) {
      for (const key of [`${placement.clusterId}/${placement.namespace}`, placement.clusterId])
        groups.set(key, [...(groups.get(key) ?? []), ...placement.endpointGroupLabels]);
    }
    endpointLabels.set(
      policy.service,
      new Map([...groups].map(([key, labels]) => [key, commonLabels(labels)] as const)),
    );
  }
  return {
    trafficPolicies,
    ...(policies.securityPolicy
      ? { securityPolicy: resolveSecurityPolicy(policies.securityPolicy, context) }
      : {}),
    endpointLabels,
  };
}

function withGnsPolicies(gns: DesiredGlobalNamespace, policies: ResolvedGnsPolicies): DesiredGlobalNamespace {
  const trafficPolicies = gns.services
    .map((service) => policies.trafficPolicies.get(service.name))
    .filter((policy): policy is DesiredTrafficPolicy => policy !== undefined)
    .sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
  const desired: DesiredGlobalNamespace = {
    ...gns,
    services: gns.services.map((service) => {
      const labels = policies.endpointLabels.get(service.name);
      return labels ? withEndpointLabels(service, labels) : service;
    }),
  };
  if (trafficPolicies.length > 0) desired.trafficPolicies = trafficPolicies;
  if (policies.securityPolicy) desired.securityPolicy = policies.securityPolicy;
  return desired;
}

/**
 * A local endpoint gets the labels all pods of its (cluster, namespace) instance share; a remote
 * one (the gateway routes by host, not namespace) those of all the service's pods in that cluster.
 */
function withEndpointLabels(
  service: DesiredGnsService,
  labelsByPlace: ReadonlyMap<string, Record<string, string>>,
): DesiredGnsService {
  return {
    ...service,
    endpoints: service.endpoints.map((endpoint) => {
      const key =
        endpoint.kind === 'LOCAL' ? `${endpoint.clusterId}/${endpoint.namespace}` : endpoint.clusterId;
      const labels = labelsByPlace.get(key) ?? {};
      return Object.keys(labels).length > 0
        ? { ...endpoint, labels: { ...endpoint.labels, ...labels } }
        : endpoint;
    }),
  };
}
