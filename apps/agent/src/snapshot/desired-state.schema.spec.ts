import { parseDesiredClusterState } from './desired-state.schema';

const state = (service: Record<string, unknown>, gns: Record<string, unknown> = {}) =>
  JSON.stringify({
    clusterId: 'c-east',
    clusterName: 'east',
    network: 'net-east',
    locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
    globalNamespaces: [
      {
        id: 'g',
        name: 'shop',
        domain: 'shop.lattice.local',
        mtlsMode: 'STRICT',
        localNamespaces: ['shop'],
        services: [
          {
            name: 'ledger',
            hostname: 'ledger.shop.lattice.local',
            ports: [{ name: 'pg', number: 5432, protocol: 'TCP' }],
            endpoints: [
              {
                kind: 'REMOTE',
                clusterId: 'c-west',
                clusterName: 'west',
                namespace: 'shop',
                address: '192.0.2.2',
                port: 15443,
                network: 'net-west',
                locality: 'us-east-1//west',
                weight: 3,
              },
            ],
            ...service,
          },
        ],
        eastWestGateway: { managed: true, selector: { istio: 'eastwestgateway' } },
        ...gns,
      },
    ],
  });

describe('snapshot payload: the data-plane fields', () => {
  it('keeps network, locality, weights, addresses and the east-west gateway', () => {
    const parsed = parseDesiredClusterState(state({ addresses: ['240.241.0.1'] }));
    expect(parsed).toMatchObject({
      network: 'net-east',
      locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
    });
    const gns = parsed.globalNamespaces[0]!;
    expect(gns.eastWestGateway).toEqual({ managed: true, selector: { istio: 'eastwestgateway' } });
    expect(gns.services[0]).toMatchObject({
      addresses: ['240.241.0.1'],
      endpoints: [{ network: 'net-west', locality: 'us-east-1//west', weight: 3 }],
    });
  });

  it('refuses a bad address or weight, naming the field', () => {
    expect(() => parseDesiredClusterState(state({ addresses: ['not-an-ip'] }))).toThrow(
      /globalNamespaces\.0\.services\.0\.addresses\.0/,
    );
    expect(() =>
      parseDesiredClusterState(
        state({
          endpoints: [
            {
              kind: 'LOCAL',
              clusterId: 'c',
              clusterName: 'c',
              namespace: 's',
              address: 'a.s.svc',
              weight: 0,
            },
          ],
        }),
      ),
    ).toThrow(/endpoints\.0\.weight/);
  });

  it('accepts a payload of an older controller without any of them', () => {
    const old = JSON.parse(state({})) as {
      network?: string;
      locality?: unknown;
      globalNamespaces: Record<string, unknown>[];
    };
    delete old.network;
    delete old.locality;
    delete old.globalNamespaces[0]!.eastWestGateway;
    expect(parseDesiredClusterState(JSON.stringify(old)).globalNamespaces[0]).not.toHaveProperty(
      'eastWestGateway',
    );
  });
});
