import type { MtlsMode } from '../mtls-mode';
import type { ClusterWithInventory, InventoryService } from '../gns/inventory';
import type { GnsMembership } from '../gns/membership';

/** One place a GNS service runs, with the labels of its endpoint groups (pod labels such as `version`). */
export interface ServicePlacement {
  clusterId: string;
  clusterName: string;
  namespace: string;
  endpointGroupLabels: Readonly<Record<string, string>>[];
  /** Ready pods of each endpoint group, in the order of endpointGroupLabels. */
  endpointGroupReady: number[];
  /** The instance's pod selector (empty: unknown, or a Service without one). */
  selector: Readonly<Record<string, string>>;
  /** The pods' port behind each service port: port number to target port. */
  targetPorts: ReadonlyMap<number, number>;
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
  // (cluster id, namespace, service name) -> reported service, indexed once: fleets are large.
  const reportedOf = new Map<string, InventoryService>();
  for (const cluster of clusters)
    for (const reported of cluster.inventory.services)
      reportedOf.set(`${cluster.id}/${reported.namespace}/${reported.name}`, reported);
  const services = new Map<string, ServicePlacement[]>();
  for (const service of membership.services) {
    services.set(
      service.name,
      service.instances.map((instance) => {
        const reported = reportedOf.get(`${instance.clusterId}/${instance.namespace}/${service.name}`);
        return {
          clusterId: instance.clusterId,
          clusterName: instance.clusterName,
          namespace: instance.namespace,
          endpointGroupLabels: (reported?.endpointGroups ?? []).map((group) => ({ ...group.labels })),
          endpointGroupReady: (reported?.endpointGroups ?? []).map((group) => group.ready),
          selector: { ...(reported?.selector ?? {}) },
          targetPorts: new Map(
            (reported?.ports ?? []).map((port) => [
              port.port,
              port.targetPort > 0 ? port.targetPort : port.port,
            ]),
          ),
        };
      }),
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

/** Pods of one instance that one ServiceEntry endpoint stands for, and the labels they all share. */
export interface EndpointPart {
  /** Set when the instance is split: the subset whose pods a per-version Service selects. */
  subset?: string;
  labels: Record<string, string>;
}

export interface InstanceSplit {
  /** One part (the whole instance, `subset` unset) unless split: then one per split subset. */
  parts: EndpointPart[];
  /** Subsets that select only some of the instance's pods. */
  mixedSubsets: string[];
  /** Mixed subsets exist but the instance has no pod selector to build per-version Services from. */
  unsplittable: boolean;
  /** Split instances only: endpoint groups no split subset selects (their pods get no GNS traffic). */
  uncovered: Readonly<Record<string, string>>[];
}

/**
 * How the ServiceEntry endpoints of one instance (a Kubernetes Service in one cluster and
 * namespace) cover its pods. A GNS endpoint is a DNS address, so it can only carry the labels all
 * its pods share. Subsets that select every pod of the instance (or none) need nothing more. When
 * some subset selects only part of the pods (v1 and v2 behind one Service, the usual canary), the
 * instance is split: one endpoint per such subset, each a per-version Service selecting the
 * instance's pods plus the subset's labels, labelled with what those pods share, so each subset
 * reaches the pods it would reach in Istio's own registry. Only when a route sends traffic to such
 * a subset: unused subsets leave the instance whole (traffic spread per pod by its own Service).
 */
export function splitInstance(
  groups: readonly Readonly<Record<string, string>>[],
  selector: Readonly<Record<string, string>>,
  subsets: readonly { name: string; labels: Readonly<Record<string, string>> }[],
  routedSubsets: ReadonlySet<string>,
): InstanceSplit {
  const mixed = subsets.filter(
    (subset) =>
      Object.keys(subset.labels).length > 0 &&
      groups.some((group) => selects(subset.labels, group)) &&
      !groups.every((group) => selects(subset.labels, group)),
  );
  const whole: InstanceSplit = {
    parts: [{ labels: commonLabels(groups) }],
    mixedSubsets: mixed.map((subset) => subset.name),
    unsplittable: mixed.length > 0,
    uncovered: [],
  };
  if (!mixed.some((subset) => routedSubsets.has(subset.name))) return { ...whole, unsplittable: false };
  if (Object.keys(selector).length === 0) return whole;
  return {
    parts: mixed.map((subset) => ({
      subset: subset.name,
      labels: commonLabels(groups.filter((group) => selects(subset.labels, group))),
    })),
    mixedSubsets: whole.mixedSubsets,
    unsplittable: false,
    uncovered: groups.filter((group) => !mixed.some((subset) => selects(subset.labels, group))),
  };
}

/** Subsets some route sends traffic to. */
export function routedSubsets(
  routes: readonly { destinations: readonly { subset?: string }[] }[],
): Set<string> {
  return new Set(
    routes.flatMap((route) =>
      route.destinations.flatMap((destination) =>
        destination.subset !== undefined ? [destination.subset] : [],
      ),
    ),
  );
}
