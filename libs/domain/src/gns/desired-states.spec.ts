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

  it('shares each remote endpoint object between the states that list it (serialized once per recomputation)', () => {
    const north = cluster('c-north', 'north', [service('shop', 'cart', [http(80)])], {
      eastWestAddress: '203.0.113.30',
    });
    const states = statesFor([east, west, north]);
    const remoteOf = (clusterId: string, remote: string) =>
      states
        .get(clusterId)!
        .globalNamespaces[0]!.services.find((candidate) => candidate.name === 'cart')!
        .endpoints.find((endpoint) => endpoint.clusterId === remote && endpoint.kind === 'REMOTE');
    expect(remoteOf('c-east', 'c-west')).toBeDefined();
    expect(remoteOf('c-east', 'c-west')).toBe(remoteOf('c-north', 'c-west'));
    expect(remoteOf('c-west', 'c-east')).toBe(remoteOf('c-north', 'c-east'));
    expect(remoteOf('c-west', 'c-west')).toBeUndefined();
  });

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
          eastWestGateway: { managed: true, selector: { istio: 'eastwestgateway' } },
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
                  weight: 1,
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
                  weight: 1,
                },
                {
                  kind: 'REMOTE',
                  clusterId: 'c-west',
                  clusterName: 'west',
                  namespace: 'shop',
                  address: 'gw.west.example.com',
                  port: EAST_WEST_GATEWAY_PORT,
                  weight: 1,
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
        weight: 1,
      },
      {
        kind: 'REMOTE',
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: '203.0.113.10',
        port: 15443,
        weight: 1,
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

  it('carries network, locality and ready-pod weights on every endpoint, and the cluster its own', () => {
    const placedEast = cluster('c-east', 'east', [service('shop', 'cart', [http(80)], 3)], {
      eastWestAddress: '203.0.113.10',
      network: 'net-east',
      locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
    });
    const placedWest = cluster(
      'c-west',
      'west',
      [service('shop', 'cart', [http(80)], 2), service('shop-2', 'cart', [http(80)], 4)],
      { eastWestAddress: '203.0.113.20', network: 'net-west', locality: { region: 'us-east-1' } },
    );
    const states = statesFor([placedEast, placedWest]);
    const east = states.get('c-east');
    expect(east).toMatchObject({
      network: 'net-east',
      locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
    });
    expect(east?.globalNamespaces[0].services[0].endpoints).toEqual([
      expect.objectContaining({
        kind: 'LOCAL',
        network: 'net-east',
        locality: 'eu-west-1/eu-west-1a/east',
        weight: 3,
      }),
      // One endpoint for the remote cluster, weighted by all its ready pods of the service.
      expect.objectContaining({
        kind: 'REMOTE',
        address: '203.0.113.20',
        network: 'net-west',
        locality: 'us-east-1//west',
        weight: 6,
      }),
    ]);
  });

  it('leaves out network and locality when unknown, and gives no-ready-pod endpoints weight 1', () => {
    const cold = cluster('c-cold', 'cold', [service('shop', 'cart', [http(80)], 0)], {
      locality: { zone: 'z-only' },
    });
    const [endpoint] = statesFor([cold]).get('c-cold')?.globalNamespaces[0].services[0].endpoints ?? [];
    expect(endpoint).not.toHaveProperty('network');
    expect(endpoint).not.toHaveProperty('locality');
    expect(endpoint.weight).toBe(1);
    expect(statesFor([cold]).get('c-cold')?.locality).toEqual({ zone: 'z-only' });
  });

  it('gives services with a virtual address their address and names the configured east-west gateway', () => {
    const tcp = cluster('c-db', 'db', [
      service('shop', 'ledger', [{ name: 'pg', port: 5432, protocol: 'TCP', targetPort: 5432 }]),
    ]);
    const custom = { ...tcp, eastWestGateway: { managed: false, selector: { app: 'ew' } } };
    const states = buildDesiredStates(
      computeMembership([shop], [custom]),
      [custom],
      undefined,
      new Map([['g-shop', new Map([['ledger', '240.241.0.1']])]]),
    );
    const gnsState = states.get('c-db')?.globalNamespaces[0];
    expect(gnsState?.services[0].addresses).toEqual(['240.241.0.1']);
    expect(gnsState?.eastWestGateway).toEqual({ managed: false, selector: { app: 'ew' } });
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
        weight: 1,
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
        weight: 2, // both namespaces' ready pods
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
