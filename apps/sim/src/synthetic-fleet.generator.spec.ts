import { generateSyntheticTraffic, validateSyntheticTrafficConfig } from '@lattice/agent';
import {
  BOOKINFO_NAMESPACE,
  clusterName,
  syntheticEdges,
  syntheticInventory,
} from './synthetic-fleet.generator';

const shape = { services: 4, extraNamespaces: 1, seed: 1 };

describe('syntheticInventory', () => {
  it('runs bookinfo in every cluster', () => {
    const inventory = syntheticInventory(0, shape);
    expect(inventory.namespaces.map((ns) => ns.name)).toEqual([BOOKINFO_NAMESPACE]);
    expect(inventory.services.map((svc) => svc.name)).toEqual([
      'productpage',
      'details',
      'reviews',
      'ratings',
    ]);
  });

  it('is deterministic per index and varies between clusters', () => {
    expect(syntheticInventory(7, shape)).toEqual(syntheticInventory(7, shape));
    const reviewVersions = [0, 1, 2].map((index) =>
      syntheticInventory(index, shape)
        .services.find((svc) => svc.name === 'reviews')
        ?.endpointGroups.map((group) => group.labels['version']),
    );
    expect(reviewVersions).toEqual([['v1'], ['v2', 'v3'], ['v1', 'v2', 'v3']]);
    expect(syntheticInventory(0, shape).namespaces[0]?.labels['zone']).toBe('zone-a');
    expect(syntheticInventory(1, shape).namespaces[0]?.labels['zone']).toBe('zone-b');
  });

  it('keeps every service on the same port everywhere (a fleet-wide GNS has no port conflicts)', () => {
    const ports = new Set(
      [0, 1, 2, 3, 4].flatMap((index) =>
        syntheticInventory(index, { services: 12, extraNamespaces: 3, seed: 9 }).services.map(
          (svc) => `${svc.namespace}/${svc.name}:${svc.ports.map((port) => port.port).join(',')}`,
        ),
      ),
    );
    expect(ports.size).toBe(12);
  });

  it('spreads extra services over the extra namespaces', () => {
    const inventory = syntheticInventory(0, { services: 10, extraNamespaces: 3, seed: 1 });
    expect(inventory.services).toHaveLength(10);
    expect(inventory.namespaces.map((ns) => ns.name)).toEqual(['app-1', 'app-2', 'app-3', 'bookinfo']);
    expect(inventory.services.filter((svc) => svc.namespace === 'app-1').map((svc) => svc.name)).toEqual([
      'svc-1',
      'svc-4',
    ]);
    for (const svc of inventory.services)
      for (const group of svc.endpointGroups) expect(group.ready).toBeGreaterThanOrEqual(1);
  });
});

describe('syntheticEdges', () => {
  it('has bookinfo call paths plus one edge per extra service, all valid traffic', () => {
    const edges = syntheticEdges(
      3,
      { services: 6, extraNamespaces: 2, seed: 1 },
      { requestsPerSecond: 10, seed: 1 },
    );
    expect(edges.map((edge) => `${edge.source.service}->${edge.destination.service}`)).toEqual([
      'productpage->details',
      'productpage->reviews',
      'reviews->ratings',
      'productpage->svc-1',
      'productpage->svc-2',
    ]);
    for (const edge of edges) {
      expect(edge.requestsPerSecond).toBeGreaterThanOrEqual(5);
      expect(edge.requestsPerSecond).toBeLessThanOrEqual(15);
    }
    expect(validateSyntheticTrafficConfig({ seed: 1, fromUnixMs: 0, toUnixMs: 60_000, edges })).toEqual([]);
    expect(generateSyntheticTraffic({ seed: 1, fromUnixMs: 0, toUnixMs: 120_000, edges })).toHaveLength(10);
  });
});

describe('clusterName', () => {
  it('pads the index so names sort in fleet order', () => {
    expect(clusterName('sim-ab', 7)).toBe('sim-ab-00007');
  });
});
