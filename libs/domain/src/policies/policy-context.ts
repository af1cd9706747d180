import type { MtlsMode } from '../desired-state';
import type { ClusterWithInventory } from '../gns/inventory';
import type { GnsMembership } from '../gns/membership';

/** One place a GNS service runs, with the labels of its endpoint groups (pod labels such as `version`). */
export interface ServicePlacement {
  clusterId: string;
  clusterName: string;
  namespace: string;
  endpointGroupLabels: Readonly<Record<string, string>>[];
}

/** What policies of one GNS are checked and resolved against: its live membership. */
export interface GnsPolicyContext {
  gnsName: string;
  domain: string;
  mtlsMode: MtlsMode;
  /** Member services by name. */
  services: ReadonlyMap<string, readonly ServicePlacement[]>;
  /** Member clusters (a namespace of theirs is in the GNS): name to id. */
  clusters: ReadonlyMap<string, string>;
  /** Port protocols of each member service (HTTP, HTTP2, GRPC, TCP, …). */
  protocols: ReadonlyMap<string, readonly string[]>;
}

export function gnsPolicyContext(
  membership: GnsMembership,
  clusters: readonly ClusterWithInventory[],
): GnsPolicyContext {
  // (cluster id, namespace, service name) -> endpoint group labels, built once: fleets are large.
  const groupsOf = new Map<string, Readonly<Record<string, string>>[]>();
  for (const cluster of clusters)
    for (const reported of cluster.inventory.services)
      groupsOf.set(
        `${cluster.id}/${reported.namespace}/${reported.name}`,
        reported.endpointGroups.map((group) => group.labels),
      );
  const services = new Map<string, ServicePlacement[]>();
  for (const service of membership.services) {
    services.set(
      service.name,
      service.instances.map((instance) => ({
        clusterId: instance.clusterId,
        clusterName: instance.clusterName,
        namespace: instance.namespace,
        endpointGroupLabels: (groupsOf.get(`${instance.clusterId}/${instance.namespace}/${service.name}`) ?? []).map(
          (labels) => ({ ...labels }),
        ),
      })),
    );
  }
  return {
    gnsName: membership.gns.name,
    domain: membership.gns.domain,
    mtlsMode: membership.gns.mtlsMode,
    services,
    clusters: new Map(membership.namespaces.map((member) => [member.clusterName, member.clusterId])),
    protocols: new Map(
      membership.services.map((service) => [service.name, service.ports.map((port) => port.protocol)]),
    ),
  };
}

/** Labels every endpoint group shares: what a subset selector can rely on for the whole instance. */
export function commonLabels(groups: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  if (groups.length === 0) return {};
  const [first, ...rest] = groups;
  return Object.fromEntries(
    Object.entries(first).filter(([key, value]) => rest.every((group) => group[key] === value)),
  );
}

export function selects(
  selector: Readonly<Record<string, string>>,
  labels: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
