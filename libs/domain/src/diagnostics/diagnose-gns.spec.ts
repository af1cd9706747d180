import type { GnsMembership } from '../gns/membership';
import {
  type DiagnosedCluster,
  type DiagnosticFinding,
  diagnoseGlobalNamespace,
  FINDING_CODES,
} from './diagnose-gns';
import {
  type MeshInstallation,
  meshInstallationSchema,
  reportedPlacement,
  validateMeshInstallation,
} from './mesh-installation';
import { meshReadyCondition } from './mesh-ready';

const DOMAIN = 'shop.lattice.local';

function installation(overrides: Partial<MeshInstallation> = {}): MeshInstallation {
  return {
    meshConfigFound: true,
    meshConfigName: 'istio',
    trustDomain: 'cluster.local',
    trustDomainAliases: [DOMAIN],
    dnsCapture: true,
    dnsAutoAllocate: true,
    network: 'net-east',
    eastWestGateway: {
      namespace: 'istio-system',
      name: 'istio-eastwestgateway',
      addresses: ['198.51.100.20'],
      ports: [15021, 15443, 15012, 15017],
      selector: 'istio=eastwestgateway',
    },
    passthroughGateways: [],
    istioVersion: '1.24.2',
    revision: 'default',
    localities: [{ region: 'us-east-1', zone: 'us-east-1a', nodes: 3 }],
    problems: [],
    source: 'kubernetes',
    ...overrides,
  };
}

function cluster(
  name: string,
  mesh: MeshInstallation | null,
  extra: Partial<DiagnosedCluster> = {},
): DiagnosedCluster {
  return {
    id: `id-${name}`,
    name,
    registeredNetwork: null,
    registeredEastWestAddress: null,
    installation: mesh,
    eastWestGateway: { managed: true, selector: { istio: 'eastwestgateway' } },
    ...extra,
  };
}

function membership(clusterNames: string[], extra: Partial<GnsMembership> = {}): GnsMembership {
  return {
    gns: { id: 'gns-1', name: 'shop', domain: DOMAIN, mtlsMode: 'STRICT', createdAt: new Date(0) },
    namespaces: clusterNames.map((name) => ({
      clusterId: `id-${name}`,
      clusterName: name,
      namespace: 'bookinfo',
    })),
    services: [],
    conflicts: [],
    warnings: [],
    ...extra,
  };
}

const east = (mesh: MeshInstallation | null, extra: Partial<DiagnosedCluster> = {}) =>
  cluster('east', mesh, extra);
const west = cluster(
  'west',
  installation({
    network: 'net-west',
    eastWestGateway: { ...installation().eastWestGateway!, addresses: ['198.51.100.30'] },
  }),
);

function diagnose(...clusters: DiagnosedCluster[]): DiagnosticFinding[] {
  return diagnoseGlobalNamespace({ membership: membership(clusters.map((c) => c.name)), clusters });
}

const codes = (findings: DiagnosticFinding[]) =>
  findings.map((finding) => `${finding.severity} ${finding.code}`);

describe('diagnoseGlobalNamespace', () => {
  it('finds nothing for two well-installed clusters', () => {
    expect(diagnose(east(installation()), west)).toEqual([]);
  });

  it('ignores clusters that are not members of the GNS', () => {
    const findings = diagnoseGlobalNamespace({
      membership: membership(['west']),
      clusters: [east(null), west],
    });
    expect(findings).toEqual([]);
  });

  it('reports a missing trust-domain alias with the meshConfig patch that adds it', () => {
    const [finding] = diagnose(east(installation({ trustDomainAliases: ['other.example'] })), west);
    expect(finding).toMatchObject({
      severity: 'ERROR',
      code: 'TRUST_DOMAIN_ALIAS_MISSING',
      clusterName: 'east',
    });
    expect(finding.message).toContain(`does not accept the GNS domain "${DOMAIN}"`);
    expect(finding.message).toContain('aliases other.example');
    // The patch keeps the existing aliases and adds the GNS domain.
    expect(finding.fix).toContain(`trustDomainAliases:\n    - other.example\n    - ${DOMAIN}`);
    expect(finding.fix).toContain('kubectl -n istio-system edit configmap istio');
  });

  it('accepts the GNS domain as the trust domain itself', () => {
    expect(diagnose(east(installation({ trustDomain: DOMAIN, trustDomainAliases: [] })), west)).toEqual([]);
  });

  it('names the revisioned mesh config in the fix', () => {
    const [finding] = diagnose(
      east(installation({ trustDomainAliases: [], meshConfigName: 'istio-1-24' })),
      west,
    );
    expect(finding.fix).toContain('edit configmap istio-1-24');
  });

  it('reports DNS capture off (error) and auto-allocation off (warning) with the proxyMetadata fix', () => {
    const findings = diagnose(east(installation({ dnsCapture: false, dnsAutoAllocate: false })), west);
    expect(codes(findings)).toEqual(['ERROR DNS_CAPTURE_OFF', 'WARNING DNS_AUTO_ALLOCATE_OFF']);
    expect(findings[0].fix).toContain('ISTIO_META_DNS_CAPTURE: "true"');
    expect(findings[0].fix).toContain('kubectl rollout restart');
    expect(findings[1].fix).toContain('ISTIO_META_DNS_AUTO_ALLOCATE: "true"');
  });

  it('reports a missing east-west gateway as an error when the GNS spans clusters, info when not', () => {
    const noGateway = east(installation({ eastWestGateway: null }));
    const [multi] = diagnose(noGateway, west);
    expect(multi).toMatchObject({ severity: 'ERROR', code: 'EAST_WEST_GATEWAY_MISSING' });
    expect(multi.fix).toContain('gen-eastwest-gateway.sh --network net-east');
    expect(codes(diagnose(noGateway))).toEqual(['INFO EAST_WEST_GATEWAY_MISSING']);
  });

  it('reports a gateway without an external address unless one was registered', () => {
    const pending = installation({ eastWestGateway: { ...installation().eastWestGateway!, addresses: [] } });
    const [finding] = diagnose(east(pending), west);
    expect(finding).toMatchObject({ severity: 'ERROR', code: 'EAST_WEST_GATEWAY_NO_ADDRESS' });
    expect(finding.fix).toContain('kubectl -n istio-system describe service istio-eastwestgateway');
    expect(diagnose(east(pending, { registeredEastWestAddress: '203.0.113.9' }), west)).toEqual([]);
  });

  it('reports a gateway without port 15443 with the patch adding it', () => {
    const gateway = { ...installation().eastWestGateway!, ports: [15021, 80] };
    const [finding] = diagnose(east(installation({ eastWestGateway: gateway })), west);
    expect(finding).toMatchObject({ severity: 'ERROR', code: 'EAST_WEST_GATEWAY_PORT_MISSING' });
    expect(finding.message).toContain('it exposes 15021, 80');
    expect(finding.fix).toContain('"port":15443');
  });

  it("warns when the registered east-west address is not the gateway Service's", () => {
    const [finding] = diagnose(east(installation(), { registeredEastWestAddress: '203.0.113.9' }), west);
    expect(finding).toMatchObject({ severity: 'WARNING', code: 'EAST_WEST_ADDRESS_MISMATCH' });
    expect(finding.fix).toContain('"eastWestAddress": "198.51.100.20"');
  });

  describe('an existing east-west Gateway (eastWestGatewayManaged false)', () => {
    const existing = { eastWestGateway: { managed: false, selector: { istio: 'eastwestgateway' } } };
    const gateway = (name: string, selector: Record<string, string>, hosts: string[]) => ({
      namespace: 'istio-system',
      name,
      selector,
      hosts,
    });

    it('is not checked when Lattice renders the Gateway, whatever the agent saw', () => {
      expect(diagnose(east(installation({ passthroughGateways: [] })), west)).toEqual([]);
      expect(diagnose(east(installation({ passthroughGateways: null })), west)).toEqual([]);
    });

    it('is fine when a Gateway on the gateway pods routes *.<domain> (namespace prefix ignored, as istiod does)', () => {
      for (const host of [`*.${DOMAIN}`, `istio-system/*.${DOMAIN}`, '*', '*.local'])
        expect(
          diagnose(
            east(
              installation({ passthroughGateways: [gateway('ew', { istio: 'eastwestgateway' }, [host])] }),
              existing,
            ),
            west,
          ),
        ).toEqual([]);
      // A Gateway without a selector applies to every gateway pod.
      expect(
        diagnose(
          east(installation({ passthroughGateways: [gateway('any', {}, [`*.${DOMAIN}`])] }), existing),
          west,
        ),
      ).toEqual([]);
    });

    it('reports no Gateway on the pods as an error across clusters, info for one cluster, with a Gateway that works', () => {
      const mesh = installation({
        passthroughGateways: [gateway('ingress', { istio: 'ingressgateway' }, ['*'])],
      });
      const [finding] = diagnose(east(mesh, existing), west);
      expect(finding).toMatchObject({
        severity: 'ERROR',
        code: 'EAST_WEST_GATEWAY_HOSTS_MISSING',
        clusterName: 'east',
      });
      expect(finding!.message).toContain(
        'no Gateway with an AUTO_PASSTHROUGH server on 15443 applies to the gateway pods (istio=eastwestgateway)',
      );
      expect(finding!.message).toContain(`does not route *.${DOMAIN}`);
      expect(finding!.fix).toContain(
        [
          'apiVersion: networking.istio.io/v1',
          'kind: Gateway',
          'metadata:',
          '  name: eastwest-shop-lattice-local',
          '  namespace: istio-system',
          'spec:',
          '  selector:',
          '    istio: eastwestgateway',
          '  servers:',
          '    - port: { number: 15443, name: tls-gns, protocol: TLS }',
          '      tls: { mode: AUTO_PASSTHROUGH }',
          `      hosts: ['*.${DOMAIN}']`,
        ].join('\n'),
      );
      expect(finding!.fix).toContain(
        'PUT /v1/clusters/id-east with If-Match: <ETag of GET /v1/clusters/id-east> and {"eastWestGatewayManaged": true}',
      );
      expect(codes(diagnose(east(mesh, existing)))).toEqual(['INFO EAST_WEST_GATEWAY_HOSTS_MISSING']);
    });

    it('names the Gateways on the pods that route other hosts, and the fix uses the custom selector', () => {
      const custom = { eastWestGateway: { managed: false, selector: { app: 'ew', tier: 'edge' } } };
      const [finding] = diagnose(
        east(
          installation({
            passthroughGateways: [
              gateway('cross-network-gateway', { app: 'ew' }, ['*.global']),
              gateway('partner', { app: 'ew', tier: 'edge' }, [`cart.${DOMAIN}`, 'ns/*.other.example']),
              gateway('other-pods', { app: 'ingress' }, ['*']),
            ],
          }),
          custom,
        ),
        west,
      ).filter((found) => found.code === 'EAST_WEST_GATEWAY_HOSTS_MISSING');
      expect(finding!.message).toContain(
        'the AUTO_PASSTHROUGH Gateways on the gateway pods (app=ew,tier=edge) route only ' +
          `istio-system/cross-network-gateway: *.global; istio-system/partner: cart.${DOMAIN}, ns/*.other.example:`,
      );
      expect(finding!.fix).toContain('  selector:\n    app: ew\n    tier: edge\n');
    });

    it('says why it could not check when the Gateways are unknown, never an error', () => {
      const unknown = (mesh: MeshInstallation) =>
        diagnose(east(mesh, existing), west).filter((found) =>
          found.code.startsWith('EAST_WEST_GATEWAY_HOSTS'),
        );
      const [older] = unknown(installation({ passthroughGateways: null }));
      expect(older).toMatchObject({ severity: 'WARNING', code: 'EAST_WEST_GATEWAY_HOSTS_UNCHECKED' });
      expect(older!.message).toContain('an agent older than this check');
      expect(older!.fix).toContain('helm upgrade lattice-agent');

      const forbidden = 'gateways (networking.istio.io/v1): Forbidden: gateways is forbidden';
      const [denied] = unknown(installation({ passthroughGateways: null, problems: [forbidden] }));
      expect(denied!.message).toContain(`the agent could not list Gateways (${forbidden})`);
      expect(denied!.fix).toContain('kubectl auth can-i list gateways.networking.istio.io');

      const [file] = unknown(installation({ passthroughGateways: null, source: 'file' }));
      expect(file!.message).toContain("the inventory file's mesh: section has no passthroughGateways");
      expect(file!.fix).toContain("selector: { istio: eastwestgateway }, hosts: ['*.shop.lattice.local']");

      expect(
        codes(diagnose(east(installation({ passthroughGateways: null }), existing))).filter((code) =>
          code.includes('HOSTS'),
        ),
      ).toEqual(['INFO EAST_WEST_GATEWAY_HOSTS_UNCHECKED']);
    });

    it('is not checked without Istio (ISTIO_NOT_FOUND says it all)', () => {
      const codesFound = codes(
        diagnose(east(installation({ meshConfigFound: false, passthroughGateways: [] }), existing), west),
      );
      expect(codesFound).toContain('ERROR ISTIO_NOT_FOUND');
      expect(codesFound.filter((code) => code.includes('HOSTS'))).toEqual([]);
    });
  });

  it('reports an unset network (error across clusters) and a registered network the cluster disagrees with', () => {
    const unset = diagnose(east(installation({ network: '' })), west);
    expect(codes(unset)).toEqual(['ERROR NETWORK_UNSET']);
    expect(unset[0].fix).toContain(
      'kubectl label namespace istio-system topology.istio.io/network=east-network',
    );
    // A registered network is enough.
    expect(diagnose(east(installation({ network: '' }), { registeredNetwork: 'net-east' }), west)).toEqual(
      [],
    );
    const mismatch = diagnose(east(installation(), { registeredNetwork: 'net-a' }), west);
    expect(codes(mismatch)).toEqual(['ERROR NETWORK_MISMATCH']);
    expect(mismatch[0].message).toContain('registered on network "net-a"');
    expect(mismatch[0].message).toContain('topology.istio.io/network=net-east');
  });

  it('says the installation is unknown for an agent that never reported it (too old)', () => {
    const findings = diagnose(east(null), west);
    expect(codes(findings)).toEqual(['WARNING INSTALLATION_UNKNOWN']);
    expect(findings[0].message).toContain('unknown (agent too old');
    expect(findings[0].fix).toContain('helm upgrade');
  });

  it('reports a cluster without Istio', () => {
    const findings = diagnose(
      east(
        installation({
          meshConfigFound: false,
          meshConfigName: '',
          trustDomain: '',
          trustDomainAliases: [],
          dnsCapture: false,
          dnsAutoAllocate: false,
          istioVersion: '',
        }),
      ),
      west,
    );
    expect(codes(findings)).toContain('ERROR ISTIO_NOT_FOUND');
    expect(codes(findings)).not.toContain('ERROR DNS_CAPTURE_OFF');
    expect(findings.find((f) => f.code === 'ISTIO_NOT_FOUND')!.fix).toContain('istioctl install');
  });

  it('reports what the agent could not read', () => {
    const findings = diagnose(east(installation({ problems: ['nodes: forbidden (403)'] })), west);
    expect(codes(findings)).toEqual(['WARNING INSTALLATION_READ_FAILED']);
    expect(findings[0].message).toContain('nodes: forbidden (403)');
  });

  it('checks Istio versions: unsupported, unknown and skew between members', () => {
    expect(codes(diagnose(east(installation({ istioVersion: '1.18.2' })), west))).toEqual([
      'ERROR ISTIO_VERSION_UNSUPPORTED',
      'WARNING ISTIO_VERSION_SKEW',
    ]);
    expect(codes(diagnose(east(installation({ istioVersion: 'latest' })), west))).toEqual([
      'INFO ISTIO_VERSION_UNKNOWN',
    ]);
    const oneApart = diagnose(east(installation({ istioVersion: '1.23.1' })), west);
    expect(codes(oneApart)).toEqual(['INFO ISTIO_VERSION_SKEW']);
    expect(oneApart[0].message).toContain('east: 1.23.1, west: 1.24.2');
    expect(oneApart[0].fix).toContain('Upgrade east to Istio 1.24');
  });

  it('notes nodes without locality labels', () => {
    const findings = diagnose(east(installation({ localities: [{ region: '', zone: '', nodes: 2 }] })), west);
    expect(codes(findings)).toEqual(['INFO LOCALITY_UNSET']);
  });

  it('turns membership conflicts and warnings into findings, port conflicts with the differing ports', () => {
    const instance = (clusterName: string) => ({
      clusterId: `id-${clusterName}`,
      clusterName,
      namespace: 'pay',
    });
    const findings = diagnoseGlobalNamespace({
      clusters: [east(installation()), west],
      membership: membership(['east', 'west'], {
        conflicts: [
          {
            kind: 'HOST_PORTS_DIFFER',
            serviceName: 'payments',
            hostname: `payments.${DOMAIN}`,
            variants: [
              { ports: [{ name: 'http', number: 9090, protocol: 'HTTP' }], instances: [instance('east')] },
              { ports: [{ name: 'http', number: 9091, protocol: 'HTTP' }], instances: [instance('west')] },
            ],
            publishedPorts: [{ name: 'http', number: 9090, protocol: 'HTTP' }],
            leftOut: [instance('west')],
            reason: 'payments has different ports in different clusters',
          },
          {
            kind: 'DUPLICATE_DOMAIN',
            domain: DOMAIN,
            claimants: [],
            keptBy: 'x',
            reason: 'two GNS share it',
          },
        ],
        warnings: [
          { kind: 'UNUSABLE_SELECTOR', matchConditionIndex: 1, reason: 'bad regex' },
          { kind: 'NO_EAST_WEST_GATEWAY', clusterId: 'id-east', clusterName: 'east', reason: 'no address' },
          // A kind added later is still shown.
          { kind: 'SOMETHING_NEW', reason: 'a new check' } as never,
        ],
      }),
    });
    expect(codes(findings)).toEqual([
      'ERROR DOMAIN_CONFLICT',
      'ERROR PORT_CONFLICT',
      'WARNING MEMBERSHIP_PROBLEM',
      'WARNING UNUSABLE_SELECTOR',
    ]);
    const port = findings.find((f) => f.code === 'PORT_CONFLICT')!;
    expect(port.fix).toContain('9090/HTTP in east/pay; 9091/HTTP in west/pay');
    expect(findings.find((f) => f.code === 'MEMBERSHIP_PROBLEM')!.message).toBe('SOMETHING_NEW: a new check');
  });

  it('sorts errors first, then by cluster name; every finding has a fix', () => {
    const findings = diagnose(
      east(installation({ dnsCapture: false, trustDomainAliases: [] })),
      cluster('west', installation({ network: '', dnsAutoAllocate: false })),
    );
    expect(findings.map((f) => `${f.severity} ${f.clusterName} ${f.code}`)).toEqual([
      'ERROR east DNS_CAPTURE_OFF',
      'ERROR east TRUST_DOMAIN_ALIAS_MISSING',
      'ERROR west NETWORK_UNSET',
      'WARNING west DNS_AUTO_ALLOCATE_OFF',
    ]);
    for (const finding of findings) {
      expect(FINDING_CODES).toContain(finding.code);
      expect(finding.fix.length).toBeGreaterThan(20);
    }
  });
});

describe('meshReadyCondition', () => {
  const finding = (severity: DiagnosticFinding['severity'], code: DiagnosticFinding['code']) => ({
    finding: { severity, code, clusterId: 'c', clusterName: 'east', message: 'm', fix: 'f' },
    gnsName: 'shop',
  });

  it('is Unknown for an agent that never reported', () => {
    expect(meshReadyCondition(false, [])).toMatchObject({ status: 'Unknown', reason: 'InstallationUnknown' });
  });

  it('is False naming the errors, with the first error as reason', () => {
    const condition = meshReadyCondition(true, [
      finding('ERROR', 'TRUST_DOMAIN_ALIAS_MISSING'),
      finding('ERROR', 'DNS_CAPTURE_OFF'),
      finding('WARNING', 'DNS_AUTO_ALLOCATE_OFF'),
    ]);
    expect(condition).toMatchObject({
      type: 'MeshReady',
      status: 'False',
      reason: 'TrustDomainAliasMissing',
    });
    expect(condition.message).toContain(
      '2 errors: TRUST_DOMAIN_ALIAS_MISSING (GNS shop), DNS_CAPTURE_OFF (GNS shop)',
    );
    expect(condition.message).toContain('1 warning: DNS_AUTO_ALLOCATE_OFF (GNS shop)');
  });

  it('is True without errors, saying whether there are warnings', () => {
    expect(meshReadyCondition(true, [])).toMatchObject({ status: 'True', reason: 'Ready' });
    expect(meshReadyCondition(true, [finding('WARNING', 'DNS_AUTO_ALLOCATE_OFF')])).toMatchObject({
      status: 'True',
      reason: 'ReadyWithWarnings',
    });
  });
});

describe('validateMeshInstallation', () => {
  it('accepts a well-formed report', () => {
    expect(validateMeshInstallation(installation())).toEqual([]);
  });

  it('names the bad field', () => {
    const problems = validateMeshInstallation(
      installation({
        trustDomainAliases: ['ok.example', 'has space'],
        eastWestGateway: { ...installation().eastWestGateway!, ports: [0] },
      }),
    );
    expect(problems.map((p) => p.field)).toEqual([
      'mesh.trustDomainAliases[1]',
      'mesh.eastWestGateway.ports[0]',
    ]);
  });

  it('bounds list sizes', () => {
    const problems = validateMeshInstallation(
      installation({ trustDomainAliases: Array.from({ length: 65 }, (_, i) => `a${i}.example`) }),
    );
    expect(problems[0].field).toBe('mesh.trustDomainAliases');
  });

  it('bounds and checks the passthrough Gateways: count, hosts, selector labels', () => {
    const gateway = {
      namespace: 'istio-system',
      name: 'ew',
      selector: { istio: 'eastwestgateway' },
      hosts: ['*'],
    };
    const fields = (passthroughGateways: MeshInstallation['passthroughGateways']) =>
      validateMeshInstallation(installation({ passthroughGateways })).map((p) => `${p.field}: ${p.message}`);
    expect(fields([gateway, { ...gateway, selector: {} }])).toEqual([]);
    expect(fields(Array.from({ length: 101 }, () => gateway))[0]).toMatch(/^mesh.passthroughGateways: /);
    expect(fields([{ ...gateway, hosts: Array.from({ length: 101 }, () => '*') }])[0]).toMatch(
      /^mesh.passthroughGateways\[0\].hosts: /,
    );
    expect(fields([{ ...gateway, selector: { istio: 'east west' } }])).toEqual([
      'mesh.passthroughGateways[0].selector.istio: must be a Kubernetes label value',
    ]);
    expect(
      fields([
        { ...gateway, selector: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) },
      ]),
    ).toEqual(['mesh.passthroughGateways[0].selector: must have at most 32 labels']);
  });

  it('reads an installation stored before passthroughGateways existed as not knowing them', () => {
    const { passthroughGateways: _absent, ...stored } = installation({ passthroughGateways: [] });
    expect(meshInstallationSchema.parse(JSON.parse(JSON.stringify(stored))).passthroughGateways).toBeNull();
  });
});

describe('reportedPlacement', () => {
  const gateway = {
    namespace: 'istio-system',
    name: 'ew',
    addresses: ['203.0.113.7'],
    ports: [15021, 15443],
    selector: 'istio=eastwestgateway',
  };

  it('says nothing without a report', () => {
    expect(reportedPlacement(null)).toEqual({ network: null, locality: null, eastWestAddress: null });
  });

  it('takes the network, the one region and zone of the nodes, and the address of a gateway with 15443', () => {
    const placement = reportedPlacement(
      installation({
        network: 'net-a',
        localities: [{ region: 'eu-west-1', zone: 'eu-west-1a', nodes: 3 }],
        eastWestGateway: gateway,
      }),
    );
    expect(placement).toEqual({
      network: 'net-a',
      locality: { region: 'eu-west-1', zone: 'eu-west-1a' },
      eastWestAddress: '203.0.113.7',
    });
  });

  it('keeps only the region when nodes span zones, nothing when they span regions or carry no labels', () => {
    const zones = [
      { region: 'eu-west-1', zone: 'eu-west-1a', nodes: 2 },
      { region: 'eu-west-1', zone: 'eu-west-1b', nodes: 1 },
    ];
    expect(reportedPlacement(installation({ localities: zones })).locality).toEqual({ region: 'eu-west-1' });
    const regions = [...zones, { region: 'us-east-1', zone: 'us-east-1a', nodes: 1 }];
    expect(reportedPlacement(installation({ localities: regions })).locality).toBeNull();
    expect(
      reportedPlacement(installation({ localities: [{ region: '', zone: '', nodes: 4 }] })).locality,
    ).toBeNull();
  });

  it('ignores an unset network and a gateway without 15443 or without an address', () => {
    expect(reportedPlacement(installation({ network: '' })).network).toBeNull();
    const noPort = reportedPlacement(installation({ eastWestGateway: { ...gateway, ports: [80] } }));
    expect(noPort.eastWestAddress).toBeNull();
    const noAddress = reportedPlacement(installation({ eastWestGateway: { ...gateway, addresses: [] } }));
    expect(noAddress.eastWestAddress).toBeNull();
  });
});
