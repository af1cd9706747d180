import {
  buildMeshInstallation,
  chooseMeshConfigMap,
  type DeploymentView,
  eastWestGateway,
  gatewayApiVersion,
  type GatewayView,
  istiodFacts,
  type KubernetesMeshObjects,
  nodeLocalities,
  parseLabelSelector,
  parseMeshConfig,
  passthroughGateways,
  versionFromImage,
} from './mesh-installation.mapping';
import { MeshFileError, parseMeshSection } from './mesh-file.schema';

const MESH = `
trustDomain: corp.example
trustDomainAliases:
  - shop.lattice.local
  - cluster.local
defaultConfig:
  discoveryAddress: istiod.istio-system.svc:15012
  proxyMetadata:
    ISTIO_META_DNS_CAPTURE: "true"
    ISTIO_META_DNS_AUTO_ALLOCATE: "True"
`;

function istiod(
  labels: Record<string, string>,
  image: string,
  env: { name: string; value: string }[] = [],
): DeploymentView {
  return {
    metadata: {
      name:
        labels['istio.io/rev'] && labels['istio.io/rev'] !== 'default'
          ? `istiod-${labels['istio.io/rev']}`
          : 'istiod',
      namespace: 'istio-system',
      labels: { app: 'istiod', ...labels },
    },
    spec: { template: { spec: { containers: [{ name: 'discovery', image, env }] } } },
  };
}

describe('parseMeshConfig', () => {
  it('reads the trust domain, aliases and the DNS proxy metadata (Go ParseBool)', () => {
    expect(parseMeshConfig(MESH)).toEqual({
      trustDomain: 'corp.example',
      trustDomainAliases: ['shop.lattice.local', 'cluster.local'],
      dnsCapture: true,
      dnsAutoAllocate: true,
    });
  });

  it("uses Istio's defaults: trust domain cluster.local, DNS capture and auto-allocation off", () => {
    expect(parseMeshConfig('accessLogFile: /dev/stdout\n')).toEqual({
      trustDomain: 'cluster.local',
      trustDomainAliases: [],
      dnsCapture: false,
      dnsAutoAllocate: false,
    });
    expect(
      parseMeshConfig('defaultConfig:\n  proxyMetadata:\n    ISTIO_META_DNS_CAPTURE: "yes"\n').dnsCapture,
    ).toBe(false);
  });

  it('refuses a mesh config that is not a YAML mapping', () => {
    expect(() => parseMeshConfig('- a\n- b\n')).toThrow('not a YAML mapping');
    expect(() => parseMeshConfig('trustDomain: [unclosed\n')).toThrow();
  });
});

describe('istiodFacts and versionFromImage', () => {
  it('reads the version from the discovery image tag, without -distroless', () => {
    expect(versionFromImage('docker.io/istio/pilot:1.24.2-distroless')).toBe('1.24.2');
    expect(versionFromImage('gcr.io/istio-release/pilot:1.23.0')).toBe('1.23.0');
    expect(versionFromImage('localhost:5000/istio/pilot')).toBe('');
    expect(versionFromImage('istio/pilot@sha256:abcd')).toBe('');
    expect(versionFromImage('istio/pilot:latest')).toBe('');
  });

  it("falls back to the installers' version labels when the tag is not a version", () => {
    expect(istiodFacts([istiod({ 'operator.istio.io/version': '1.22.3' }, 'istio/pilot:latest')])).toEqual({
      version: '1.22.3',
      revision: 'default',
      ipAutoAllocate: false,
    });
    expect(
      istiodFacts([istiod({ 'helm.sh/chart': 'istiod-1.25.1' }, 'istio/pilot@sha256:ab')])?.version,
    ).toBe('1.25.1');
  });

  it('prefers the default revision among canaries and reads PILOT_ENABLE_IP_AUTOALLOCATE', () => {
    const facts = istiodFacts([
      istiod({ 'istio.io/rev': '1-25' }, 'istio/pilot:1.25.0'),
      istiod({}, 'istio/pilot:1.24.2', [{ name: 'PILOT_ENABLE_IP_AUTOALLOCATE', value: 'true' }]),
    ]);
    expect(facts).toEqual({ version: '1.24.2', revision: 'default', ipAutoAllocate: true });
    expect(istiodFacts([istiod({ 'istio.io/rev': '1-25' }, 'istio/pilot:1.25.0')])?.revision).toBe('1-25');
    expect(istiodFacts([{ metadata: { name: 'coredns', labels: { app: 'dns' } } }])).toBeNull();
  });
});

describe('chooseMeshConfigMap', () => {
  const cm = (name: string, mesh = 'trustDomain: x') => ({ metadata: { name }, data: { mesh } });
  it('prefers istio-<revision>, then istio, then another istio-* with a mesh key', () => {
    // The injector's ConfigMap has no mesh key: never taken, even though its name sorts first.
    const injector = { metadata: { name: 'istio-a-injector' }, data: { config: 'policy: enabled' } };
    const all = [injector, cm('istio'), cm('istio-1-25')];
    expect(chooseMeshConfigMap(all, '1-25')?.metadata?.name).toBe('istio-1-25');
    expect(chooseMeshConfigMap(all, 'default')?.metadata?.name).toBe('istio');
    expect(
      chooseMeshConfigMap([injector, cm('istio-1-25'), cm('kube-root-ca.crt')], undefined)?.metadata?.name,
    ).toBe('istio-1-25');
    expect(chooseMeshConfigMap([cm('kube-root-ca.crt')], undefined)).toBeUndefined();
  });
});

describe('eastWestGateway', () => {
  const service = (namespace: string, name: string, extra: object = {}) => ({
    metadata: { namespace, name, labels: { istio: 'eastwestgateway', topology: 'x' } },
    spec: { ports: [{ port: 15021 }, { port: 15443 }] },
    ...extra,
  });

  it('takes the istio-system one and its load balancer addresses, then externalIPs', () => {
    const gateway = eastWestGateway(
      [
        service('aaa', 'other'),
        service('istio-system', 'istio-eastwestgateway', {
          spec: { ports: [{ port: 15443 }], externalIPs: ['192.0.2.1'] },
          status: { loadBalancer: { ingress: [{ ip: '198.51.100.20' }, { hostname: 'gw.example.com' }] } },
        }),
      ],
      'istio=eastwestgateway',
    );
    expect(gateway).toEqual({
      namespace: 'istio-system',
      name: 'istio-eastwestgateway',
      addresses: ['198.51.100.20', 'gw.example.com', '192.0.2.1'],
      ports: [15443],
      selector: 'istio=eastwestgateway',
    });
  });

  it('has no address while the load balancer is pending, and is null when nothing matches', () => {
    expect(eastWestGateway([service('istio-system', 'gw')], 'istio=eastwestgateway')?.addresses).toEqual([]);
    expect(eastWestGateway([service('istio-system', 'gw')], 'istio=other')).toBeNull();
  });

  it('parses equality selectors only', () => {
    expect(parseLabelSelector('istio=eastwestgateway,topology.istio.io/network=net-a')).toEqual({
      istio: 'eastwestgateway',
      'topology.istio.io/network': 'net-a',
    });
    expect(parseLabelSelector('istio in (a,b)')).toBeNull();
  });
});

describe('nodeLocalities', () => {
  it('counts nodes per region and zone, with empty strings for missing labels', () => {
    const node = (region?: string, zone?: string) => ({
      metadata: {
        labels: {
          ...(region ? { 'topology.kubernetes.io/region': region } : {}),
          ...(zone ? { 'topology.kubernetes.io/zone': zone } : {}),
        },
      },
    });
    expect(
      nodeLocalities([node('us-east-1', 'b'), node('us-east-1', 'a'), node('us-east-1', 'a'), node()]),
    ).toEqual([
      { region: '', zone: '', nodes: 1 },
      { region: 'us-east-1', zone: 'a', nodes: 2 },
      { region: 'us-east-1', zone: 'b', nodes: 1 },
    ]);
  });
});

describe('buildMeshInstallation', () => {
  const objects: KubernetesMeshObjects = {
    configMaps: [{ metadata: { name: 'istio' }, data: { mesh: MESH } }],
    istioNamespace: {
      metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-east' } },
    },
    gatewayServices: [],
    deployments: [istiod({}, 'istio/pilot:1.24.2')],
    nodes: [],
    gateways: [],
    problems: [],
  };

  it('assembles everything read', () => {
    expect(buildMeshInstallation(objects, 'istio=eastwestgateway')).toEqual({
      meshConfigFound: true,
      meshConfigName: 'istio',
      trustDomain: 'corp.example',
      trustDomainAliases: ['shop.lattice.local', 'cluster.local'],
      dnsCapture: true,
      dnsAutoAllocate: true,
      network: 'net-east',
      eastWestGateway: null,
      passthroughGateways: [],
      istioVersion: '1.24.2',
      revision: 'default',
      localities: [],
      problems: [],
      source: 'kubernetes',
    });
  });

  it('reports Gateways not listed as unknown (null), not as none', () => {
    expect(buildMeshInstallation({ ...objects, gateways: null }, 'istio=x').passthroughGateways).toBeNull();
  });

  it('reports no mesh config when there is none, and names a mesh config that does not parse', () => {
    expect(buildMeshInstallation({ ...objects, configMaps: [] }, 'istio=x')).toMatchObject({
      meshConfigFound: false,
      trustDomain: '',
      dnsCapture: false,
    });
    const broken = buildMeshInstallation(
      {
        ...objects,
        configMaps: [{ metadata: { name: 'istio' }, data: { mesh: '- 1' } }],
        problems: ['nodes: Forbidden: no'],
      },
      'istio=x',
    );
    expect(broken.meshConfigFound).toBe(false);
    expect(broken.problems).toEqual([
      'nodes: Forbidden: no',
      'ConfigMap istio-system/istio: key mesh: the mesh config is not a YAML mapping',
    ]);
  });
});

describe('parseMeshSection (inventory file mode)', () => {
  it('is undefined without a mesh: section', () => {
    expect(parseMeshSection('namespaces: []\n')).toBeUndefined();
  });

  it('fills in defaults', () => {
    expect(
      parseMeshSection('mesh:\n  network: net-a\n  eastWestGateway: { addresses: [198.51.100.20] }\n'),
    ).toEqual({
      meshConfigFound: true,
      meshConfigName: 'istio',
      trustDomain: 'cluster.local',
      trustDomainAliases: [],
      dnsCapture: false,
      dnsAutoAllocate: false,
      network: 'net-a',
      eastWestGateway: {
        namespace: 'istio-system',
        name: 'istio-eastwestgateway',
        addresses: ['198.51.100.20'],
        ports: [15443],
        selector: 'istio=eastwestgateway',
      },
      passthroughGateways: null,
      istioVersion: '',
      revision: 'default',
      localities: [],
      problems: [],
      source: 'file',
    });
  });

  it('reads passthrough Gateways: omitted is unknown, [] is none, a bad selector is refused', () => {
    expect(
      parseMeshSection(
        "mesh:\n  passthroughGateways:\n    - { name: ew, selector: { istio: eastwestgateway }, hosts: ['*.local'] }\n",
      )?.passthroughGateways,
    ).toEqual([
      { namespace: 'istio-system', name: 'ew', selector: { istio: 'eastwestgateway' }, hosts: ['*.local'] },
    ]);
    expect(parseMeshSection('mesh:\n  passthroughGateways: []\n')?.passthroughGateways).toEqual([]);
    expect(() =>
      parseMeshSection(
        "mesh:\n  passthroughGateways: [{ name: ew, selector: { 'bad key': x }, hosts: ['*'] }]\n",
        'east.yaml',
      ),
    ).toThrow(/^east.yaml: mesh.passthroughGateways\[0\].selector.bad key: must be a Kubernetes label key$/);
  });

  it('names the bad field', () => {
    expect(() => parseMeshSection('mesh:\n  eastWestGateway: { ports: [0] }\n', 'east.yaml')).toThrow(
      new MeshFileError('east.yaml: mesh.eastWestGateway.ports.0: Too small: expected number to be >=1'),
    );
    expect(() => parseMeshSection('mesh:\n  dnsCaptur: true\n', 'east.yaml')).toThrow(
      /east.yaml: mesh: Unrecognized key/,
    );
  });
});

describe('gatewayApiVersion', () => {
  const group = (versions: string[], preferred?: string) => [
    { name: 'apps', versions: [{ version: 'v1' }] },
    {
      name: 'networking.istio.io',
      versions: versions.map((version) => ({ version })),
      ...(preferred ? { preferredVersion: { version: preferred } } : {}),
    },
  ];

  it("takes the server's preferred version when readable, else v1, v1beta1, v1alpha3 in that order", () => {
    expect(gatewayApiVersion(group(['v1', 'v1beta1', 'v1alpha3'], 'v1'))).toBe('v1');
    expect(gatewayApiVersion(group(['v1', 'v1beta1'], 'v1beta1'))).toBe('v1beta1');
    expect(gatewayApiVersion(group(['v1beta1', 'v1alpha3'], 'v2'))).toBe('v1beta1');
    expect(gatewayApiVersion(group(['v1alpha3']))).toBe('v1alpha3');
  });

  it('is null when Istio is not served, or only in versions it cannot read', () => {
    expect(gatewayApiVersion([{ name: 'apps', versions: [{ version: 'v1' }] }])).toBeNull();
    expect(gatewayApiVersion(group(['v2']))).toBeNull();
  });
});

describe('passthroughGateways', () => {
  const gateway = (
    name: string,
    servers: NonNullable<NonNullable<GatewayView['spec']>['servers']>,
    extra: { namespace?: string; labels?: Record<string, string>; selector?: Record<string, string> } = {},
  ): GatewayView => ({
    metadata: { name, namespace: extra.namespace ?? 'istio-system', labels: extra.labels ?? {} },
    spec: { selector: extra.selector ?? { istio: 'eastwestgateway' }, servers },
  });
  const passthrough = (hosts: string[], number = 15443, mode = 'AUTO_PASSTHROUGH') => ({
    port: { number },
    tls: { mode },
    hosts,
  });

  it('keeps the AUTO_PASSTHROUGH servers on 15443 with their hosts as written, by namespace and name', () => {
    const result = passthroughGateways([
      gateway('z-ingress', [passthrough(['*.example.com'], 443, 'PASSTHROUGH')]),
      gateway('mixed', [
        passthrough(['*.local', 'istio-system/*.shop.example']),
        passthrough(['./*.local', '*/x.example']),
        passthrough(['ignored.example'], 15443, 'ISTIO_MUTUAL'),
        passthrough(['ignored-too.example'], 15444),
      ]),
      gateway('any-pod', [passthrough(['*'])], { namespace: 'edge', selector: {} }),
    ]);
    expect(result).toEqual({
      gateways: [
        { namespace: 'edge', name: 'any-pod', selector: {}, hosts: ['*'] },
        {
          namespace: 'istio-system',
          name: 'mixed',
          selector: { istio: 'eastwestgateway' },
          hosts: ['*.local', 'istio-system/*.shop.example', './*.local', '*/x.example'],
        },
      ],
      problem: null,
    });
  });

  it("leaves out the Gateways Lattice renders (its managed-by label with a GNS label), not a user's copy of one label", () => {
    const lattice = { 'app.kubernetes.io/managed-by': 'lattice', 'lattice.io/gns': 'g1' };
    const result = passthroughGateways([
      gateway('lattice-eastwest-shop-1a2b', [passthrough(['*.shop.example'])], { labels: lattice }),
      gateway('mine', [passthrough(['*.shop.example'])], {
        labels: { 'app.kubernetes.io/managed-by': 'lattice' },
      }),
    ]);
    expect(result.gateways.map((found) => found.name)).toEqual(['mine']);
  });

  it('bounds what it reports and names what it left out in one problem', () => {
    const many = Array.from({ length: 105 }, (_, i) =>
      gateway(`gw-${String(i).padStart(3, '0')}`, [passthrough(['*.local'])]),
    );
    const hosts = Array.from({ length: 102 }, (_, i) => `h${i}.example`);
    const result = passthroughGateways([
      gateway('aaa-hosts', [passthrough([...hosts, 'bad host', '*.local', '*.local'])], { namespace: 'a' }),
      ...many,
    ]);
    expect(result.gateways).toHaveLength(100);
    expect(result.gateways[0]!.hosts).toEqual([...hosts, '*.local'].slice(0, 100));
    expect(result.problem).toBe(
      'gateways: AUTO_PASSTHROUGH Gateways on 15443 not reported: 1 malformed host(s) of a/aaa-hosts, ' +
        '3 host(s) of a/aaa-hosts, 6 Gateway(s) after the first 100',
    );
  });

  it('leaves out a Gateway the controller would refuse, rather than get the whole report refused', () => {
    const result = passthroughGateways([
      gateway('bad-selector', [passthrough(['*'])], { selector: { 'not a key': 'x' } }),
      gateway('good', [passthrough(['*'])]),
    ]);
    expect(result.gateways.map((found) => found.name)).toEqual(['good']);
    expect(result.problem).toBe(
      'gateways: AUTO_PASSTHROUGH Gateways on 15443 not reported: istio-system/bad-selector (must be a Kubernetes label key)',
    );
  });
});
