import {
  computeMembership,
  type ClusterWithInventory,
  type GnsPolicies,
  type InventoryService,
  type TrafficPolicySpec,
} from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { diffObjects, previewPolicies } from './policy-preview';

function versioned(name: string, versions: string[]): InventoryService {
  return {
    namespace: 'shop',
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
    endpointGroups: versions.map((version) => ({ labels: { app: name, version }, ready: 1, notReady: 0 })),
    selector: { app: name },
  };
}

function cluster(
  id: string,
  name: string,
  namespace: string,
  services: InventoryService[],
): ClusterWithInventory {
  return {
    id,
    name,
    eastWestAddress: `${name}.gw.example.com`,
    network: null,
    locality: null,
    inventory: { namespaces: [{ name: namespace, labels: {} }], services },
  };
}

/** GNS g-shop over namespace shop: cart v1 in west, v2 in east; "other" holds no shop namespace. */
function shop() {
  const clusters = [
    cluster('c-west', 'west', 'shop', [versioned('cart', ['v1'])]),
    cluster('c-other', 'other', 'ops', []),
    cluster('c-east', 'east', 'shop', [versioned('cart', ['v2']), versioned('frontend', ['v1'])]),
  ];
  const membership = computeMembership(
    [
      {
        id: 'g-shop',
        name: 'shop',
        domain: 'shop.lattice.local',
        mtlsMode: 'STRICT',
        matchConditions: [
          { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
        createdAt: new Date('2024-01-01T00:00:00Z'),
      },
    ],
    clusters,
  );
  return { clusters, membership };
}

const canary: TrafficPolicySpec = {
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      name: 'route-0',
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
};

const none: GnsPolicies = { trafficPolicies: new Map() };

describe('previewPolicies', () => {
  it('shows each member cluster, by name, what a proposed canary adds and changes', () => {
    const { clusters, membership } = shop();
    const preview = previewPolicies({
      gnsId: 'g-shop',
      membership,
      clusters,
      stored: new Map(),
      proposed: { trafficPolicies: new Map([['cart', canary]]) },
    });
    expect(preview.map((cluster) => cluster.clusterName)).toEqual(['east', 'west']);
    for (const cluster of preview) {
      expect(cluster.error).toBeUndefined();
      expect(cluster.added).toContain('VirtualService/istio-system/' + virtualServiceName(cluster.objects));
      expect(cluster.changed.some((key) => key.startsWith('DestinationRule/'))).toBe(true);
      expect(cluster.removed).toEqual([]);
      expect(cluster.objects.every((object) => object.metadata.labels?.['lattice.io/gns'] === 'g-shop')).toBe(
        true,
      );
      expect(cluster.objects.some((object) => object.kind === 'Secret')).toBe(false);
    }
  });

  it('shows nothing changed when the proposal equals what is stored', () => {
    const { clusters, membership } = shop();
    const stored = new Map([['g-shop', { trafficPolicies: new Map([['cart', canary]]) }]]);
    const preview = previewPolicies({
      gnsId: 'g-shop',
      membership,
      clusters,
      stored,
      proposed: { trafficPolicies: new Map([['cart', canary]]) },
    });
    for (const cluster of preview) {
      expect({ added: cluster.added, changed: cluster.changed, removed: cluster.removed }).toEqual({
        added: [],
        changed: [],
        removed: [],
      });
      expect(cluster.objects.length).toBeGreaterThan(0);
    }
  });

  it('lists what removing the stored security policy takes away', () => {
    const { clusters, membership } = shop();
    const stored = new Map([
      [
        'g-shop',
        {
          trafficPolicies: new Map<string, TrafficPolicySpec>(),
          securityPolicy: { defaultAction: 'DENY' as const },
        },
      ],
    ]);
    const preview = previewPolicies({ gnsId: 'g-shop', membership, clusters, stored, proposed: none });
    for (const cluster of preview) {
      expect(cluster.removed).toEqual([
        expect.stringMatching(/^AuthorizationPolicy\/shop\/lattice-shop-allow-nothing-/),
      ]);
      expect(cluster.added).toEqual([]);
    }
  });

  it('previews nothing for a GNS without member clusters', () => {
    const { clusters, membership } = shop();
    expect(
      previewPolicies({ gnsId: 'g-unknown', membership, clusters, stored: new Map(), proposed: none }),
    ).toEqual([]);
  });
});

describe('diffObjects', () => {
  const object = (kind: string, name: string, spec: unknown): KubeObject => ({
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: 'shop' },
    spec,
  });

  it('tells added, changed and removed objects apart by key', () => {
    const now = [object('A', 'same', 1), object('B', 'edited', 1), object('C', 'gone', 1)];
    const next = [object('A', 'same', 1), object('B', 'edited', 2), object('D', 'new', 1)];
    expect(diffObjects(now, next)).toEqual({
      added: ['D/shop/new'],
      changed: ['B/shop/edited'],
      removed: ['C/shop/gone'],
    });
  });
});

function virtualServiceName(objects: KubeObject[]): string {
  return objects.find((object) => object.kind === 'VirtualService')?.metadata.name ?? '(none)';
}
