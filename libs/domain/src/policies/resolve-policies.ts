import type { DesiredClusterState, DesiredGlobalNamespace, DesiredGnsService } from '../desired-state';
import type { ClusterWithInventory } from '../gns/inventory';
import type { MembershipResult } from '../gns/membership';
import type { DesiredAccessRule, DesiredSecurityPolicy, DesiredServiceSecurity, DesiredTrafficPolicy } from './desired-policy';
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
export function principalsOf(service: string, spec: SecurityPolicySpec | undefined, context: GnsPolicyContext): string[] {
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
  const routes = spec.routes ?? (spec.timeout !== undefined || spec.retries !== undefined || spec.fault !== undefined
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
export function resolveSecurityPolicy(spec: SecurityPolicySpec, context: GnsPolicyContext): DesiredSecurityPolicy {
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
    ...(spec.services ?? []).filter((entry) => entry.mtlsMode !== undefined || entry.workloadLabels !== undefined).map((entry) => entry.service),
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
  const contexts = new Map(
    membership.globalNamespaces
      .filter((gns) => policies.has(gns.gns.id))
      .map((gns) => [gns.gns.id, gnsPolicyContext(gns, clusters)]),
  );
  const result = new Map<string, DesiredClusterState>();
  for (const [clusterId, state] of states) {
    result.set(clusterId, {
      ...state,
      globalNamespaces: state.globalNamespaces.map((gns) => {
        const gnsPolicies = policies.get(gns.id);
        const context = contexts.get(gns.id);
        return gnsPolicies && context ? withGnsPolicies(gns, gnsPolicies, context) : gns;
      }),
    });
  }
  return result;
}

function withGnsPolicies(
  gns: DesiredGlobalNamespace,
  policies: GnsPolicies,
  context: GnsPolicyContext,
): DesiredGlobalNamespace {
  const published = new Set(gns.services.map((service) => service.name));
  const trafficPolicies = [...policies.trafficPolicies.entries()]
    .filter(([service]) => published.has(service))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([service, spec]) => resolveTrafficPolicy(service, spec, context));
  const withSubsets = new Set(trafficPolicies.filter((policy) => policy.subsets.length > 0).map((policy) => policy.service));
  const desired: DesiredGlobalNamespace = {
    ...gns,
    services: gns.services.map((service) =>
      withSubsets.has(service.name) ? withEndpointLabels(service, context) : service,
    ),
  };
  if (trafficPolicies.length > 0) desired.trafficPolicies = trafficPolicies;
  if (policies.securityPolicy) desired.securityPolicy = resolveSecurityPolicy(policies.securityPolicy, context);
  return desired;
}

function withEndpointLabels(service: DesiredGnsService, context: GnsPolicyContext): DesiredGnsService {
  const placements = context.services.get(service.name) ?? [];
  return {
    ...service,
    endpoints: service.endpoints.map((endpoint) => {
      const groups = placements
        .filter(
          (placement) =>
            placement.clusterId === endpoint.clusterId &&
            (endpoint.kind === 'REMOTE' || placement.namespace === endpoint.namespace),
        )
        .flatMap((placement) => placement.endpointGroupLabels);
      const labels = commonLabels(groups);
      return Object.keys(labels).length > 0 ? { ...endpoint, labels: { ...endpoint.labels, ...labels } } : endpoint;
    }),
  };
}
