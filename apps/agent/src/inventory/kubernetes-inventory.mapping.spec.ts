import {
  buildKubernetesInventory,
  type EndpointSliceView,
  meshProtocol,
} from './kubernetes-inventory.mapping';

function slice(
  service: string,
  endpoints: EndpointSliceView['endpoints'],
  ports: EndpointSliceView['ports'] = [],
): EndpointSliceView {
  return {
    metadata: { namespace: 'shop', labels: { 'kubernetes.io/service-name': service } },
    endpoints,
    ports,
  };
}

function podRef(name: string, ready?: boolean) {
  return {
    addresses: [`10.0.0.${name.length}`],
    conditions: ready === undefined ? {} : { ready },
    targetRef: { kind: 'Pod', name, namespace: 'shop' },
  };
}

describe('buildKubernetesInventory', () => {
  it('maps namespaces and services, grouping endpoints by the pods app/version labels', () => {
    const inventory = buildKubernetesInventory(
      [{ metadata: { name: 'shop', labels: { team: 'web' } } }, { metadata: { name: 'default' } }],
      [
        {
          metadata: { name: 'cart', namespace: 'shop', labels: { app: 'cart' } },
          spec: {
            selector: { app: 'cart' },
            ports: [
              { name: 'http-web', port: 80, targetPort: 8080 },
              { name: 'grpc', port: 9090, targetPort: 'grpc-port' },
            ],
          },
        },
      ],
      [
        slice(
          'cart',
          [
            podRef('cart-v1-a'),
            podRef('cart-v1-b', false),
            podRef('cart-v2-a', true),
            podRef('unlabelled', true),
          ],
          [{ name: 'grpc', port: 9901 }],
        ),
        // The IPv6 slice of a dual-stack service lists the same pods again.
        slice('cart', [podRef('cart-v1-a')]),
      ],
      [
        {
          metadata: {
            name: 'cart-v1-a',
            namespace: 'shop',
            labels: { app: 'cart', version: 'v1', 'pod-template-hash': 'x' },
          },
        },
        { metadata: { name: 'cart-v1-b', namespace: 'shop', labels: { app: 'cart', version: 'v1' } } },
        { metadata: { name: 'cart-v2-a', namespace: 'shop', labels: { app: 'cart', version: 'v2' } } },
      ],
    );

    expect(inventory.namespaces).toEqual([
      { name: 'default', labels: {} },
      { name: 'shop', labels: { team: 'web' } },
    ]);
    expect(inventory.services).toEqual([
      {
        namespace: 'shop',
        name: 'cart',
        labels: { app: 'cart' },
        ports: [
          { name: 'http-web', port: 80, protocol: 'HTTP', targetPort: 8080 },
          { name: 'grpc', port: 9090, protocol: 'GRPC', targetPort: 9901 },
        ],
        endpointGroups: [
          { labels: { app: 'cart', version: 'v1' }, ready: 1, notReady: 1 },
          { labels: { app: 'cart', version: 'v2' }, ready: 1, notReady: 0 },
          { labels: {}, ready: 1, notReady: 0 },
        ],
        selector: { app: 'cart' },
      },
    ]);
  });

  it('skips ExternalName services, its own per-version Services and UDP ports', () => {
    const inventory = buildKubernetesInventory(
      [],
      [
        { metadata: { name: 'ext', namespace: 'shop' }, spec: { type: 'ExternalName' } },
        // A per-version Service Lattice rendered for a traffic split.
        {
          metadata: {
            name: 'lattice-dns-v2-1a2b3c4d',
            namespace: 'shop',
            labels: { 'app.kubernetes.io/managed-by': 'lattice' },
          },
          spec: { selector: { app: 'dns', version: 'v2' }, ports: [{ name: 'dns-tcp', port: 53 }] },
        },
        {
          metadata: { name: 'dns', namespace: 'shop' },
          spec: {
            ports: [
              { name: 'dns', port: 53, protocol: 'UDP' },
              { name: 'dns-tcp', port: 53, protocol: 'TCP' },
            ],
          },
        },
      ],
      [],
      [],
    );
    expect(inventory.services).toEqual([
      {
        namespace: 'shop',
        name: 'dns',
        labels: {},
        ports: [{ name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
        endpointGroups: [],
        // A Service without a selector (its endpoints managed by hand) cannot be split by version.
        selector: {},
      },
    ]);
  });
});

describe('meshProtocol', () => {
  it.each([
    [{ name: 'web', appProtocol: 'http' }, 'HTTP'],
    [{ name: 'http2-api' }, 'HTTP2'],
    [{ name: 'x', appProtocol: 'kubernetes.io/h2c' }, 'HTTP2'],
    [{ name: 'https' }, 'TLS'],
    [{ name: 'grpc-web' }, 'GRPC'],
    [{ name: 'metrics' }, 'TCP'],
    [{}, 'TCP'],
    [{ name: 'http', protocol: 'SCTP' }, undefined],
  ])('%j -> %s', (port, expected) => {
    expect(meshProtocol(port)).toBe(expected);
  });
});
