import { parseDesiredClusterState } from './desired-state.schema';

function payload(gnsExtra: Record<string, unknown>): string {
  return JSON.stringify({
    clusterId: 'c-east',
    clusterName: 'east',
    globalNamespaces: [
      {
        id: 'g-shop',
        name: 'shop',
        domain: 'shop.lattice.local',
        mtlsMode: 'STRICT',
        localNamespaces: ['shop'],
        services: [],
        ...gnsExtra,
      },
    ],
  });
}

const trafficPolicy = {
  service: 'cart',
  subsets: [{ name: 'v2', labels: { version: 'v2' } }],
  routes: [
    {
      name: 'route-0',
      destinations: [{ subset: 'v2', weight: 100 }],
      timeout: '5s',
      retries: { attempts: 2, perTryTimeout: '500ms' },
    },
  ],
  outlierDetection: {
    consecutiveErrors: 5,
    interval: '10s',
    baseEjectionTime: '30s',
    maxEjectionPercent: 50,
  },
  failover: ['west'],
};
const securityPolicy = {
  defaultAction: 'DENY',
  services: [{ service: 'cart', workloadLabels: { app: 'cart' } }],
  rules: [
    {
      name: 'r',
      action: 'ALLOW',
      to: 'cart',
      fromPrincipals: ['shop.lattice.local/ns/shop/sa/frontend'],
      methods: ['GET'],
    },
  ],
};

describe('snapshot payload policies', () => {
  it('keeps traffic and security policies for rendering', () => {
    const state = parseDesiredClusterState(payload({ trafficPolicies: [trafficPolicy], securityPolicy }));
    expect(state.globalNamespaces[0].trafficPolicies).toEqual([trafficPolicy]);
    expect(state.globalNamespaces[0].securityPolicy).toEqual(securityPolicy);
  });

  it('keeps the per-version Service of a split endpoint, and refuses a bad one', () => {
    const endpoint = {
      kind: 'LOCAL',
      clusterId: 'c-east',
      clusterName: 'east',
      namespace: 'shop',
      address: 'cart.shop.svc.cluster.local',
      labels: { app: 'cart', version: 'v2' },
      versionService: {
        subset: 'v2',
        selector: { app: 'cart', version: 'v2' },
        ports: [{ number: 80, targetPort: 8080 }],
      },
    };
    const services = (local: object) => [
      {
        name: 'cart',
        hostname: 'cart.shop.lattice.local',
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        endpoints: [local],
      },
    ];
    const state = parseDesiredClusterState(payload({ services: services(endpoint) }));
    expect(state.globalNamespaces[0].services[0].endpoints[0]).toEqual(endpoint);
    const badPort = { ...endpoint.versionService, ports: [{ number: 80, targetPort: 0 }] };
    expect(() =>
      parseDesiredClusterState(payload({ services: services({ ...endpoint, versionService: badPort }) })),
    ).toThrow(/globalNamespaces\.0\.services\.0\.endpoints\.0\.versionService\.ports\.0\.targetPort/);
  });

  it('accepts a payload without policies (older controllers)', () => {
    expect(parseDesiredClusterState(payload({})).globalNamespaces[0].trafficPolicies).toBeUndefined();
  });

  it('refuses a policy it could not render, naming the field', () => {
    const bad = { ...trafficPolicy, routes: [{ ...trafficPolicy.routes[0], timeout: 'soon' }] };
    expect(() => parseDesiredClusterState(payload({ trafficPolicies: [bad] }))).toThrow(
      'payload does not match DesiredClusterState: globalNamespaces.0.trafficPolicies.0.routes.0.timeout: must be a duration like "250ms" or "5s"',
    );
    const noSelector = { ...securityPolicy, services: [{ service: 'cart', workloadLabels: {} }] };
    expect(() => parseDesiredClusterState(payload({ securityPolicy: noSelector }))).toThrow(
      /securityPolicy.services.0.workloadLabels/,
    );
  });
});
