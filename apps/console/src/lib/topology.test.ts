import { describe, expect, it } from 'vitest';
import {
  HEALTH_COLOURS,
  healthOf,
  syntheticTopology,
  topologyElements,
  visibleTopology,
  type TopoEdge,
  type TopoNode,
} from './topology';

const node = (id: string, cluster: string, service: string, extra: Partial<TopoNode> = {}): TopoNode => ({
  id,
  clusterId: cluster,
  clusterName: cluster,
  namespace: 'ns',
  service,
  member: true,
  requestRate: 1,
  errorRate: 0,
  p99: 10,
  ...extra,
});

describe('healthOf', () => {
  it('colours by error rate and p99, and idle without traffic', () => {
    expect(healthOf({ requestRate: 0, errorRate: 0.5 })).toBe('idle');
    expect(healthOf({ requestRate: 1, errorRate: 0.001, p99: 100 })).toBe('healthy');
    expect(healthOf({ requestRate: 1, errorRate: 0.02, p99: 100 })).toBe('degraded');
    expect(healthOf({ requestRate: 1, errorRate: 0, p99: 800 })).toBe('degraded');
    expect(healthOf({ requestRate: 1, errorRate: 0.05 })).toBe('failing');
    expect(healthOf({ requestRate: 1, errorRate: null, p99: null })).toBe('healthy');
  });
});

describe('topologyElements', () => {
  it('groups services in one compound node per cluster and labels edges with rate, errors and p99', () => {
    const nodes = [
      node('a', 'east', 'productpage'),
      node('b', 'east', 'details'),
      node('c', 'west', 'ratings', { errorRate: 0.03 }),
    ];
    const edges: TopoEdge[] = [
      { sourceId: 'a', destinationId: 'b', clusterId: 'east', requestRate: 2, errorRate: 0.001, p99: 20 },
      { sourceId: 'a', destinationId: 'c', clusterId: 'east', requestRate: 0.5, errorRate: 0.1, p99: 99.6 },
      { sourceId: 'a', destinationId: 'gone', clusterId: 'east', requestRate: 1 },
    ];
    const elements = topologyElements(nodes, edges);
    const clusters = elements.filter((e) => e.classes === 'cluster').map((e) => e.data.label);
    expect(clusters).toEqual(['east', 'west']);
    const ratings = elements.find((e) => e.data.id === 'c')!;
    expect(ratings.data.parent).toBe('cluster:west');
    expect(ratings.data.colour).toBe(HEALTH_COLOURS.degraded);
    const edgeElements = elements.filter((e) => e.group === 'edges');
    expect(edgeElements).toHaveLength(2); // the edge to a node outside the answer is dropped
    expect(edgeElements[1]!.data.label).toBe('0.50 rps · 10.0% · p99 100ms');
    expect(edgeElements[1]!.data.colour).toBe(HEALTH_COLOURS.failing);
    // Services of one cluster never overlap, and clusters sit side by side.
    const positions = elements.filter((e) => e.position).map((e) => `${e.position!.x},${e.position!.y}`);
    expect(new Set(positions).size).toBe(positions.length);
    expect(ratings.position!.x).toBeGreaterThan(elements.find((e) => e.data.id === 'a')!.position!.x);
  });

  it('builds 200 services × 10 clusters: every node, edge and position', () => {
    const { nodes, edges } = syntheticTopology(200, 10);
    const elements = topologyElements(nodes, edges);
    expect(elements.filter((e) => e.classes === 'cluster')).toHaveLength(10);
    expect(elements.filter((e) => e.group === 'nodes' && e.classes !== 'cluster')).toHaveLength(2000);
    expect(elements.filter((e) => e.group === 'edges')).toHaveLength(2000);
    const positions = new Set(
      elements.filter((e) => e.position).map((e) => `${e.position!.x},${e.position!.y}`),
    );
    expect(positions.size).toBe(2000);
  });
});

describe('visibleTopology', () => {
  it('draws everything up to the limit, beyond it the filtered services and the ends of the busiest calls', () => {
    const { nodes, edges } = syntheticTopology(200, 10);
    const small = visibleTopology(nodes.slice(0, 100), edges.slice(0, 100), '');
    expect(small.nodes).toHaveLength(100);
    expect(small.hidden).toBe(0);
    const large = visibleTopology(nodes, edges, 'svc-199');
    expect(large.nodes).toHaveLength(150);
    expect(large.hidden).toBe(1850);
    // every svc-199 (one per cluster) is kept first, the rest are the busiest
    expect(large.nodes.slice(0, 10).every((n) => n.service === 'svc-199')).toBe(true);
    // then the ends of the busiest calls: the graph shows traffic, not isolated dots
    expect(large.edges.length).toBeGreaterThan(50);
    const busiestEdge = [...edges].sort((a, b) => b.requestRate - a.requestRate)[0]!;
    expect(large.nodes.some((n) => n.id === busiestEdge.sourceId)).toBe(true);
    const kept = new Set(large.nodes.map((n) => n.id));
    expect(large.edges.every((e) => kept.has(e.sourceId) && kept.has(e.destinationId))).toBe(true);
  });
});
