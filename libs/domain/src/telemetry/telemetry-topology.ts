import { compareText } from '../gns/compare-text';
import type { GnsTelemetryScope, NamedCluster } from './gns-telemetry-scope';
import { TrafficTotals, TrafficTotalsByKey, type TrafficMetrics } from './traffic-totals';

/**
 * Traffic of one stored edge group. `clusterId` is the reporting cluster, which is where the
 * destination runs (see docs/telemetry.md, "Attribution"); `sourceCluster` is the mesh's name of the
 * caller's cluster, '' when unknown.
 */
export interface EdgeTraffic {
  clusterId: string;
  sourceCluster: string;
  sourceNamespace: string;
  sourceService: string;
  destinationNamespace: string;
  destinationService: string;
  totals: TrafficTotals;
}

export interface ServiceInCluster {
  /** A Lattice cluster id; '' for a caller in a cluster the tenant has not registered. */
  clusterId: string;
  clusterName: string;
  namespace: string;
  service: string;
}

export interface TopologyNode extends ServiceInCluster, TrafficMetrics {
  id: string;
  /** In a member (cluster, namespace) of the GNS; callers from outside appear as non-members. */
  member: boolean;
}

export interface TopologyEdge extends TrafficMetrics {
  sourceId: string;
  destinationId: string;
  /** The cluster that reported the calls: the destination's. */
  clusterId: string;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

/**
 * Services per cluster and the calls between them. A destination is a node in the cluster that
 * reported the traffic (the cluster it runs in); a caller is a node in its own cluster: the
 * registered cluster of that name, else a non-member node named after the mesh's cluster, else
 * (caller's cluster unknown: outside the mesh, or an older agent) the reporting cluster. An edge
 * belongs to the GNS when its caller or its callee is a member; groups that land on the same pair of
 * nodes are one edge. A node's numbers are the traffic it received over the edges shown.
 */
export function buildTopology(
  traffic: Iterable<EdgeTraffic>,
  scope: GnsTelemetryScope,
  clusters: readonly NamedCluster[],
  durationMs: number,
): Topology {
  const nameById = new Map(clusters.map((cluster) => [cluster.id, cluster.name]));
  const idByName = new Map(clusters.map((cluster) => [cluster.name, cluster.id]));
  const nodes = new Map<string, { node: ServiceInCluster; member: boolean; received: TrafficTotals }>();
  const nodeOf = (node: ServiceInCluster, id: string, member: boolean): string => {
    if (!nodes.has(id)) nodes.set(id, { node, member, received: new TrafficTotals() });
    return id;
  };
  const registeredNode = (clusterId: string, namespace: string, service: string): string =>
    nodeOf(
      { clusterId, clusterName: nameById.get(clusterId) ?? clusterId, namespace, service },
      `${clusterId}/${namespace}/${service}`,
      scope.includes(clusterId, namespace),
    );
  const edges = new TrafficTotalsByKey<{ sourceId: string; destinationId: string; clusterId: string }>(
    (key) => JSON.stringify([key.sourceId, key.destinationId]),
  );
  for (const group of traffic) {
    const callerClusterId = group.sourceCluster === '' ? group.clusterId : idByName.get(group.sourceCluster);
    const sourceMember =
      callerClusterId !== undefined && scope.includes(callerClusterId, group.sourceNamespace);
    const destinationMember = scope.includes(group.clusterId, group.destinationNamespace);
    if (!sourceMember && !destinationMember) continue;
    const sourceId =
      callerClusterId !== undefined
        ? registeredNode(callerClusterId, group.sourceNamespace, group.sourceService)
        : nodeOf(
            {
              clusterId: '',
              clusterName: group.sourceCluster,
              namespace: group.sourceNamespace,
              service: group.sourceService,
            },
            // Registered nodes start with a UUID, which never contains ":".
            `mesh:${group.sourceCluster}/${group.sourceNamespace}/${group.sourceService}`,
            false,
          );
    const destinationId = registeredNode(
      group.clusterId,
      group.destinationNamespace,
      group.destinationService,
    );
    nodes.get(destinationId)?.received.addTotals(group.totals);
    edges.add(
      { sourceId, destinationId, clusterId: group.clusterId },
      group.totals.requests,
      group.totals.errors,
      group.totals.latency,
    );
  }
  const edgeList = [...edges]
    .map(({ key, totals }) => ({ ...key, ...totals.metrics(durationMs) }))
    .sort((a, b) => compareText(a.sourceId, b.sourceId) || compareText(a.destinationId, b.destinationId));
  const nodeList = [...nodes.entries()]
    .map(([id, { node, member, received }]) => ({ id, ...node, member, ...received.metrics(durationMs) }))
    .sort((a, b) => compareText(a.id, b.id));
  return { nodes: nodeList, edges: edgeList };
}
