import type {
  ClusterLocality,
  DesiredCaMaterial,
  DesiredClusterState,
  DesiredEastWestGateway,
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

/** Stable virtual addresses per GNS id, then per service name (allocated and stored by the caller). */
export type VirtualAddressesByGns = ReadonlyMap<string, ReadonlyMap<string, string>>;

/** The pods of Istio's multi-network east-west gateway (samples/multicluster/gen-eastwest-gateway.sh). */
export const DEFAULT_EAST_WEST_GATEWAY_SELECTOR: Readonly<Record<string, string>> = {
  istio: 'eastwestgateway',
};

/** How a cluster's east-west Gateway is had: Lattice renders it, with the default selector, unless told otherwise. */
export function eastWestGatewayOf(cluster: ClusterIdentity): DesiredEastWestGateway {
  return {
    managed: cluster.eastWestGateway?.managed ?? true,
    selector: { ...(cluster.eastWestGateway?.selector ?? DEFAULT_EAST_WEST_GATEWAY_SELECTOR) },
  };
}

/**
 * Istio's locality of an endpoint in `cluster`: `region/zone/<cluster name>` (the cluster is the
 * subzone, so endpoints of two clusters in one zone stay apart). Undefined without a region: Istio
 * reads the first segment as the region, and an empty one would put unrelated clusters together.
 */
export function endpointLocality(cluster: Pick<ClusterIdentity, 'name' | 'locality'>): string | undefined {
  const region = cluster.locality?.region;
  if (!region) return undefined;
  return `${region}/${cluster.locality?.zone ?? ''}/${cluster.name}`;
}

/** Only the set fields, so the payload (and hash) of a cluster without them stays as it was. */
function placementOf(cluster: ClusterIdentity | undefined): { network?: string; locality?: string } {
  if (!cluster) return {};
  const locality = endpointLocality(cluster);
  return {
    ...(cluster.network ? { network: cluster.network } : {}),
    ...(locality !== undefined ? { locality } : {}),
  };
}

function clusterLocality(cluster: ClusterIdentity): ClusterLocality | undefined {
  if (!cluster.locality) return undefined;
  const locality: ClusterLocality = {};
  if (cluster.locality.region) locality.region = cluster.locality.region;
  if (cluster.locality.zone) locality.zone = cluster.locality.zone;
  return Object.keys(locality).length > 0 ? locality : undefined;
}

/** Envoy endpoint weights are positive: an endpoint with no ready pod yet still counts as one. */
export function endpointWeight(ready: number): number {
  return Math.max(1, Math.floor(ready));
}

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
  addresses: VirtualAddressesByGns = new Map(),
): Map<string, DesiredClusterState> {
  const clustersById = new Map(clusters.map((cluster) => [cluster.id, cluster]));
  const remoteEndpoints = new RemoteEndpointsOf(clustersById);
  const states = new Map<string, DesiredClusterState>();
  for (const cluster of [...clusters].sort((a, b) => compareText(a.id, b.id))) {
    const globalNamespaces = membership.globalNamespaces
      .filter((gns) => gns.namespaces.some((member) => member.clusterId === cluster.id))
      .map((gns) =>
        desiredGlobalNamespace(
          gns,
          cluster,
          remoteEndpoints,
          caMaterial.get(gns.gns.id)?.get(cluster.id),
          addresses.get(gns.gns.id),
        ),
      )
      .sort((a, b) => compareText(a.name, b.name) || compareText(a.id, b.id));
    const locality = clusterLocality(cluster);
    states.set(cluster.id, {
      clusterId: cluster.id,
      clusterName: cluster.name,
      globalNamespaces,
      // Only when set: the payload (and its hash) of every other cluster stays as it was.
      ...(cluster.takeOverMeshCa ? { takeOverMeshCa: true } : {}),
      ...(cluster.network ? { network: cluster.network } : {}),
      ...(locality ? { locality } : {}),
    });
  }
  return states;
}

function desiredGlobalNamespace(
  membership: GnsMembership,
  cluster: ClusterIdentity,
  remoteEndpoints: RemoteEndpointsOf,
  ca: DesiredCaMaterial | undefined,
  addresses: ReadonlyMap<string, string> | undefined,
): DesiredGlobalNamespace {
  const localNamespaces = [
    ...new Set(
      membership.namespaces
        .filter((member) => member.clusterId === cluster.id)
        .map((member) => member.namespace),
    ),
  ].sort(compareText);
  const services = membership.services
    .map((service) => desiredService(service, cluster, remoteEndpoints, addresses?.get(service.name)))
    .filter((service): service is DesiredGnsService => service !== null);
  const desired: DesiredGlobalNamespace = {
    id: membership.gns.id,
    name: membership.gns.name,
    domain: membership.gns.domain,
    mtlsMode: membership.gns.mtlsMode,
    localNamespaces,
    services,
    eastWestGateway: eastWestGatewayOf(cluster),
  };
  if (ca !== undefined) desired.ca = ca;
  return desired;
}

/**
 * Endpoints as seen from `cluster`: its own instances through their Kubernetes address, every
 * other cluster through its east-west gateway. One remote endpoint per remote cluster even when
 * the service runs in several of its namespaces: the gateway routes by host (SNI), not namespace,
 * and istiod keys ServiceEntry endpoints by address and port name, so a second endpoint at the
 * same gateway would collide with the first. Each endpoint carries its cluster's network and
 * locality, and a weight of the ready pods behind it (for a remote cluster: all its ready pods of
 * the service), so unsubsetted traffic spreads by pods, not by endpoints. A service with no
 * reachable endpoint (it runs only in clusters without a gateway address) is left out.
 */
function desiredService(
  service: GnsMemberService,
  cluster: ClusterIdentity,
  remoteEndpoints: RemoteEndpointsOf,
  address: string | undefined,
): DesiredGnsService | null {
  const here = placementOf(cluster);
  const local: LocalServiceEndpoint[] = service.instances
    .filter((instance) => instance.clusterId === cluster.id)
    .map((instance) => ({
      kind: 'LOCAL',
      clusterId: cluster.id,
      clusterName: cluster.name,
      namespace: instance.namespace,
      address: `${service.name}.${instance.namespace}.svc.cluster.local`,
      ...here,
      weight: endpointWeight(instance.readyEndpoints),
    }));
  const remote = remoteEndpoints.of(service).filter((endpoint) => endpoint.clusterId !== cluster.id);
  const endpoints = [...local, ...remote];
  if (endpoints.length === 0) return null;
  return {
    name: service.name,
    hostname: service.hostname,
    ports: service.ports.map((port) => ({ ...port })),
    endpoints,
    ...(address !== undefined ? { addresses: [address] } : {}),
  };
}

/**
 * The remote endpoints of a service, one per cluster running it (with a gateway address): the same
 * in every member's state but its own, so built once per service and shared by every state (which
 * lets a recomputation serialize each once, see CanonicalJsonMemo; states are never mutated).
 */
class RemoteEndpointsOf {
  private readonly built = new Map<GnsMemberService, RemoteServiceEndpoint[]>();

  constructor(private readonly clustersById: ReadonlyMap<string, ClusterIdentity>) {}

  of(service: GnsMemberService): RemoteServiceEndpoint[] {
    let endpoints = this.built.get(service);
    if (!endpoints) {
      endpoints = this.build(service);
      this.built.set(service, endpoints);
    }
    return endpoints;
  }

  private build(service: GnsMemberService): RemoteServiceEndpoint[] {
    const readyByCluster = new Map<string, number>();
    for (const instance of service.instances)
      readyByCluster.set(
        instance.clusterId,
        (readyByCluster.get(instance.clusterId) ?? 0) + instance.readyEndpoints,
      );
    const remote: RemoteServiceEndpoint[] = [];
    const seen = new Set<string>();
    for (const instance of service.instances) {
      if (seen.has(instance.clusterId)) continue;
      seen.add(instance.clusterId);
      const remoteCluster = this.clustersById.get(instance.clusterId);
      const gatewayAddress = remoteCluster?.eastWestAddress;
      if (!gatewayAddress) continue;
      remote.push({
        kind: 'REMOTE',
        clusterId: instance.clusterId,
        clusterName: instance.clusterName,
        // Instances are sorted, so this is the remote cluster's first namespace running the service.
        namespace: instance.namespace,
        address: gatewayAddress,
        port: EAST_WEST_GATEWAY_PORT,
        ...placementOf(remoteCluster),
        weight: endpointWeight(readyByCluster.get(instance.clusterId) ?? 0),
      });
    }
    return remote;
  }
}
