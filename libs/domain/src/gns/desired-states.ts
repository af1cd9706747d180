import type {
  DesiredCaMaterial,
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredGnsService,
  LocalServiceEndpoint,
  RemoteServiceEndpoint,
} from '../desired-state';
import type { ClusterIdentity } from './inventory';
import { compareText } from './compare-text';
import { type GnsMemberService, type GnsMembership, type MembershipResult } from './membership';

/** Istio's east-west gateway port in AUTO_PASSTHROUGH mode: routes mTLS by SNI without terminating it. */
export const EAST_WEST_GATEWAY_PORT = 15443;

/** CA material per GNS id, then per cluster id; filled by the caller from the PKI. */
export type CaMaterialByGns = ReadonlyMap<string, ReadonlyMap<string, DesiredCaMaterial>>;

/**
 * The desired state of every cluster of the tenant. A cluster that is in no GNS gets an empty
 * list, so that a deleted GNS or a cluster that left one is cleaned up by the next snapshot.
 *
 * A GNS appears in a cluster when the cluster has a member namespace, whether or not any service
 * runs there: clients in that cluster still reach remote instances.
 */
export function buildDesiredStates(
  membership: MembershipResult,
  clusters: readonly ClusterIdentity[],
  caMaterial: CaMaterialByGns = new Map(),
): Map<string, DesiredClusterState> {
  const clustersById = new Map(clusters.map((cluster) => [cluster.id, cluster]));
  const states = new Map<string, DesiredClusterState>();
  for (const cluster of [...clusters].sort((a, b) => compareText(a.id, b.id))) {
    const globalNamespaces = membership.globalNamespaces
      .filter((gns) => gns.namespaces.some((member) => member.clusterId === cluster.id))
      .map((gns) =>
        desiredGlobalNamespace(gns, cluster, clustersById, caMaterial.get(gns.gns.id)?.get(cluster.id)),
      )
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
    states.set(cluster.id, {
      clusterId: cluster.id,
      clusterName: cluster.name,
      globalNamespaces,
      // Only when set: the payload (and its hash) of every other cluster stays as it was.
      ...(cluster.takeOverMeshCa ? { takeOverMeshCa: true } : {}),
    });
  }
  return states;
}

function desiredGlobalNamespace(
  membership: GnsMembership,
  cluster: ClusterIdentity,
  clustersById: ReadonlyMap<string, ClusterIdentity>,
  ca: DesiredCaMaterial | undefined,
): DesiredGlobalNamespace {
  const localNamespaces = [
    ...new Set(
      membership.namespaces
        .filter((member) => member.clusterId === cluster.id)
        .map((member) => member.namespace),
    ),
  ].sort(compareText);
  const services = membership.services
    .map((service) => desiredService(service, cluster, clustersById))
    .filter((service): service is DesiredGnsService => service !== null);
  const desired: DesiredGlobalNamespace = {
    id: membership.gns.id,
    name: membership.gns.name,
    domain: membership.gns.domain,
    mtlsMode: membership.gns.mtlsMode,
    localNamespaces,
    services,
  };
  if (ca !== undefined) desired.ca = ca;
  return desired;
}

/**
 * Endpoints as seen from `cluster`: its own instances through their Kubernetes address, every
 * other cluster through its east-west gateway. One remote endpoint per remote cluster even when
 * the service runs in several of its namespaces: the gateway routes by host (SNI), not namespace,
 * so more would only skew load balancing towards that cluster. A service with no reachable
 * endpoint (it runs only in clusters without a gateway address) is left out.
 */
function desiredService(
  service: GnsMemberService,
  cluster: ClusterIdentity,
  clustersById: ReadonlyMap<string, ClusterIdentity>,
): DesiredGnsService | null {
  const local: LocalServiceEndpoint[] = service.instances
    .filter((instance) => instance.clusterId === cluster.id)
    .map((instance) => ({
      kind: 'LOCAL',
      clusterId: cluster.id,
      clusterName: cluster.name,
      namespace: instance.namespace,
      address: `${service.name}.${instance.namespace}.svc.cluster.local`,
    }));

  const remote: RemoteServiceEndpoint[] = [];
  const seenRemoteClusters = new Set<string>();
  for (const instance of service.instances) {
    if (instance.clusterId === cluster.id || seenRemoteClusters.has(instance.clusterId)) continue;
    seenRemoteClusters.add(instance.clusterId);
    const address = clustersById.get(instance.clusterId)?.eastWestAddress;
    if (!address) continue;
    remote.push({
      kind: 'REMOTE',
      clusterId: instance.clusterId,
      clusterName: instance.clusterName,
      // Instances are sorted, so this is the remote cluster's first namespace running the service.
      namespace: instance.namespace,
      address,
      port: EAST_WEST_GATEWAY_PORT,
    });
  }

  const endpoints = [...local, ...remote];
  if (endpoints.length === 0) return null;
  return {
    name: service.name,
    hostname: service.hostname,
    ports: service.ports.map((port) => ({ ...port })),
    endpoints,
  };
}
