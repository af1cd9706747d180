import type { DesiredCaMaterial } from '../desired-state';
import { buildDesiredStates, EAST_WEST_GATEWAY_PORT } from './desired-states';
import type { ClusterWithInventory } from './inventory';
import { computeMembership } from './membership';
import { anyCluster, cluster, gns, http, service } from './test-fixtures';

const shop = gns({
  id: 'g-shop',
  name: 'shop',
  mtlsMode: 'PERMISSIVE',
  matchConditions: [anyCluster({ type: 'PREFIX', value: 'shop' })],
});

function statesFor(clusters: ClusterWithInventory[], ca?: Map<string, Map<string, DesiredCaMaterial>>) {
  return buildDesiredStates(computeMembership([shop], clusters), clusters, ca);
}

describe('buildDesiredStates', () => {
  const east = cluster(
    'c-east',
    'east',
    [service('shop', 'cart', [http(80), { name: 'grpc', port: 9090, protocol: 'GRPC', targetPort: 9090 }])],
    {
      eastWestAddress: '203.0.113.10',
    },
  );
  const west = cluster(
    'c-west',
    'west',
    [
      service('shop', 'cart', [http(80), { name: 'grpc', port: 9090, protocol: 'GRPC', targetPort: 9090 }]),
      service('shop-admin', 'admin'),
    ],
    {
      eastWestAddress: 'gw.west.example.com',
    },
  );

  it('gives each cluster local endpoints for its own instances and remote gateway endpoints for the others', () => {
    const states = statesFor([east, west]);
    expect(states.get('c-east')).toEqual({
      clusterId: 'c-east',
      clusterName: 'east',
      globalNamespaces: [
        {
          id: 'g-shop',
          name: 'shop',
          domain: 'shop.lattice.local',
          mtlsMode: 'PERMISSIVE',
          localNamespaces: ['shop'],
          services: [
            {
              name: 'admin',
              hostname: 'admin.shop.lattice.local',
              ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
              endpoints: [
                {
                  kind: 'REMOTE',
                  clusterId: 'c-west',
                  clusterName: 'west',
                  namespace: 'shop-admin',
                  address: 'gw.west.example.com',
                  port: 15443,
                },
              ],
            },
            {
              name: 'cart',
              hostname: 'cart.shop.lattice.local',
              ports: [
                { name: 'http', number: 80, protocol: 'HTTP' },
                { name: 'grpc', number: 9090, protocol: 'GRPC' },
              ],
              endpoints: [
                {
                  kind: 'LOCAL',
                  clusterId: 'c-east',
                  clusterName: 'east',
                  namespace: 'shop',
                  address: 'cart.shop.svc.cluster.local',
                },
                {
                  kind: 'REMOTE',
                  clusterId: 'c-west',
                  clusterName: 'west',
                  namespace: 'shop',
                  address: 'gw.west.example.com',
                  port: EAST_WEST_GATEWAY_PORT,
                },
              ],
            },
          ],
        },
      ],
    });
    const westCart = states.get('c-west')?.globalNamespaces[0].services.find((svc) => svc.name === 'cart');
    expect(westCart?.endpoints).toEqual([
      {
        kind: 'LOCAL',
        clusterId: 'c-west',
        clusterName: 'west',
        namespace: 'shop',
        address: 'cart.shop.svc.cluster.local',
      },
      {
        kind: 'REMOTE',
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: '203.0.113.10',
        port: 15443,
      },
    ]);
    expect(states.get('c-west')?.globalNamespaces[0].localNamespaces).toEqual(['shop', 'shop-admin']);
  });

  it('gives a cluster that is in no GNS an empty list, so a removed GNS gets cleaned up', () => {
    const outsider = cluster('c-out', 'outsider', [service('billing', 'ledger')]);
    const states = statesFor([east, outsider]);
    expect(states.get('c-out')).toEqual({
      clusterId: 'c-out',
      clusterName: 'outsider',
      globalNamespaces: [],
    });

    const afterDelete = buildDesiredStates(computeMembership([], [east, outsider]), [east, outsider]);
    expect([...afterDelete.values()].map((state) => state.globalNamespaces)).toEqual([[], []]);
  });

  it("tells the agent about the cluster's cacerts take-over option, and only when it is set", () => {
    const states = statesFor([
      { ...east, takeOverMeshCa: true },
      { ...west, takeOverMeshCa: false },
    ]);
    expect(states.get('c-east')?.takeOverMeshCa).toBe(true);
    expect(states.get('c-west')).not.toHaveProperty('takeOverMeshCa');
  });

  it('gives a member cluster without instances the remote endpoints', () => {
    const clientOnly = cluster('c-client', 'client', [], { extraNamespaces: ['shop-frontend'] });
    const state = statesFor([east, clientOnly]).get('c-client');
    expect(state?.globalNamespaces[0].localNamespaces).toEqual(['shop-frontend']);
    expect(state?.globalNamespaces[0].services[0].endpoints).toEqual([
      {
        kind: 'REMOTE',
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: '203.0.113.10',
        port: 15443,
      },
    ]);
  });

  it('has one remote endpoint per remote cluster, however many of its namespaces run the service', () => {
    const twoNamespaces = cluster('c-b', 'b', [service('shop-1', 'cart'), service('shop-2', 'cart')]);
    const viewer = cluster('c-a', 'a', [], { extraNamespaces: ['shop'] });
    const cart = statesFor([twoNamespaces, viewer]).get('c-a')?.globalNamespaces[0].services[0];
    expect(cart?.endpoints).toEqual([
      {
        kind: 'REMOTE',
        clusterId: 'c-b',
        clusterName: 'b',
        namespace: 'shop-1',
        address: 'b.gw.example.com',
        port: 15443,
      },
    ]);
    // In its own cluster both namespaces are local endpoints.
    const local = statesFor([twoNamespaces, viewer]).get('c-b')?.globalNamespaces[0].services[0].endpoints;
    expect(local?.map((endpoint) => endpoint.address)).toEqual([
      'cart.shop-1.svc.cluster.local',
      'cart.shop-2.svc.cluster.local',
    ]);
  });

  it('skips remote clusters without a gateway address, and services reachable nowhere', () => {
    const hidden = cluster('c-hidden', 'hidden', [service('shop', 'cart'), service('shop', 'secret')], {
      eastWestAddress: null,
    });
    const visible = cluster('c-visible', 'visible', [service('shop', 'cart')]);
    const services = statesFor([hidden, visible]).get('c-visible')?.globalNamespaces[0].services;
    expect(services?.map((svc) => [svc.name, svc.endpoints.map((endpoint) => endpoint.kind)])).toEqual([
      ['cart', ['LOCAL']],
    ]);
  });

  it('passes CA material through for the clusters that have it', () => {
    const material: DesiredCaMaterial = {
      certChainPem: 'chain',
      trustBundlePem: 'bundle',
      rootGeneration: 2,
    };
    const states = statesFor([east, west], new Map([['g-shop', new Map([['c-west', material]])]]));
    expect(states.get('c-west')?.globalNamespaces[0].ca).toEqual(material);
    expect(states.get('c-east')?.globalNamespaces[0]).not.toHaveProperty('ca');
  });

  it('does not depend on the order of its inputs', () => {
    const other = gns({
      id: 'g-other',
      name: 'other',
      matchConditions: [anyCluster({ type: 'EXACT', value: 'misc' })],
    });
    const clusters = [east, west, cluster('c-misc', 'misc', [service('misc', 'tool')])];
    const forward = buildDesiredStates(computeMembership([shop, other], clusters), clusters);
    const reversed = [...clusters].reverse();
    const backward = buildDesiredStates(computeMembership([other, shop], reversed), reversed);
    expect([...backward.entries()]).toEqual([...forward.entries()]);
  });
});
