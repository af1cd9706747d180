import {
  buildDesiredStates,
  CanonicalJsonMemo,
  changedClusterPayloads,
  computeMembership,
  type ClusterWithInventory,
  type GlobalNamespaceDefinition,
} from '@lattice/domain';
import { splitCanonicalState, splitSnapshotPayload } from './snapshot-resources.util';

function memberCluster(index: number): ClusterWithInventory {
  return {
    id: `00000000-0000-4000-8000-00000000000${index}`,
    name: `cluster-${index}`,
    eastWestAddress: `203.0.113.${index}`,
    network: null,
    locality: { region: 'eu', zone: `eu-${index}` },
    inventory: {
      namespaces: [{ name: 'shop', labels: {} }],
      services: ['cart', 'web'].map((name) => ({
        namespace: 'shop',
        name,
        labels: { app: name },
        ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
        endpointGroups: [{ labels: { version: 'v1' }, ready: index, notReady: 0 }],
      })),
    },
  };
}

describe('splitCanonicalState', () => {
  it('gives the resources of the stored payload, and one buffer per distinct resource across clusters', () => {
    const shop: GlobalNamespaceDefinition = {
      id: '00000000-0000-4000-8000-0000000000aa',
      name: 'shop',
      domain: 'shop.lattice.local',
      mtlsMode: 'STRICT',
      matchConditions: [
        { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
      ],
      createdAt: new Date('2024-01-01T00:00:00Z'),
    };
    const clusters = [1, 2, 3].map(memberCluster);
    const states = buildDesiredStates(computeMembership([shop], clusters), clusters);
    const memo = new CanonicalJsonMemo();
    const payloads = new Map<string, Buffer>();
    const split = [...changedClusterPayloads(new Map(), states, memo)].map((change) => ({
      fromState: splitCanonicalState(change.canonicalState, memo, payloads),
      fromPayload: splitSnapshotPayload(change.payload),
    }));
    expect(split).toHaveLength(3);
    for (const { fromState, fromPayload } of split) {
      expect(fromState).toEqual(fromPayload);
      expect(fromState.some((resource) => resource.name.includes('/endpoints/'))).toBe(true);
    }
    // Cluster 1's endpoints of cart, as clusters 2 and 3 see them: one buffer.
    const group = (resources: (typeof split)[number]['fromState']) =>
      resources.find((resource) => resource.name.endsWith(`/service/cart/endpoints/${clusters[0]!.id}`));
    expect(group(split[1]!.fromState)!.payload).toBe(group(split[2]!.fromState)!.payload);
    expect(group(split[0]!.fromState)!.hash).not.toBe(group(split[1]!.fromState)!.hash);
  });
});
