/**
 * Pure topology logic: which colour a node or an edge gets, and the Cytoscape elements of a GNS
 * topology (services grouped by cluster). No DOM here, so it is unit-tested and benchmarked alone.
 */
export interface TopoNode {
  id: string;
  clusterId: string;
  clusterName: string;
  namespace: string;
  service: string;
  member: boolean;
  requestRate: number;
  errorRate?: number | null;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

export interface TopoEdge {
  sourceId: string;
  destinationId: string;
  clusterId: string;
  requestRate: number;
  errorRate?: number | null;
  p50?: number | null;
  p90?: number | null;
  p99?: number | null;
}

export type Health = 'healthy' | 'degraded' | 'failing' | 'idle';

/** Error rate (a fraction) and p99 thresholds of the colours; shown in the legend. */
export const HEALTH_THRESHOLDS = { degradedErrorRate: 0.01, failingErrorRate: 0.05, degradedP99Ms: 500 };

export const HEALTH_COLOURS: Record<Health, string> = {
  healthy: '#2f9e44',
  degraded: '#f08c00',
  failing: '#e03131',
  idle: '#adb5bd',
};

export function healthOf(stats: {
  requestRate: number;
  errorRate?: number | null;
  p99?: number | null;
}): Health {
  if (!(stats.requestRate > 0)) return 'idle';
  const errors = stats.errorRate ?? 0;
  if (errors >= HEALTH_THRESHOLDS.failingErrorRate) return 'failing';
  if (errors >= HEALTH_THRESHOLDS.degradedErrorRate || (stats.p99 ?? 0) >= HEALTH_THRESHOLDS.degradedP99Ms)
    return 'degraded';
  return 'healthy';
}

export interface CyElement {
  group: 'nodes' | 'edges';
  data: Record<string, unknown> & { id: string };
  classes?: string;
  position?: { x: number; y: number };
}

/** Grid spacing of services inside a cluster box, and the gap between cluster boxes. */
const CELL = { width: 170, height: 90, gap: 140 };

function edgeLabel(edge: TopoEdge): string {
  const rps = edge.requestRate < 10 ? edge.requestRate.toFixed(2) : edge.requestRate.toFixed(0);
  const errors =
    edge.errorRate === null || edge.errorRate === undefined ? '–' : `${(edge.errorRate * 100).toFixed(1)}%`;
  const p99 = edge.p99 === null || edge.p99 === undefined ? '–' : `${Math.round(edge.p99)}ms`;
  return `${rps} rps · ${errors} · p99 ${p99}`;
}

/**
 * One compound node per cluster holding its services, one edge per call. Edges whose ends are not
 * nodes are dropped (a caller outside the answer) rather than breaking the graph. Linear in the
 * number of nodes and edges.
 */
/** From this many services on, the graph draws in its fast style (see TopologyGraph). */
export const LARGE_TOPOLOGY = 300;

export function topologyElements(nodes: readonly TopoNode[], edges: readonly TopoEdge[]): CyElement[] {
  const elements: CyElement[] = [];
  const large = nodes.length >= LARGE_TOPOLOGY ? ' large' : '';
  const clusters = new Map<string, string>();
  for (const node of nodes) clusters.set(node.clusterId, node.clusterName);
  for (const [id, name] of clusters)
    elements.push({ group: 'nodes', data: { id: `cluster:${id}`, label: name }, classes: 'cluster' });
  // A preset layout: cluster boxes side by side, services on a square grid inside each (a force
  // layout of 2,000 nodes would take seconds; this is linear and stable between refreshes).
  const perCluster = new Map<string, TopoNode[]>();
  for (const node of nodes) {
    const members = perCluster.get(node.clusterId);
    if (members) members.push(node);
    else perCluster.set(node.clusterId, [node]);
  }
  const positions = new Map<string, { x: number; y: number }>();
  let left = 0;
  for (const [, members] of [...perCluster].sort((a, b) =>
    (clusters.get(a[0]) ?? '').localeCompare(clusters.get(b[0]) ?? ''),
  )) {
    members.sort((a, b) => a.service.localeCompare(b.service));
    const columns = Math.max(1, Math.ceil(Math.sqrt(members.length)));
    members.forEach((node, i) =>
      positions.set(node.id, {
        x: left + (i % columns) * CELL.width,
        y: Math.floor(i / columns) * CELL.height,
      }),
    );
    left += columns * CELL.width + CELL.gap;
  }
  const ids = new Set<string>();
  for (const node of nodes) {
    ids.add(node.id);
    const health = healthOf(node);
    elements.push({
      group: 'nodes',
      data: {
        id: node.id,
        parent: `cluster:${node.clusterId}`,
        label: node.service,
        service: node.service,
        colour: HEALTH_COLOURS[health],
        health,
      },
      position: positions.get(node.id),
      classes: (node.member ? 'service' : 'service external') + large,
    });
  }
  const edgeIds = new Set<string>();
  for (const edge of edges) {
    if (!ids.has(edge.sourceId) || !ids.has(edge.destinationId)) continue;
    const health = healthOf(edge);
    // Stable ids, so a refresh updates edges in place instead of replacing them.
    let id = `edge:${edge.sourceId}->${edge.destinationId}`;
    for (let n = 2; edgeIds.has(id); n++) id = `edge:${edge.sourceId}->${edge.destinationId}#${n}`;
    edgeIds.add(id);
    elements.push({
      group: 'edges',
      data: {
        id,
        source: edge.sourceId,
        target: edge.destinationId,
        label: edgeLabel(edge),
        colour: HEALTH_COLOURS[health],
        width: Math.min(8, 1 + Math.log10(1 + edge.requestRate) * 2),
        health,
      },
      classes: large ? 'large' : undefined,
    });
  }
  return elements;
}

/** A synthetic topology (for the component test and the benchmark): `services` per cluster, calls in a ring. */
export function syntheticTopology(
  services: number,
  clusters: number,
): { nodes: TopoNode[]; edges: TopoEdge[] } {
  const nodes: TopoNode[] = [];
  const edges: TopoEdge[] = [];
  for (let c = 0; c < clusters; c++) {
    for (let s = 0; s < services; s++) {
      nodes.push({
        id: `c${c}-s${s}`,
        clusterId: `c${c}`,
        clusterName: `cluster-${c}`,
        namespace: 'shop',
        service: `svc-${s}`,
        member: true,
        requestRate: (s % 7) + 1,
        errorRate: s % 13 === 0 ? 0.08 : s % 5 === 0 ? 0.02 : 0.001,
        p99: 50 + (s % 11) * 60,
      });
      edges.push({
        sourceId: `c${c}-s${s}`,
        destinationId: `c${(c + (s % 3 === 0 ? 1 : 0)) % clusters}-s${(s + 1) % services}`,
        clusterId: `c${c}`,
        requestRate: (s % 5) + 0.5,
        errorRate: s % 17 === 0 ? 0.1 : 0.002,
        p99: 40 + (s % 9) * 50,
      });
    }
  }
  return { nodes, edges };
}

/** How many services the graph draws at most; larger topologies show the busiest and the filtered ones. */
export const GRAPH_SERVICE_LIMIT = 150;

/**
 * What the graph draws: everything up to GRAPH_SERVICE_LIMIT services; beyond, those the filter
 * matches, the ends of the busiest calls and the busiest services (up to the limit in all), and the
 * calls between them. A canvas of
 * 2,000 services is unreadable and takes seconds to draw; the tables keep every number.
 */
export function visibleTopology(
  nodes: readonly TopoNode[],
  edges: readonly TopoEdge[],
  filter: string,
  limit = GRAPH_SERVICE_LIMIT,
): { nodes: TopoNode[]; edges: TopoEdge[]; hidden: number } {
  if (nodes.length <= limit) return { nodes: [...nodes], edges: [...edges], hidden: 0 };
  const needle = filter.trim().toLowerCase();
  const matching =
    needle === '' ? [] : nodes.filter((n) => n.service.includes(needle) || n.clusterName.includes(needle));
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const chosen = new Map<string, TopoNode>();
  for (const node of matching) {
    if (chosen.size >= limit) break;
    chosen.set(node.id, node);
  }
  // Then the ends of the busiest calls (so the graph shows the traffic), then the busiest services.
  for (const edge of [...edges].sort((a, b) => b.requestRate - a.requestRate)) {
    const ends = [byId.get(edge.sourceId), byId.get(edge.destinationId)].filter(
      (n): n is TopoNode => n !== undefined && !chosen.has(n.id),
    );
    if (chosen.size + ends.length > limit) break;
    for (const end of ends) chosen.set(end.id, end);
  }
  for (const node of [...nodes].sort((a, b) => b.requestRate - a.requestRate)) {
    if (chosen.size >= limit) break;
    chosen.set(node.id, node);
  }
  const kept = edges.filter((e) => chosen.has(e.sourceId) && chosen.has(e.destinationId));
  return { nodes: [...chosen.values()], edges: kept, hidden: nodes.length - chosen.size };
}
