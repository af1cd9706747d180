import type { DesiredCaMaterial, DesiredClusterState, DesiredGlobalNamespace } from '@lattice/domain';
import { buildDesiredStates, computeMembership } from '@lattice/domain/gns';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-object';
import { objectKey, toYaml } from './manifest';
import { eastShopState, OWNED, validateAgainstSchema } from './istio.test-fixtures';
import { renderClusterState } from './render-cluster-state';
import { RenderError } from './render-error';

const pem = (label: string) => `-----BEGIN CERTIFICATE-----\nMII${label}\n-----END CERTIFICATE-----`;
const INTERMEDIATE = pem('intermediate');
const ROOT_1 = pem('root1');
const ROOT_2 = pem('root2');
const KEY = '-----BEGIN EC PRIVATE KEY-----\nMHcsecretkey\n-----END EC PRIVATE KEY-----\n';
const CA: DesiredCaMaterial = {
  certChainPem: `${INTERMEDIATE}\n${ROOT_2}\n`,
  trustBundlePem: `${ROOT_1}\n${ROOT_2}\n`,
  rootGeneration: 2,
};

/** The "east" cluster's view of a GNS spanning east and west: cart runs in both, payments only in west. */
function eastState(overrides: Partial<DesiredGlobalNamespace> = {}): DesiredClusterState {
  return eastShopState({
    services: [
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
            address: '203.0.113.20',
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
            kind: 'REMOTE',
            clusterId: 'c-west',
            clusterName: 'west',
            namespace: 'shop',
            address: '203.0.113.20',
            port: 15443,
          },
        ],
      },
    ],
    ...overrides,
  });
}

function decode(secret: KubeObject, key: string): string {
  const data = secret.data as Record<string, string>;
  return Buffer.from(data[key], 'base64').toString('utf8');
}

describe('renderClusterState', () => {
  it('renders a two-cluster GNS (golden)', () => {
    const objects = renderClusterState(eastState(), new Map());
    expect(objects).toEqual([
      {
        apiVersion: 'security.istio.io/v1beta1',
        kind: 'PeerAuthentication',
        metadata: { name: 'lattice-shop', namespace: 'shop', labels: OWNED },
        spec: { mtls: { mode: 'STRICT' } },
      },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'DestinationRule',
        metadata: {
          name: expect.stringMatching(/^lattice-shop-cart-[0-9a-f]{8}$/),
          namespace: 'istio-system',
          labels: OWNED,
        },
        spec: {
          host: 'cart.shop.lattice.local',
          exportTo: ['*'],
          trafficPolicy: {
            // Local first, then west (the default order), with the outlier detection failover needs.
            loadBalancer: {
              localityLbSetting: {
                enabled: true,
                failoverPriority: ['lattice.io/failover-1=y', 'lattice.io/failover-2=y'],
              },
            },
            outlierDetection: {
              consecutive5xxErrors: 5,
              interval: '10s',
              baseEjectionTime: '30s',
              maxEjectionPercent: 100,
            },
            tls: { mode: 'ISTIO_MUTUAL' },
            portLevelSettings: [
              {
                port: { number: 80 },
                tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.80_._.cart.shop.lattice.local' },
              },
              {
                port: { number: 9090 },
                tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.9090_._.cart.shop.lattice.local' },
              },
            ],
          },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'DestinationRule',
        metadata: {
          name: expect.stringMatching(/^lattice-shop-payments-[0-9a-f]{8}$/),
          namespace: 'istio-system',
          labels: OWNED,
        },
        spec: {
          host: 'payments.shop.lattice.local',
          exportTo: ['*'],
          trafficPolicy: {
            tls: { mode: 'ISTIO_MUTUAL' },
            portLevelSettings: [
              {
                port: { number: 8080 },
                tls: { mode: 'ISTIO_MUTUAL', sni: 'outbound_.8080_._.payments.shop.lattice.local' },
              },
            ],
          },
        },
      },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'ServiceEntry',
        metadata: {
          name: expect.stringMatching(/^lattice-shop-cart-[0-9a-f]{8}$/),
          namespace: 'istio-system',
          labels: OWNED,
        },
        spec: {
          hosts: ['cart.shop.lattice.local'],
          exportTo: ['*'],
          location: 'MESH_INTERNAL',
          resolution: 'DNS',
          ports: [
            { number: 80, name: 'http', protocol: 'HTTP' },
            { number: 9090, name: 'grpc', protocol: 'GRPC' },
          ],
          endpoints: [
            {
              address: 'cart.shop.svc.cluster.local',
              ports: { http: 80, grpc: 9090 },
              labels: {
                'lattice.io/endpoint-cluster': 'east',
                'lattice.io/failover-1': 'y',
                'lattice.io/failover-2': 'y',
              },
            },
            {
              address: '203.0.113.20',
              ports: { http: 15443, grpc: 15443 },
              labels: { 'lattice.io/endpoint-cluster': 'west', 'lattice.io/failover-1': 'y' },
            },
          ],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1beta1',
        kind: 'ServiceEntry',
        metadata: {
          name: expect.stringMatching(/^lattice-shop-payments-[0-9a-f]{8}$/),
          namespace: 'istio-system',
          labels: OWNED,
        },
        spec: {
          hosts: ['payments.shop.lattice.local'],
          exportTo: ['*'],
          location: 'MESH_INTERNAL',
          // Only a gateway IP: STATIC.
          resolution: 'STATIC',
          ports: [{ number: 8080, name: 'http', protocol: 'HTTP' }],
          endpoints: [
            {
              address: '203.0.113.20',
              ports: { http: 15443 },
              labels: { 'lattice.io/endpoint-cluster': 'west' },
            },
          ],
        },
      },
    ]);
    // A ServiceEntry and its DestinationRule share a name (they are different kinds).
    expect(objects[1].metadata.name).toBe(objects[3].metadata.name);
  });

  it('renders objects that pass the Istio schema', () => {
    const objects = renderClusterState(eastState({ ca: CA }), new Map([['g-shop', KEY]]));
    expect(objects.map((object) => object.kind)).toEqual([
      'Secret',
      'PeerAuthentication',
      'DestinationRule',
      'DestinationRule',
      'ServiceEntry',
      'ServiceEntry',
    ]);
    for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
  });

  it('would catch a malformed object (the schema check is not vacuous)', () => {
    const [, , , , serviceEntry] = renderClusterState(eastState(), new Map());
    const broken = {
      ...serviceEntry,
      spec: { ...(serviceEntry.spec as object), resolution: 'SOMETIMES', ports: [{ number: '80' }] },
    };
    expect(() => validateAgainstSchema(broken)).toThrow(/resolution|number/);
  });

  it('uses the GNS mTLS mode for the PeerAuthentication of every local namespace', () => {
    const permissive = renderClusterState(
      eastState({ mtlsMode: 'PERMISSIVE', localNamespaces: ['shop', 'shop-admin'] }),
      new Map(),
    );
    const peerAuthentications = permissive.filter((object) => object.kind === 'PeerAuthentication');
    expect(peerAuthentications.map((object) => [object.metadata.namespace, object.spec])).toEqual([
      ['shop', { mtls: { mode: 'PERMISSIVE' } }],
      ['shop-admin', { mtls: { mode: 'PERMISSIVE' } }],
    ]);
    const strict = renderClusterState(eastState({ mtlsMode: 'STRICT' }), new Map());
    expect(strict.find((object) => object.kind === 'PeerAuthentication')?.spec).toEqual({
      mtls: { mode: 'STRICT' },
    });
  });

  it('uses DNS resolution for a gateway known by hostname', () => {
    const state = eastState();
    state.globalNamespaces[0].services[1].endpoints = [
      {
        kind: 'REMOTE',
        clusterId: 'c-west',
        clusterName: 'west',
        namespace: 'shop',
        address: 'gw.west.example.com',
        port: 15443,
      },
      {
        kind: 'REMOTE',
        clusterId: 'c-north',
        clusterName: 'north',
        namespace: 'shop',
        address: '2001:db8::1',
        port: 15443,
      },
    ];
    const payments = renderClusterState(state, new Map()).find(
      (object) => object.kind === 'ServiceEntry' && object.metadata.name.includes('payments'),
    );
    expect((payments?.spec as { resolution: string }).resolution).toBe('DNS');
  });

  describe('CA secret', () => {
    it('is rendered with the plug-in CA layout when CA material and the key are there', () => {
      const objects = renderClusterState(eastState({ ca: CA }), new Map([['g-shop', KEY]]));
      const secret = objects[0];
      expect(secret).toEqual({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'lattice-cacerts-shop',
          namespace: 'istio-system',
          labels: OWNED,
          annotations: { 'lattice.io/root-generation': '2' },
        },
        type: 'Opaque',
        data: expect.any(Object),
      });
      expect(Object.keys(secret.data as object).sort()).toEqual([
        'ca-cert.pem',
        'ca-key.pem',
        'cert-chain.pem',
        'root-cert.pem',
      ]);
      expect(decode(secret, 'ca-cert.pem')).toBe(`${INTERMEDIATE}\n`);
      expect(decode(secret, 'ca-key.pem')).toBe(KEY);
      expect(decode(secret, 'cert-chain.pem')).toBe(`${INTERMEDIATE}\n${ROOT_2}\n`);
      expect(decode(secret, 'root-cert.pem')).toBe(`${ROOT_1}\n${ROOT_2}\n`);
    });

    it('is not rendered without the intermediate key (the agent requests a new intermediate)', () => {
      for (const keys of [
        new Map<string, string>(),
        new Map([['other-gns', KEY]]),
        new Map([['g-shop', '  ']]),
      ]) {
        const objects = renderClusterState(eastState({ ca: CA }), keys);
        expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
      }
    });

    it('is not rendered without CA material, even with a key', () => {
      const objects = renderClusterState(eastState(), new Map([['g-shop', KEY]]));
      expect(objects.some((object) => object.kind === 'Secret')).toBe(false);
    });

    it('puts the key nowhere else', () => {
      const objects = renderClusterState(eastState({ ca: CA }), new Map([['g-shop', KEY]]));
      const keyBase64 = Buffer.from(KEY).toString('base64');
      const carriers = objects.filter(
        (object) =>
          JSON.stringify(object).includes('secretkey') || JSON.stringify(object).includes(keyBase64),
      );
      expect(carriers.map(objectKey)).toEqual(['Secret/istio-system/lattice-cacerts-shop']);
      expect(toYaml(objects.slice(1))).not.toContain('secretkey');
    });

    it("renders istiod's cacerts from the designated GNS with the merged trust bundle", () => {
      const OTHER_ROOT = pem('other-gns-root');
      const state: DesiredClusterState = {
        ...eastState({ ca: CA }),
        meshCa: { gnsId: 'g-shop', trustBundlePem: `${ROOT_1}\n${ROOT_2}\n${OTHER_ROOT}\n` },
      };
      const objects = renderClusterState(state, new Map([['g-shop', KEY]]));
      const meshCa = objects.find((object) => object.metadata.name === 'cacerts');
      expect(meshCa?.metadata).toMatchObject({
        namespace: 'istio-system',
        labels: OWNED,
        annotations: { 'lattice.io/global-namespace': 'shop', 'lattice.io/root-generation': '2' },
      });
      expect(decode(meshCa!, 'ca-key.pem')).toBe(KEY);
      expect(decode(meshCa!, 'cert-chain.pem')).toBe(`${INTERMEDIATE}\n${ROOT_2}\n`);
      expect(decode(meshCa!, 'root-cert.pem')).toBe(`${ROOT_1}\n${ROOT_2}\n${OTHER_ROOT}\n`);
      // Without the key yet, neither Secret is rendered; a mesh CA naming a GNS without CA material is refused.
      expect(renderClusterState(state, new Map()).some((object) => object.kind === 'Secret')).toBe(false);
      expect(() =>
        renderClusterState({ ...state, meshCa: { ...state.meshCa!, gnsId: 'nope' } }, new Map()),
      ).toThrow(RenderError);
    });

    it('refuses a chain without its root, or an empty trust bundle', () => {
      const keys = new Map([['g-shop', KEY]]);
      expect(() =>
        renderClusterState(eastState({ ca: { ...CA, certChainPem: INTERMEDIATE } }), keys),
      ).toThrow(RenderError);
      expect(() => renderClusterState(eastState({ ca: { ...CA, trustBundlePem: '' } }), keys)).toThrow(
        /trust bundle/,
      );
    });
  });

  it('labels every object so the agent can find and prune its own', () => {
    for (const object of renderClusterState(eastState({ ca: CA }), new Map([['g-shop', KEY]]))) {
      expect(object.metadata.labels).toEqual(OWNED);
    }
  });

  it('keeps names DNS-1123 and within 63 characters, deterministically', () => {
    const longName = `shop-${'x'.repeat(58)}`;
    const longService = `checkout-${'y'.repeat(54)}`;
    const state = eastState({ name: longName, ca: CA });
    state.globalNamespaces[0].services[0] = {
      ...state.globalNamespaces[0].services[0],
      name: longService,
      hostname: `${longService}.shop.lattice.local`,
    };
    const first = renderClusterState(state, new Map([['g-shop', KEY]]));
    for (const object of first) {
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
    expect(renderClusterState(state, new Map([['g-shop', KEY]]))).toEqual(first);
  });

  it('gives different GNS services different names even when the readable parts collide', () => {
    const state = eastState({ name: 'a-b' });
    state.globalNamespaces[0].services = [
      { ...state.globalNamespaces[0].services[0], name: 'c', hostname: 'c.shop.lattice.local' },
    ];
    const other: DesiredGlobalNamespace = {
      ...state.globalNamespaces[0],
      id: 'g-other',
      name: 'a',
      domain: 'other.local',
      localNamespaces: [],
    };
    other.services = [{ ...other.services[0], name: 'b-c', hostname: 'b-c.other.local' }];
    state.globalNamespaces.push(other);
    const serviceEntries = renderClusterState(state, new Map()).filter(
      (object) => object.kind === 'ServiceEntry',
    );
    expect(serviceEntries).toHaveLength(2);
    expect(new Set(serviceEntries.map((object) => object.metadata.name)).size).toBe(2);
  });

  it('does not depend on the order of the desired state', () => {
    const state = eastState({ localNamespaces: ['shop', 'shop-admin'] });
    const reversed: DesiredClusterState = {
      ...state,
      globalNamespaces: state.globalNamespaces.map((gns) => ({
        ...gns,
        localNamespaces: [...gns.localNamespaces].reverse(),
        services: [...gns.services].reverse(),
      })),
    };
    expect(renderClusterState(reversed, new Map()).map(objectKey)).toEqual(
      renderClusterState(state, new Map()).map(objectKey),
    );
  });

  it('renders nothing for an empty state', () => {
    expect(
      renderClusterState({ clusterId: 'c-east', clusterName: 'east', globalNamespaces: [] }, new Map()),
    ).toEqual([]);
  });

  it('skips a service without endpoints rather than let the host resolve itself', () => {
    const state = eastState();
    state.globalNamespaces[0].services[1].endpoints = [];
    const hosts = renderClusterState(state, new Map())
      .filter((object) => object.kind === 'ServiceEntry')
      .map((object) => (object.spec as { hosts: string[] }).hosts[0]);
    expect(hosts).toEqual(['cart.shop.lattice.local']);
  });

  it('refuses a state that lists a service twice', () => {
    const state = eastState();
    state.globalNamespaces[0].services.push(state.globalNamespaces[0].services[0]);
    expect(() => renderClusterState(state, new Map())).toThrow(
      /ServiceEntry\/istio-system\/lattice-shop-cart-[0-9a-f]{8}/,
    );
  });

  it('refuses ids that cannot be label values', () => {
    expect(() => renderClusterState({ ...eastState(), clusterId: 'east cluster' }, new Map())).toThrow(
      /cluster id "east cluster"/,
    );
  });

  it('falls back to the cluster id for the topology label when the cluster name is not a label value', () => {
    const state = eastState();
    state.globalNamespaces[0].services[1].endpoints = [
      {
        kind: 'REMOTE',
        clusterId: 'c-west',
        clusterName: 'West Coast #1',
        namespace: 'shop',
        address: '203.0.113.20',
        port: 15443,
      },
    ];
    const payments = renderClusterState(state, new Map()).find(
      (object) => object.kind === 'ServiceEntry' && object.metadata.name.includes('payments'),
    );
    expect(
      (payments?.spec as { endpoints: { labels: Record<string, string> }[] }).endpoints[0].labels,
    ).toEqual({ 'lattice.io/endpoint-cluster': 'c-west' });
  });
});

describe('toYaml and objectKey', () => {
  it('writes one YAML document per object that parses back to the same objects', () => {
    const objects = renderClusterState(eastState({ ca: CA }), new Map([['g-shop', KEY]]));
    const yaml = toYaml(objects);
    const documents = parseAllDocuments(yaml);
    expect(Array.isArray(documents) ? documents.map((document) => document.toJS()) : []).toEqual(objects);
    expect(yaml.split('\n---\n')).toHaveLength(objects.length);
  });

  it('writes nothing for no objects', () => {
    expect(toYaml([])).toBe('');
  });

  it('keys objects as kind/namespace/name', () => {
    expect(
      objectKey({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'istio-system' } }),
    ).toBe('Secret/istio-system/s');
    expect(objectKey({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } })).toBe(
      'Namespace//shop',
    );
  });
});

describe('from inventory to Istio objects', () => {
  it('renders a GNS spanning two clusters consistently in both', () => {
    const clusters = ['east', 'west'].map((name, index) => ({
      id: `c-${name}`,
      name,
      eastWestAddress: `192.0.2.${index + 1}`,
      network: `net-${name}`,
      locality: { region: 'eu-west-1', zone: `eu-west-1${'ab'[index]}` },
      inventory: {
        namespaces: [{ name: 'shop', labels: {} }],
        services: [
          {
            namespace: 'shop',
            name: 'cart',
            labels: {},
            ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
            endpointGroups: [],
          },
        ],
      },
    }));
    const definition = {
      id: 'g-shop',
      name: 'shop',
      domain: 'shop.lattice.local',
      mtlsMode: 'STRICT' as const,
      matchConditions: [
        {
          cluster: { type: 'PREFIX' as const, value: 'e' },
          namespace: { type: 'EXACT' as const, value: 'shop' },
        },
        {
          cluster: { type: 'EXACT' as const, value: 'west' },
          namespace: { type: 'EXACT' as const, value: 'shop' },
        },
      ],
      createdAt: new Date('2024-01-01'),
    };
    const states = buildDesiredStates(computeMembership([definition], clusters), clusters);
    for (const [clusterId, state] of states) {
      const objects = renderClusterState(state, new Map());
      for (const object of objects) expect(() => validateAgainstSchema(object)).not.toThrow();
      const serviceEntry = objects.find((object) => object.kind === 'ServiceEntry');
      const otherGateway = clusterId === 'c-east' ? '192.0.2.2' : '192.0.2.1';
      const [here, there] = clusterId === 'c-east' ? ['east', 'west'] : ['west', 'east'];
      const zoneOf = (name: string) => (name === 'east' ? 'eu-west-1a' : 'eu-west-1b');
      expect((serviceEntry?.spec as { endpoints: unknown[] }).endpoints).toEqual([
        {
          address: 'cart.shop.svc.cluster.local',
          ports: { http: 80 },
          labels: {
            'lattice.io/endpoint-cluster': here,
            'lattice.io/failover-1': 'y',
            'lattice.io/failover-2': 'y',
          },
          network: `net-${here}`,
          locality: `eu-west-1/${zoneOf(here)}/${here}`,
          weight: 1,
        },
        {
          // The remote cluster's network: a gateway asking for its own network's view never sees it.
          address: otherGateway,
          ports: { http: 15443 },
          labels: { 'lattice.io/endpoint-cluster': there, 'lattice.io/failover-1': 'y' },
          network: `net-${there}`,
          locality: `eu-west-1/${zoneOf(there)}/${there}`,
          weight: 1,
        },
      ]);
      expect(objects.map((object) => object.kind)).toEqual([
        'PeerAuthentication',
        'DestinationRule',
        'ServiceEntry',
        'Gateway',
      ]);
      expect(objects.find((object) => object.kind === 'Gateway')?.spec).toEqual({
        selector: { istio: 'eastwestgateway' },
        servers: [
          {
            port: { number: 15443, name: 'tls-lattice', protocol: 'TLS' },
            tls: { mode: 'AUTO_PASSTHROUGH' },
            hosts: ['*.shop.lattice.local'],
          },
        ],
      });
    }
  });
});
