import { eastShopState, OWNED, validateAgainstSchema } from './istio.test-fixtures';
import { renderClusterState } from './render-cluster-state';
import { RenderError } from './render-error';

const services = [
  {
    name: 'ledger',
    hostname: 'ledger.shop.lattice.local',
    ports: [{ name: 'pg', number: 5432, protocol: 'TCP' }],
    addresses: ['240.241.0.7'],
    endpoints: [
      {
        kind: 'LOCAL' as const,
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: 'ledger.shop.svc.cluster.local',
        network: 'net-east',
        weight: 3,
      },
    ],
  },
];

describe('the east-west Gateway and stable addresses', () => {
  it('renders the AUTO_PASSTHROUGH Gateway for the GNS domain on the configured pods', () => {
    const objects = renderClusterState(
      eastShopState({ services, eastWestGateway: { managed: true, selector: { app: 'ew-gw' } } }),
      new Map(),
    );
    const gateway = objects.find((object) => object.kind === 'Gateway');
    expect(gateway).toEqual({
      apiVersion: 'networking.istio.io/v1beta1',
      kind: 'Gateway',
      metadata: {
        name: expect.stringMatching(/^lattice-eastwest-shop-[0-9a-f]{8}$/),
        namespace: 'istio-system',
        labels: OWNED,
      },
      spec: {
        selector: { app: 'ew-gw' },
        servers: [
          {
            port: { number: 15443, name: 'tls-lattice', protocol: 'TLS' },
            tls: { mode: 'AUTO_PASSTHROUGH' },
            hosts: ['*.shop.lattice.local'],
          },
        ],
      },
    });
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
  });

  it('renders no Gateway when an existing one is used, or the controller did not say', () => {
    for (const gns of [
      { services, eastWestGateway: { managed: false, selector: { istio: 'eastwestgateway' } } },
      { services },
    ])
      expect(renderClusterState(eastShopState(gns), new Map()).map((object) => object.kind)).not.toContain(
        'Gateway',
      );
  });

  it('refuses an empty or malformed selector', () => {
    for (const selector of [{}, { 'bad key!': 'x' }] as Record<string, string>[])
      expect(() =>
        renderClusterState(
          eastShopState({ services, eastWestGateway: { managed: true, selector } }),
          new Map(),
        ),
      ).toThrow(RenderError);
  });

  it('puts the virtual address, network and weight into the ServiceEntry', () => {
    const objects = renderClusterState(eastShopState({ services }), new Map());
    const spec = objects.find((object) => object.kind === 'ServiceEntry')?.spec as {
      addresses: string[];
      endpoints: { network?: string; weight?: number; locality?: string }[];
    };
    expect(spec.addresses).toEqual(['240.241.0.7']);
    expect(spec.endpoints[0]).toMatchObject({ network: 'net-east', weight: 3 });
    expect(spec.endpoints[0]).not.toHaveProperty('locality');
  });
});
