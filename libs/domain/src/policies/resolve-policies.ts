import type {
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredGnsService,
  ServiceEndpoint,
  ServicePortSpec,
} from '../desired-state';
import { compareText } from '../gns/compare-text';
import type { ClusterWithInventory } from '../gns/inventory';
import type { MembershipResult } from '../gns/membership';
import type {
  DesiredAccessRule,
  DesiredSecurityPolicy,
  DesiredServiceSecurity,
  DesiredTrafficPolicy,
} from './desired-policy';
import {
  commonLabels,
  gnsPolicyContext,
  routedSubsets,
  splitInstance,
  type EndpointPart,
  type GnsPolicyContext,
} from './policy-context';
import type { SecurityPolicySpec, TrafficPolicySpec } from './policy-spec';
import { ANY_GNS_SERVICE } from './validate-security-policy';

/** The stored policies of one GNS (already validated when they were written). */
export interface GnsPolicies {
  /** By service name. */
  trafficPolicies: ReadonlyMap<string, TrafficPolicySpec>;
  securityPolicy?: SecurityPolicySpec;
}

export type PoliciesByGns = ReadonlyMap<string, GnsPolicies>;

/** Stored policies of a tenant grouped by GNS, as distribution resolves them. */
export function groupPoliciesByGns(
  traffic: Iterable<{ gnsId: string; service: string; spec: TrafficPolicySpec }>,
  security: Iterable<{ gnsId: string; spec: SecurityPolicySpec }>,
): PoliciesByGns {
  const policies = new Map<
    string,
    { trafficPolicies: Map<string, TrafficPolicySpec>; securityPolicy?: SecurityPolicySpec }
  >();
  const of = (gnsId: string) => {
    const existing = policies.get(gnsId) ?? { trafficPolicies: new Map<string, TrafficPolicySpec>() };
    policies.set(gnsId, existing);
    return existing;
  };
  for (const policy of traffic) of(policy.gnsId).trafficPolicies.set(policy.service, policy.spec);
  for (const policy of security) of(policy.gnsId).securityPolicy = policy.spec;
  return policies;
}

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
 * labels all their pods share, which is what subsets select, and an instance whose pods only
 * partly match a subset is split into per-version endpoints (splitInstance).
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
  /** Per service with subsets: how its endpoints cover its pods. */
  endpointLayouts: ReadonlyMap<string, EndpointLayout>;
}

interface EndpointLayout {
  subsets: DesiredTrafficPolicy['subsets'];
  /** By `<cluster id>/<namespace>`. */
  local: ReadonlyMap<string, LocalLayout>;
  /** By cluster id: the label sets of the remote endpoints a cluster's gateway stands for. */
  remote: ReadonlyMap<string, Record<string, string>[]>;
}

interface LocalLayout {
  parts: EndpointPart[];
  selector: Readonly<Record<string, string>>;
  targetPorts: ReadonlyMap<number, number>;
}

function resolveGnsPolicies(policies: GnsPolicies, context: GnsPolicyContext): ResolvedGnsPolicies {
  const trafficPolicies = new Map(
    [...policies.trafficPolicies.entries()]
      .filter(([service]) => context.services.has(service))
      .sort(([a], [b]) => compareText(a, b))
      .map(([service, spec]) => [service, resolveTrafficPolicy(service, spec, context)] as const),
  );
  const endpointLayouts = new Map<string, EndpointLayout>();
  for (const policy of trafficPolicies.values()) {
    if (policy.subsets.length === 0) continue;
    endpointLayouts.set(policy.service, endpointLayout(policy, context));
  }
  return {
    trafficPolicies,
    ...(policies.securityPolicy
      ? { securityPolicy: resolveSecurityPolicy(policies.securityPolicy, context) }
      : {}),
    endpointLayouts,
  };
}

/**
 * Local endpoints: the parts of each (cluster, namespace) instance. A remote cluster's gateway is
 * one endpoint labelled with what all the service's pods there share (the gateway routes by host,
 * not namespace) unless an instance there is split: then one endpoint per distinct label set of
 * that cluster's parts, so each subset reaches the cluster exactly when the cluster has endpoints
 * of that subset (the subset's SNI then picks them at its gateway).
 */
function endpointLayout(policy: DesiredTrafficPolicy, context: GnsPolicyContext): EndpointLayout {
  const routed = routedSubsets(policy.routes);
  const local = new Map<string, LocalLayout>();
  const byCluster = new Map<
    string,
    { groups: Readonly<Record<string, string>>[]; parts: EndpointPart[]; split: boolean }
  >();
  for (const placement of context.services.get(policy.service) ?? []) {
    const split = splitInstance(placement.endpointGroupLabels, placement.selector, policy.subsets, routed);
    local.set(`${placement.clusterId}/${placement.namespace}`, {
      parts: split.parts,
      selector: placement.selector,
      targetPorts: placement.targetPorts,
    });
    const cluster = byCluster.get(placement.clusterId) ?? { groups: [], parts: [], split: false };
    cluster.groups.push(...placement.endpointGroupLabels);
    cluster.parts.push(...split.parts);
    cluster.split ||= split.parts.some((part) => part.subset !== undefined);
    byCluster.set(placement.clusterId, cluster);
  }
  const remote = new Map<string, Record<string, string>[]>();
  for (const [clusterId, cluster] of byCluster) {
    if (!cluster.split) {
      remote.set(clusterId, [commonLabels(cluster.groups)]);
      continue;
    }
    const distinct = new Map(cluster.parts.map((part) => [labelKey(part.labels), part.labels] as const));
    remote.set(
      clusterId,
      [...distinct.entries()].sort(([a], [b]) => compareText(a, b)).map(([, labels]) => labels),
    );
  }
  return { subsets: policy.subsets, local, remote };
}

function labelKey(labels: Readonly<Record<string, string>>): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => compareText(a, b)));
}

function withGnsPolicies(gns: DesiredGlobalNamespace, policies: ResolvedGnsPolicies): DesiredGlobalNamespace {
  const trafficPolicies = gns.services
    .map((service) => policies.trafficPolicies.get(service.name))
    .filter((policy): policy is DesiredTrafficPolicy => policy !== undefined)
    .sort((a, b) => compareText(a.service, b.service));
  const desired: DesiredGlobalNamespace = {
    ...gns,
    services: gns.services.map((service) => {
      const layout = policies.endpointLayouts.get(service.name);
      return layout ? withEndpointLayout(service, layout) : service;
    }),
  };
  if (trafficPolicies.length > 0) desired.trafficPolicies = trafficPolicies;
  if (policies.securityPolicy) desired.securityPolicy = policies.securityPolicy;
  return desired;
}

/**
 * A local endpoint gets the labels all pods of its (cluster, namespace) instance share, or becomes
 * one endpoint per part when the instance is split; a remote one gets the label sets of its
 * cluster (endpointLayout).
 */
function withEndpointLayout(service: DesiredGnsService, layout: EndpointLayout): DesiredGnsService {
  return {
    ...service,
    endpoints: service.endpoints.flatMap((endpoint): ServiceEndpoint[] => {
      if (endpoint.kind === 'REMOTE') {
        const labelSets = layout.remote.get(endpoint.clusterId) ?? [{}];
        return labelSets.map((labels) => withLabels(endpoint, labels));
      }
      const local = layout.local.get(`${endpoint.clusterId}/${endpoint.namespace}`);
      if (!local) return [endpoint];
      return local.parts.map((part) => {
        const labelled = withLabels(endpoint, part.labels);
        const subset = layout.subsets.find((candidate) => candidate.name === part.subset);
        if (!subset) return labelled;
        return {
          ...labelled,
          versionService: {
            subset: subset.name,
            selector: { ...local.selector, ...subset.labels },
            ports: versionPorts(service.ports, local.targetPorts),
          },
        };
      });
    }),
  };
}

function withLabels<T extends ServiceEndpoint>(endpoint: T, labels: Record<string, string>): T {
  return Object.keys(labels).length > 0
    ? { ...endpoint, labels: { ...endpoint.labels, ...labels } }
    : endpoint;
}

function versionPorts(
  ports: readonly ServicePortSpec[],
  targetPorts: ReadonlyMap<number, number>,
): { number: number; targetPort: number }[] {
  return ports.map((port) => ({
    number: port.number,
    targetPort: targetPorts.get(port.number) ?? port.number,
  }));
}
