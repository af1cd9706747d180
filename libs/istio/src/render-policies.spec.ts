import type {
  DesiredClusterState,
  DesiredGlobalNamespace,
  DesiredSecurityPolicy,
  DesiredTrafficPolicy,
} from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { eastShopState, OWNED, validateAgainstSchema } from './istio.test-fixtures';
import { renderClusterState } from './render-cluster-state';

const OUTLIER = { consecutiveErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 };

/** East's view: cart v1 here and v2 in west (labels as withPolicies sets them), payments only here. */
function eastState(gns: Partial<DesiredGlobalNamespace>): DesiredClusterState {
  return eastShopState({
    services: [
      {
        name: 'cart',
        hostname: 'cart.shop.lattice.local',
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        endpoints: [
          {
            kind: 'LOCAL',
            clusterId: 'c-east',
            clusterName: 'east',
            namespace: 'shop',
            address: 'cart.shop.svc.cluster.local',
            labels: { app: 'cart', version: 'v1' },
          },
          {
            kind: 'REMOTE',
            clusterId: 'c-west',
            clusterName: 'west',
            namespace: 'shop',
            address: '203.0.113.20',
            port: 15443,
            labels: { app: 'cart', version: 'v2' },
          },
          {
            kind: 'REMOTE',
            clusterId: 'c-north',
            clusterName: 'north',
            namespace: 'shop',
            address: '203.0.113.30',
            port: 15443,
          },
        ],
      },
      {
        name: 'payments',
        hostname: 'payments.shop.lattice.local',
        ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
        endpoints: [
          {
            kind: 'LOCAL',
            clusterId: 'c-east',
            clusterName: 'east',
            namespace: 'shop',
            address: 'payments.shop.svc.cluster.local',
          },
        ],
      },
    ],
    ...gns,
  });
}

const canary: DesiredTrafficPolicy = {
  service: 'cart',
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      name: 'beta-testers',
      match: [
        { headers: { 'x-user-group': { exact: 'beta' } } },
        { path: { prefix: '/v2/' }, method: 'GET' },
      ],
      destinations: [{ subset: 'v2', weight: 100 }],
      fault: { abort: { httpStatus: 503, percentage: 1.5 } },
    },
    {
      name: 'route-1',
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
      timeout: '5s',
      retries: { attempts: 3, perTryTimeout: '2s', retryOn: ['5xx', 'connect-failure'] },
      fault: { delay: { fixedDelay: '250ms', percentage: 10 } },
    },
  ],
  connectionPool: {
    tcp: { maxConnections: 100, connectTimeout: '1s' },
    http: { http1MaxPendingRequests: 10 },
  },
  outlierDetection: OUTLIER,
  failover: ['north', 'west'],
};

const byKind = (objects: KubeObject[], kind: string) => objects.filter((object) => object.kind === kind);

describe('rendering traffic policies', () => {
  const objects = renderClusterState(eastState({ trafficPolicies: [canary] }), new Map());
  const cartOnly = (kind: string) =>
    byKind(objects, kind).find(
      (object) =>
        (object.spec as { host?: string; hosts?: string[] }).host === 'cart.shop.lattice.local' ||
        (object.spec as { hosts?: string[] }).hosts?.[0] === 'cart.shop.lattice.local',
    ) as KubeObject;

  it('passes the Istio schemas (which do catch a wrong type)', () => {
    for (const object of objects) validateAgainstSchema(object);
    const broken = structuredClone(cartOnly('VirtualService'));
    (broken.spec as { http: { route: { weight: unknown }[] }[] }).http[0].route[0].weight = 'ninety';
    expect(() => validateAgainstSchema(broken)).toThrow();
  });

  it('renders a VirtualService with matches, weights, timeouts, retries and faults (golden)', () => {
    const virtualService = cartOnly('VirtualService');
    expect(virtualService.metadata).toEqual({
      name: expect.stringMatching(/^lattice-shop-cart-[0-9a-f]{8}$/),
      namespace: 'istio-system',
      labels: OWNED,
    });
    expect(virtualService.spec).toEqual({
      hosts: ['cart.shop.lattice.local'],
      exportTo: ['*'],
      http: [
        {
          name: 'beta-testers',
          match: [
            { headers: { 'x-user-group': { exact: 'beta' } } },
            { uri: { prefix: '/v2/' }, method: { exact: 'GET' } },
          ],
          route: [{ destination: { host: 'cart.shop.lattice.local', subset: 'v2' }, weight: 100 }],
          fault: { abort: { httpStatus: 503, percentage: { value: 1.5 } } },
        },
        {
          name: 'route-1',
          route: [
            { destination: { host: 'cart.shop.lattice.local', subset: 'v1' }, weight: 90 },
            { destination: { host: 'cart.shop.lattice.local', subset: 'v2' }, weight: 10 },
          ],
          timeout: '5s',
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,connect-failure' },
          fault: { delay: { fixedDelay: '250ms', percentage: { value: 10 } } },
        },
      ],
    });
    // Same name as the ServiceEntry and DestinationRule of the host: one set of objects per host.
    expect(virtualService.metadata.name).toBe(cartOnly('ServiceEntry').metadata.name);
  });

  it('merges subsets, circuit breaking and failover into the one DestinationRule of the host (golden)', () => {
    expect(byKind(objects, 'DestinationRule')).toHaveLength(2);
    expect(cartOnly('DestinationRule').spec).toEqual({
      host: 'cart.shop.lattice.local',
      exportTo: ['*'],
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        portLevelSettings: [
          {
            port: { number: 80 },
            tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.80_._.cart.shop.lattice.local' },
          },
        ],
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: '1s' },
          http: { http1MaxPendingRequests: 10 },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          interval: '10s',
          baseEjectionTime: '30s',
          maxEjectionPercent: 50,
        },
        loadBalancer: {
          localityLbSetting: {
            enabled: true,
            failoverPriority: [
              'lattice.io/failover-1=y',
              'lattice.io/failover-2=y',
              'lattice.io/failover-3=y',
            ],
          },
        },
      },
      subsets: [
        {
          name: 'v1',
          labels: { version: 'v1' },
          trafficPolicy: {
            tls: { mode: 'ISTIO_MUTUAL' },
            portLevelSettings: [
              {
                port: { number: 80 },
                tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.80_.v1_.cart.shop.lattice.local' },
              },
            ],
          },
        },
        {
          name: 'v2',
          labels: { version: 'v2' },
          trafficPolicy: {
            tls: { mode: 'ISTIO_MUTUAL' },
            portLevelSettings: [
              {
                port: { number: 80 },
                tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.80_.v2_.cart.shop.lattice.local' },
              },
            ],
          },
        },
      ],
    });
  });

  it('ranks ServiceEntry endpoints for failover: own cluster, then the policy order', () => {
    const endpoints = (
      cartOnly('ServiceEntry').spec as { endpoints: { address: string; labels: Record<string, string> }[] }
    ).endpoints;
    expect(endpoints.map((endpoint) => endpoint.labels)).toEqual([
      {
        app: 'cart',
        version: 'v1',
        'lattice.io/failover-1': 'y',
        'lattice.io/failover-2': 'y',
        'lattice.io/failover-3': 'y',
        'lattice.io/endpoint-cluster': 'east',
      },
      { app: 'cart', version: 'v2', 'lattice.io/failover-1': 'y', 'lattice.io/endpoint-cluster': 'west' },
      { 'lattice.io/failover-1': 'y', 'lattice.io/failover-2': 'y', 'lattice.io/endpoint-cluster': 'north' },
    ]);
  });

  it('leaves services without a policy as they were, and renders no VirtualService without routes', () => {
    const plain = renderClusterState(eastState({}), new Map());
    const dr = renderClusterState(
      eastState({
        trafficPolicies: [{ service: 'payments', subsets: [], routes: [], outlierDetection: OUTLIER }],
      }),
      new Map(),
    );
    expect(byKind(dr, 'VirtualService')).toEqual([]);
    const payments = (list: KubeObject[]) =>
      byKind(list, 'DestinationRule').find((object) =>
        (object.spec as { host: string }).host.startsWith('payments'),
      ) as KubeObject;
    expect(payments(dr).spec).toEqual({
      ...(payments(plain).spec as object),
      trafficPolicy: {
        ...(payments(plain).spec as { trafficPolicy: object }).trafficPolicy,
        outlierDetection: expect.any(Object),
      },
    });
    expect(byKind(plain, 'VirtualService')).toEqual([]);
    expect(byKind(plain, 'AuthorizationPolicy')).toEqual([]);
  });

  it('applies VirtualServices after the DestinationRules whose subsets they use', () => {
    const kinds = objects.map((object) => object.kind);
    expect(kinds.lastIndexOf('DestinationRule')).toBeLessThan(kinds.indexOf('VirtualService'));
  });
});

describe('rendering security policies', () => {
  const security: DesiredSecurityPolicy = {
    defaultAction: 'DENY',
    services: [
      { service: 'payments', mtlsMode: 'PERMISSIVE', workloadLabels: { app: 'payments' } },
      { service: 'cart', workloadLabels: { app: 'cart' } },
    ],
    rules: [
      {
        name: 'cart-pays',
        action: 'ALLOW',
        to: 'payments',
        fromPrincipals: ['shop.lattice.local/ns/shop/sa/cart'],
        methods: ['POST'],
        paths: ['/charge'],
      },
      {
        name: 'no-cart-admin',
        action: 'DENY',
        to: 'payments',
        fromPrincipals: ['shop.lattice.local/ns/shop/sa/cart'],
        paths: ['/admin/*'],
      },
      { name: 'callers-left', action: 'ALLOW', to: 'cart', fromPrincipals: [] },
    ],
  };
  const objects = renderClusterState(eastState({ securityPolicy: security }), new Map());
  const named = (kind: string, pattern: RegExp) =>
    byKind(objects, kind).filter((object) => pattern.test(object.metadata.name));

  it('passes the Istio schemas', () => {
    for (const object of objects) validateAgainstSchema(object);
  });

  it('applies the allow-nothing policy after the ALLOW policies of its namespace', () => {
    const names = byKind(objects, 'AuthorizationPolicy').map((object) => object.metadata.name);
    expect(names[names.length - 1]).toMatch(/allow-nothing/);
  });

  it('renders default DENY as an allow-nothing policy per member namespace', () => {
    expect(named('AuthorizationPolicy', /allow-nothing/)).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'AuthorizationPolicy',
        metadata: {
          name: expect.stringMatching(/^lattice-shop-allow-nothing-[0-9a-f]{8}$/),
          namespace: 'shop',
          labels: OWNED,
        },
        spec: { action: 'ALLOW' },
      },
    ]);
  });

  it('renders ALLOW and DENY rules from SPIFFE principals on the target workloads (golden)', () => {
    expect(named('AuthorizationPolicy', /payments-allow/)[0].spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      action: 'ALLOW',
      rules: [
        {
          from: [{ source: { principals: ['shop.lattice.local/ns/shop/sa/cart'] } }],
          to: [{ operation: { methods: ['POST'], paths: ['/charge'] } }],
        },
      ],
    });
    expect(named('AuthorizationPolicy', /payments-deny/)[0].spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      action: 'DENY',
      rules: [
        {
          from: [{ source: { principals: ['shop.lattice.local/ns/shop/sa/cart'] } }],
          to: [{ operation: { paths: ['/admin/*'] } }],
        },
      ],
    });
  });

  it('fails closed: an ALLOW policy whose callers all left admits nobody', () => {
    expect(named('AuthorizationPolicy', /cart-allow/)[0].spec).toEqual({
      selector: { matchLabels: { app: 'cart' } },
      action: 'ALLOW',
    });
  });

  it('overrides the GNS mTLS mode per service with a selector; an unchanged mode renders nothing extra', () => {
    const peer = byKind(objects, 'PeerAuthentication');
    expect(peer.map((object) => object.spec)).toEqual([
      { mtls: { mode: 'STRICT' } },
      { selector: { matchLabels: { app: 'payments' } }, mtls: { mode: 'PERMISSIVE' } },
    ]);
  });

  it('puts server-side policies only where the target runs here', () => {
    const services = eastState({}).globalNamespaces[0].services.filter(
      (service) => service.name !== 'payments',
    );
    const withoutPayments = renderClusterState(eastState({ securityPolicy: security, services }), new Map());
    expect(byKind(withoutPayments, 'AuthorizationPolicy').map((object) => object.metadata.name)).toEqual([
      expect.stringMatching(/^lattice-shop-cart-allow-/),
      expect.stringMatching(/^lattice-shop-allow-nothing-/),
    ]);
  });
});
