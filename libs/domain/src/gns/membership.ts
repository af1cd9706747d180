import type { MtlsMode, ServicePortSpec } from '../desired-state';
import type { ClusterWithInventory, GlobalNamespaceDefinition, InventoryService } from './inventory';
import { compileMatchConditions, isSelectorUsable } from './match-conditions';
import { meshPorts, portSignature } from './service-ports';
import { compareText } from './compare-text';

/**
 * Namespaces never put into a GNS, whatever the selectors say: the control plane's own namespaces.
 * A namespace-wide PeerAuthentication in istio-system (the root namespace) would change mTLS for
 * the whole mesh, and publishing istiod or kube-dns as GNS services makes no sense.
 */
export const RESERVED_NAMESPACES: ReadonlySet<string> = new Set([
  'istio-system',
  'kube-system',
  'kube-public',
  'kube-node-lease',
]);

export interface GnsSummary {
  id: string;
  name: string;
  domain: string;
  mtlsMode: MtlsMode;
  createdAt: Date;
}

export interface MemberNamespace {
  clusterId: string;
  clusterName: string;
  namespace: string;
}

/** One place a GNS service runs: a Kubernetes service in a member namespace. */
export interface ServiceInstance extends MemberNamespace {
  ports: ServicePortSpec[];
  readyEndpoints: number;
  notReadyEndpoints: number;
}

export interface GnsMemberService {
  /** Kubernetes service name, the first label of the GNS host. */
  name: string;
  /** `<service>.<domain>` */
  hostname: string;
  ports: ServicePortSpec[];
  /** Sorted by cluster name, cluster id, namespace. */
  instances: ServiceInstance[];
}

export interface GnsRef {
  gnsId: string;
  gnsName: string;
}

/**
 * Several GNS of the tenant match the same (cluster, namespace). The oldest GNS (createdAt, then
 * id) keeps it; the others leave it out. Oldest-wins rather than excluding from all: adding an
 * overlapping GNS must not break traffic that already works, and the result does not depend on
 * the order anything was read or written in.
 */
export interface NamespaceClaimConflict {
  kind: 'NAMESPACE_CLAIMED_BY_SEVERAL';
  clusterId: string;
  clusterName: string;
  namespace: string;
  /** Oldest first. */
  claimants: GnsRef[];
  keptBy: string;
  reason: string;
}

/**
 * Instances of one service name share a GNS host but expose different ports (one cluster moved
 * `payments` to 9091). The host stays published on the ports most instances agree on (see
 * choosePublishedPorts); an instance that lacks one of those ports is left out of the host (a
 * client could otherwise reach it on a port it does not listen on) until its ports agree again.
 */
export interface HostPortsConflict {
  kind: 'HOST_PORTS_DIFFER';
  serviceName: string;
  hostname: string;
  variants: { ports: ServicePortSpec[]; instances: MemberNamespace[] }[];
  /** The ports the host is published on (empty when no variant has a routable port). */
  publishedPorts: ServicePortSpec[];
  /** Instances left out of the host: they lack a published port. */
  leftOut: MemberNamespace[];
  reason: string;
}

/** Two GNS with one domain would publish the same hosts; the oldest keeps the domain, the others get no members. */
export interface DuplicateDomainConflict {
  kind: 'DUPLICATE_DOMAIN';
  domain: string;
  /** Oldest first. */
  claimants: GnsRef[];
  keptBy: string;
  reason: string;
}

export type GnsConflict = NamespaceClaimConflict | HostPortsConflict | DuplicateDomainConflict;

export type GnsWarning =
  | { kind: 'NO_EAST_WEST_GATEWAY'; clusterId: string; clusterName: string; reason: string }
  | { kind: 'NO_ROUTABLE_PORTS'; serviceName: string; instances: MemberNamespace[]; reason: string }
  | { kind: 'UNUSABLE_SELECTOR'; matchConditionIndex: number; reason: string };

export interface GnsMembership {
  gns: GnsSummary;
  /** Member (cluster, namespace) pairs after conflicts, sorted by cluster name, cluster id, namespace. */
  namespaces: MemberNamespace[];
  /** Services published under the GNS domain, sorted by name; conflicting hosts are left out. */
  services: GnsMemberService[];
  conflicts: GnsConflict[];
  warnings: GnsWarning[];
}

export interface MembershipResult {
  /** Oldest GNS first. */
  globalNamespaces: GnsMembership[];
}

/**
 * Which (cluster, namespace) pairs and which services belong to which GNS of one tenant, computed
 * from the live inventory. Pure and deterministic: the same inputs in any order give the same result.
 */
export function computeMembership(
  tenantGlobalNamespaces: readonly GlobalNamespaceDefinition[],
  clusters: readonly ClusterWithInventory[],
): MembershipResult {
  const byAge = [...tenantGlobalNamespaces].sort(compareByAge);
  const sortedClusters = [...clusters].sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
  const states = new Map(byAge.map((gns) => [gns.id, newMembership(gns)]));
  const stateOf = (gnsId: string): GnsMembership => states.get(gnsId) as GnsMembership;

  const active = excludeDuplicateDomains(byAge, stateOf);
  const matchers = active.map((gns) => ({ gns, matches: compileMatchConditions(gns.matchConditions) }));
  for (const gns of active) {
    gns.matchConditions.forEach((condition, index) => {
      if (!isSelectorUsable(condition.cluster) || !isSelectorUsable(condition.namespace)) {
        stateOf(gns.id).warnings.push({
          kind: 'UNUSABLE_SELECTOR',
          matchConditionIndex: index,
          reason: `match condition ${index} has a selector that is no longer accepted (invalid or unsafe regex); it matches nothing`,
        });
      }
    });
  }

  const servicesOf = new Map<GnsMembership, { cluster: ClusterWithInventory; service: InventoryService }[]>();
  for (const cluster of sortedClusters) {
    const servicesByNamespace = groupBy(cluster.inventory.services, (service) => service.namespace);
    const namespaceNames = new Set([
      ...cluster.inventory.namespaces.map((ns) => ns.name),
      ...servicesByNamespace.keys(),
    ]);
    for (const namespace of [...namespaceNames].sort(compareText)) {
      if (RESERVED_NAMESPACES.has(namespace)) continue;
      const claimants = matchers
        .filter((matcher) => matcher.matches(cluster.name, namespace))
        .map((matcher) => matcher.gns);
      if (claimants.length === 0) continue;
      const owner = stateOf(claimants[0].id);
      if (claimants.length > 1) reportNamespaceClaim(cluster, namespace, claimants, stateOf);
      owner.namespaces.push({ clusterId: cluster.id, clusterName: cluster.name, namespace });
      const collected = servicesOf.get(owner) ?? [];
      for (const service of servicesByNamespace.get(namespace) ?? []) collected.push({ cluster, service });
      servicesOf.set(owner, collected);
    }
  }

  for (const membership of states.values()) {
    collectServices(membership, servicesOf.get(membership) ?? []);
    warnAboutMissingGateways(membership, sortedClusters);
  }
  return { globalNamespaces: byAge.map((gns) => stateOf(gns.id)) };
}

function newMembership(gns: GlobalNamespaceDefinition): GnsMembership {
  return {
    gns: { id: gns.id, name: gns.name, domain: gns.domain, mtlsMode: gns.mtlsMode, createdAt: gns.createdAt },
    namespaces: [],
    services: [],
    conflicts: [],
    warnings: [],
  };
}

function excludeDuplicateDomains(
  byAge: readonly GlobalNamespaceDefinition[],
  stateOf: (gnsId: string) => GnsMembership,
): GlobalNamespaceDefinition[] {
  const byDomain = groupBy(byAge, (gns) => gns.domain);
  const excluded = new Set<string>();
  for (const [domain, sharing] of byDomain) {
    if (sharing.length < 2) continue;
    const [owner, ...others] = sharing;
    const conflict: DuplicateDomainConflict = {
      kind: 'DUPLICATE_DOMAIN',
      domain,
      claimants: sharing.map(refOf),
      keptBy: owner.id,
      reason:
        `Global namespaces ${quoteList(sharing.map((gns) => gns.name))} share the domain "${domain}". ` +
        `"${owner.name}" (the oldest) keeps it; the others get no members until they use another domain.`,
    };
    for (const gns of sharing) stateOf(gns.id).conflicts.push(conflict);
    for (const other of others) excluded.add(other.id);
  }
  return byAge.filter((gns) => !excluded.has(gns.id));
}

function reportNamespaceClaim(
  cluster: ClusterWithInventory,
  namespace: string,
  claimants: readonly GlobalNamespaceDefinition[],
  stateOf: (gnsId: string) => GnsMembership,
): void {
  const [owner] = claimants;
  const conflict: NamespaceClaimConflict = {
    kind: 'NAMESPACE_CLAIMED_BY_SEVERAL',
    clusterId: cluster.id,
    clusterName: cluster.name,
    namespace,
    claimants: claimants.map(refOf),
    keptBy: owner.id,
    reason:
      `Namespace "${namespace}" of cluster "${cluster.name}" is matched by global namespaces ${quoteList(claimants.map((gns) => gns.name))}. ` +
      `It stays in "${owner.name}" (the oldest) and is left out of the others until their match conditions no longer overlap.`,
  };
  for (const gns of claimants) stateOf(gns.id).conflicts.push(conflict);
}

function collectServices(
  membership: GnsMembership,
  collected: readonly { cluster: ClusterWithInventory; service: InventoryService }[],
): void {
  const byName = groupBy(collected, (entry) => entry.service.name);
  for (const name of [...byName.keys()].sort(compareText)) {
    const hostname = `${name}.${membership.gns.domain}`;
    const instances: ServiceInstance[] = (byName.get(name) ?? [])
      .map(({ cluster, service }) => ({
        clusterId: cluster.id,
        clusterName: cluster.name,
        namespace: service.namespace,
        ports: meshPorts(service.ports),
        readyEndpoints: sum(service.endpointGroups.map((group) => group.ready)),
        notReadyEndpoints: sum(service.endpointGroups.map((group) => group.notReady)),
      }))
      .sort(compareMemberNamespaces);

    const variants = groupBy(instances, (instance) => portSignature(instance.ports));
    const publishedPorts =
      variants.size > 1 ? choosePublishedPorts([...variants.values()]) : instances[0].ports;
    let published = instances;
    if (variants.size > 1) {
      const described = [...variants.values()].map((group) => ({
        ports: group[0].ports,
        instances: group.map(placeOf),
      }));
      published = instances.filter((instance) => exposesAll(instance.ports, publishedPorts));
      const leftOut = instances.filter((instance) => !published.includes(instance)).map(placeOf);
      membership.conflicts.push({
        kind: 'HOST_PORTS_DIFFER',
        serviceName: name,
        hostname,
        variants: described,
        publishedPorts,
        leftOut,
        reason:
          `Service "${name}" is published as ${hostname}, but its instances expose different ports: ` +
          described
            .map(
              (variant) =>
                `${portSignature(variant.ports) || 'no routable port'} in ${variant.instances.map(placeText).join(', ')}`,
            )
            .join('; ') +
          `. ${hostname} is published on ${portSignature(publishedPorts) || 'no port'} (the ports most instances expose)` +
          (leftOut.length === 0
            ? '; every instance exposes those, so none is left out.'
            : `; ${leftOut.map(placeText).join(', ')} ${leftOut.length === 1 ? 'is' : 'are'} left out of ${hostname} until ${leftOut.length === 1 ? 'its' : 'their'} ports include those.`),
      });
    }
    if (publishedPorts.length === 0) {
      membership.warnings.push({
        kind: 'NO_ROUTABLE_PORTS',
        serviceName: name,
        instances: instances.map(placeOf),
        reason: `Service "${name}" has no TCP-based port the mesh can route (UDP and SCTP are not carried), so ${hostname} is not published.`,
      });
      continue;
    }
    // Published instances may expose more than the published ports: only the published ones are used.
    membership.services.push({
      name,
      hostname,
      ports: publishedPorts.map((port) => ({ ...port })),
      instances: published,
    });
  }
  membership.namespaces.sort(compareMemberNamespaces);
}

/**
 * The rule for a host whose instances disagree on ports: it is published on the port set of the
 * variant (instances with identical ports, compared by number and protocol) that the most
 * instances run; a tie goes to the variant whose first instance comes first by cluster name,
 * cluster id and namespace (stable: it does not flip with pod counts). A variant without a
 * routable port never wins over one with ports. Every instance that exposes at least those ports
 * (number and protocol) stays in the host; the others are left out and reported.
 */
export function choosePublishedPorts(variants: readonly (readonly ServiceInstance[])[]): ServicePortSpec[] {
  const candidates = variants
    .filter((group) => group.length > 0)
    .sort(
      (a, b) =>
        Number(b[0].ports.length > 0) - Number(a[0].ports.length > 0) ||
        b.length - a.length ||
        compareMemberNamespaces(a[0], b[0]),
    );
  return candidates.length > 0 ? candidates[0][0].ports : [];
}

function exposesAll(ports: readonly ServicePortSpec[], required: readonly ServicePortSpec[]): boolean {
  return (
    required.length > 0 &&
    required.every((want) =>
      ports.some((port) => port.number === want.number && port.protocol === want.protocol),
    )
  );
}

/** A member cluster whose services cannot be reached from the others: say so rather than silently drop it. */
function warnAboutMissingGateways(
  membership: GnsMembership,
  clusters: readonly ClusterWithInventory[],
): void {
  const memberClusterIds = new Set(membership.namespaces.map((member) => member.clusterId));
  if (memberClusterIds.size < 2) return;
  const clustersRunningServices = new Set(
    membership.services.flatMap((service) => service.instances.map((instance) => instance.clusterId)),
  );
  for (const cluster of clusters) {
    if (!clustersRunningServices.has(cluster.id) || cluster.eastWestAddress) continue;
    membership.warnings.push({
      kind: 'NO_EAST_WEST_GATEWAY',
      clusterId: cluster.id,
      clusterName: cluster.name,
      reason: `Cluster "${cluster.name}" has no east-west gateway address, so other member clusters cannot reach its services yet.`,
    });
  }
}

function compareByAge(a: GlobalNamespaceDefinition, b: GlobalNamespaceDefinition): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id);
}

export function compareMemberNamespaces(a: MemberNamespace, b: MemberNamespace): number {
  return (
    compareText(a.clusterName, b.clusterName) ||
    compareText(a.clusterId, b.clusterId) ||
    compareText(a.namespace, b.namespace)
  );
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

function refOf(gns: GlobalNamespaceDefinition): GnsRef {
  return { gnsId: gns.id, gnsName: gns.name };
}

function placeOf(instance: ServiceInstance): MemberNamespace {
  return { clusterId: instance.clusterId, clusterName: instance.clusterName, namespace: instance.namespace };
}

function placeText(place: MemberNamespace): string {
  return `${place.clusterName}/${place.namespace}`;
}

function quoteList(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
