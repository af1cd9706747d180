import type {
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredGnsService,
  ServiceEndpoint,
  ServicePortSpec,
} from '../desired-state';
import { compareText } from '../gns/compare-text';
import { endpointWeight } from '../gns/desired-states';
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
  selects,
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
  /** By cluster id: the labels of the one remote endpoint a cluster's gateway stands for. */
  remote: ReadonlyMap<string, Record<string, string>>;
}

interface LocalLayout {
  parts: EndpointPart[];
  /** Ready pods behind each part, in the order of parts. */
  partReady: number[];
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
 * Subset membership as a label: `subset.lattice.io/<subset>: "true"`. One endpoint may belong to
 * several subsets (a remote cluster's gateway stands for every subset that cluster runs), which
 * pod labels cannot say (`version` cannot be v1 and v2 at once), so rendered DestinationRule
 * subsets select these labels and every endpoint carries one per subset it serves.
 */
export const SUBSET_MEMBERSHIP_LABEL_PREFIX = 'subset.lattice.io/';
const MEMBER = 'true';

export function subsetMembershipLabel(subset: string): string {
  return `${SUBSET_MEMBERSHIP_LABEL_PREFIX}${subset}`;
}

/** Whether a part of an instance serves a subset: its own split subset, or the subset selects all its pods. */
function partServes(part: EndpointPart, subset: { name: string; labels: Readonly<Record<string, string>> }) {
  return part.subset === subset.name || selects(subset.labels, part.labels);
}

function membershipLabels(
  parts: readonly EndpointPart[],
  subsets: DesiredTrafficPolicy['subsets'],
): Record<string, string> {
  return Object.fromEntries(
    subsets
      .filter((subset) => parts.some((part) => partServes(part, subset)))
      .map((subset) => [subsetMembershipLabel(subset.name), MEMBER]),
  );
}

/**
 * Local endpoints: the parts of each (cluster, namespace) instance, with the ready pods behind
 * each. A remote cluster's gateway is one endpoint (istiod keys ServiceEntry endpoints by address
 * and port, so two at one gateway would collide), labelled with what all the service's pods there
 * share plus the membership label of every subset one of that cluster's parts serves; the
 * subset's SNI (`outbound_.<port>_.<subset>_.<host>`) then picks that subset's pods at its gateway.
 */
function endpointLayout(policy: DesiredTrafficPolicy, context: GnsPolicyContext): EndpointLayout {
  const routed = routedSubsets(policy.routes);
  const local = new Map<string, LocalLayout>();
  const byCluster = new Map<string, { groups: Readonly<Record<string, string>>[]; parts: EndpointPart[] }>();
  for (const placement of context.services.get(policy.service) ?? []) {
    const split = splitInstance(placement.endpointGroupLabels, placement.selector, policy.subsets, routed);
    const readyOf = (part: EndpointPart): number =>
      placement.endpointGroupLabels.reduce((total, group, index) => {
        const subset = policy.subsets.find((candidate) => candidate.name === part.subset);
        const counted = subset === undefined || selects(subset.labels, group);
        return counted ? total + (placement.endpointGroupReady[index] ?? 0) : total;
      }, 0);
    local.set(`${placement.clusterId}/${placement.namespace}`, {
      parts: split.parts,
      partReady: split.parts.map(readyOf),
      selector: placement.selector,
      targetPorts: placement.targetPorts,
    });
    const cluster = byCluster.get(placement.clusterId) ?? { groups: [], parts: [] };
    cluster.groups.push(...placement.endpointGroupLabels);
    cluster.parts.push(...split.parts);
    byCluster.set(placement.clusterId, cluster);
  }
  const remote = new Map<string, Record<string, string>>();
  for (const [clusterId, cluster] of byCluster)
    remote.set(clusterId, {
      ...commonLabels(cluster.groups),
      ...membershipLabels(cluster.parts, policy.subsets),
    });
  return { subsets: policy.subsets, local, remote };
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
  if (trafficPolicies.length > 0) desired.trafficPolicies = trafficPolicies.map(withMembershipSubsets);
  if (policies.securityPolicy) desired.securityPolicy = policies.securityPolicy;
  return desired;
}

/** Subsets as rendered: each selects its membership label (the per-version Services keep the pod labels). */
function withMembershipSubsets(policy: DesiredTrafficPolicy): DesiredTrafficPolicy {
  if (policy.subsets.length === 0) return policy;
  return {
    ...policy,
    subsets: policy.subsets.map((subset) => ({
      name: subset.name,
      labels: { [subsetMembershipLabel(subset.name)]: MEMBER },
    })),
  };
}

/**
 * A local endpoint gets the labels all pods of its (cluster, namespace) instance share, or becomes
 * one endpoint per part when the instance is split, each weighted by its ready pods; a remote one
 * gets its cluster's labels (endpointLayout). Every endpoint also carries the membership label of
 * each subset it serves.
 */
function withEndpointLayout(service: DesiredGnsService, layout: EndpointLayout): DesiredGnsService {
  return {
    ...service,
    endpoints: service.endpoints.flatMap((endpoint): ServiceEndpoint[] => {
      if (endpoint.kind === 'REMOTE')
        return [withLabels(endpoint, layout.remote.get(endpoint.clusterId) ?? {})];
      const local = layout.local.get(`${endpoint.clusterId}/${endpoint.namespace}`);
      if (!local) return [endpoint];
      const split = local.parts.length > 1 || local.parts.some((part) => part.subset !== undefined);
      return local.parts.map((part, index) => {
        const labelled = {
          ...withLabels(endpoint, { ...part.labels, ...membershipLabels([part], layout.subsets) }),
        };
        if (split) labelled.weight = endpointWeight(local.partReady[index] ?? 0);
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
