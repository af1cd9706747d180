import { randomBytes } from 'node:crypto';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { kubeTarget, type KubeTarget } from './support/kube-api-server';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

type Finding = {
  severity: string;
  code: string;
  clusterId: string | null;
  clusterName: string | null;
  message: string;
  fix: string;
};
type Diagnostics = {
  gnsId: string;
  domain: string;
  summary: { ERROR: number; WARNING: number; INFO: number };
  clusters: {
    id: string;
    name: string;
    installation: { trustDomain: string; source: string; passthroughGateways: unknown[] | null } | null;
  }[];
  findings: Finding[];
};
type Condition = { type: string; status: string; reason: string; message: string };

/**
 * Preflight diagnostics end to end: the real controller, a real agent in Kubernetes mode reading
 * the Istio installation from the test API server (ConfigMap istio, the istio-system Namespace, the
 * east-west gateway Service with its load balancer status, the istiod Deployment, Nodes), a
 * file-mode agent whose inventory file has a `mesh:` section, and a third agent with no mesh
 * section (as an older agent: it never reports one).
 *
 * A mesh without the GNS domain as trust-domain alias and with DNS capture off shows both findings
 * with their fixes over REST and GraphQL and MeshReady False; fixing the ConfigMap clears them.
 * Then the cluster switches to an existing east-west Gateway (eastWestGatewayManaged false): the
 * Gateways in the fixture do not route the GNS domain, which is an error with a Gateway that works;
 * applying that Gateway clears it.
 */
describe('preflight diagnostics', () => {
  const namespace = `shop-${randomBytes(3).toString('hex')}`;
  const domain = `${namespace}.lattice.local`;
  let kube: KubeTarget;
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let other: TestTenant;
  let eastId: string;
  let oldId: string;
  let gnsId: string;
  const agents: AgentProcess[] = [];

  const meshConfig = (aliases: string[], dnsCapture: boolean) =>
    [
      'trustDomain: cluster.local',
      `trustDomainAliases: [${aliases.join(', ')}]`,
      'defaultConfig:',
      '  proxyMetadata:',
      `    ISTIO_META_DNS_CAPTURE: "${dnsCapture}"`,
      '    ISTIO_META_DNS_AUTO_ALLOCATE: "true"',
    ].join('\n');
  const setMeshConfig = (aliases: string[], dnsCapture: boolean) =>
    kube.fake!.store.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'istio', namespace: 'istio-system' },
      data: { mesh: meshConfig(aliases, dnsCapture), meshNetworks: 'networks: {}' },
    });

  const diagnostics = async (token = tenant.adminToken) =>
    controller.request('GET', `/v1/global-namespaces/${gnsId}/diagnostics`, { token });
  const eastFindings = (view: Diagnostics) =>
    view.findings.filter((finding) => finding.clusterId === eastId).map((finding) => finding.code);
  const meshReady = async (clusterId: string) => {
    const view = (await controller.request('GET', `/v1/clusters/${clusterId}`, { token: tenant.adminToken }))
      .json as { conditions: Condition[] };
    return view.conditions.find((condition) => condition.type === 'MeshReady')!;
  };

  beforeAll(async () => {
    // The fixture needs the store (Service status, Nodes); a real cluster has its own Istio.
    kube = await kubeTarget({ bookmarkIntervalMs: 1_000 }, {});
    const store = kube.fake!.store;
    store.apply({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'istio-system', labels: { 'topology.istio.io/network': 'net-east' } },
    });
    store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    setMeshConfig(['other.example'], false);
    store.apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'istiod',
        namespace: 'istio-system',
        labels: { app: 'istiod', 'istio.io/rev': 'default', 'operator.istio.io/version': '1.24.2' },
      },
      spec: {
        selector: { matchLabels: { app: 'istiod' } },
        template: {
          metadata: { labels: { app: 'istiod' } },
          spec: { containers: [{ name: 'discovery', image: 'docker.io/istio/pilot:1.24.2-distroless' }] },
        },
      },
    });
    store.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: {
        name: 'istio-eastwestgateway',
        namespace: 'istio-system',
        labels: { istio: 'eastwestgateway', app: 'istio-eastwestgateway' },
      },
      spec: {
        type: 'LoadBalancer',
        selector: { istio: 'eastwestgateway' },
        ports: [
          { name: 'status-port', port: 15021, targetPort: 15021, protocol: 'TCP' },
          { name: 'tls', port: 15443, targetPort: 15443, protocol: 'TCP' },
        ],
      },
    });
    store.setStatus(
      { apiVersion: 'v1', kind: 'Service', namespace: 'istio-system', name: 'istio-eastwestgateway' },
      { loadBalancer: { ingress: [{ ip: '203.0.113.10' }] } },
    );
    for (const [name, zone] of [
      ['node-a', 'us-east-1a'],
      ['node-b', 'us-east-1b'],
    ])
      store.apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: {
          name,
          labels: { 'topology.kubernetes.io/region': 'us-east-1', 'topology.kubernetes.io/zone': zone },
        },
      });
    // An AUTO_PASSTHROUGH Gateway on the east-west pods that does not route the GNS domain (Istio's
    // sample has *.local, which would cover this .local domain), and one on other pods that would.
    const passthroughGateway = (name: string, selector: Record<string, string>, hosts: string[]) => ({
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name, namespace: 'istio-system' },
      spec: {
        selector,
        servers: [
          { port: { number: 15443, name: 'tls', protocol: 'TLS' }, tls: { mode: 'AUTO_PASSTHROUGH' }, hosts },
        ],
      },
    });
    store.apply(
      passthroughGateway('cross-network-gateway', { istio: 'eastwestgateway' }, ['*.svc.cluster.local']),
    );
    store.apply(passthroughGateway('partner-gateway', { istio: 'partnergateway' }, ['*']));
    store.apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'cart', namespace, labels: { app: 'cart' } },
      spec: {
        selector: { app: 'cart' },
        ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }],
      },
    });

    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'meshdiag');
    other = await createTenant(controller, 'meshdiag-other');
    const east = await createCluster(controller, tenant.adminToken, 'k8s-east', '203.0.113.10');
    const west = await createCluster(controller, tenant.adminToken, 'file-west', '203.0.113.20');
    const old = await createCluster(controller, tenant.adminToken, 'old-agent', '203.0.113.30');
    eastId = east.id;
    oldId = old.id;
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain,
        matchConditions: ['k8s-east', 'file-west', 'old-agent'].map((cluster) => ({
          cluster: { type: 'EXACT', value: cluster },
          namespace: { type: 'EXACT', value: namespace },
        })),
      },
    });
    expect(gns.status).toBe(201);
    gnsId = (gns.json as { id: string }).id;

    const eastAgent = new AgentProcess('k8s-east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: east.controllerCaPem,
      bootstrapToken: east.bootstrapToken,
      kubeconfigPath: kube.kubeconfigPath,
      inventory: 'kubernetes',
      extraArgs: ['--mesh-refresh-seconds', '1'],
    });
    const inventory = (name: string) => ({
      namespaces: [{ name: namespace }],
      services: [
        {
          namespace,
          name,
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
          endpointGroups: [{ labels: { app: name }, ready: 1 }],
        },
      ],
    });
    const westAgent = new AgentProcess('file-west', {
      controllerAddress: () => controller.grpcAddress,
      caPem: west.controllerCaPem,
      bootstrapToken: west.bootstrapToken,
    });
    westAgent.writeInventory({
      ...inventory('ratings'),
      mesh: {
        trustDomain: 'cluster.local',
        trustDomainAliases: [domain],
        dnsCapture: true,
        dnsAutoAllocate: true,
        network: 'net-west',
        istioVersion: '1.24.1',
        eastWestGateway: { addresses: ['203.0.113.20'], ports: [15021, 15443] },
        localities: [{ region: 'eu-west-1', zone: 'eu-west-1a', nodes: 3 }],
      },
    });
    // No mesh section: this agent reports nothing, as an agent older than the report.
    const oldAgent = new AgentProcess('old-agent', {
      controllerAddress: () => controller.grpcAddress,
      caPem: old.controllerCaPem,
      bootstrapToken: old.bootstrapToken,
    });
    oldAgent.writeInventory(inventory('reviews'));
    agents.push(eastAgent, westAgent, oldAgent);
    for (const agent of agents) agent.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await controller?.stop();
    await database?.drop();
    await kube?.close();
  });

  it('reports the missing alias and DNS capture off, with fixes, over REST and GraphQL, and MeshReady False', async () => {
    const response = await eventually(
      diagnostics,
      (r) => {
        const view = r.json as Diagnostics;
        return (
          r.status === 200 &&
          view.clusters.length === 3 &&
          view.clusters.every((c) => c.name === 'old-agent' || c.installation)
        );
      },
      60_000,
    );
    const view = response.json as Diagnostics;
    expect(view.domain).toBe(domain);
    expect(eastFindings(view).sort()).toEqual(['DNS_CAPTURE_OFF', 'TRUST_DOMAIN_ALIAS_MISSING']);
    const alias = view.findings.find((f) => f.code === 'TRUST_DOMAIN_ALIAS_MISSING')!;
    expect(alias).toMatchObject({ severity: 'ERROR', clusterName: 'k8s-east' });
    expect(alias.fix).toContain(`trustDomainAliases:\n    - other.example\n    - ${domain}`);
    expect(view.findings.find((f) => f.code === 'DNS_CAPTURE_OFF')!.fix).toContain(
      'ISTIO_META_DNS_CAPTURE: "true"',
    );
    // The file-mode cluster is clean; the one that never reported is unknown ("agent too old").
    expect(view.findings.filter((f) => f.clusterName === 'file-west')).toEqual([]);
    const unknown = view.findings.filter((f) => f.clusterId === oldId);
    expect(unknown.map((f) => f.code)).toEqual(['INSTALLATION_UNKNOWN']);
    expect(unknown[0]!.message).toContain('unknown (agent too old');
    // What the Kubernetes-mode agent read.
    const eastInstallation = view.clusters.find((c) => c.id === eastId)!.installation;
    expect(eastInstallation).toMatchObject({
      trustDomain: 'cluster.local',
      trustDomainAliases: ['other.example'],
      dnsCapture: false,
      dnsAutoAllocate: true,
      network: 'net-east',
      istioVersion: '1.24.2',
      revision: 'default',
      eastWestGateway: {
        namespace: 'istio-system',
        name: 'istio-eastwestgateway',
        addresses: ['203.0.113.10'],
      },
      localities: [
        { region: 'us-east-1', zone: 'us-east-1a', nodes: 1 },
        { region: 'us-east-1', zone: 'us-east-1b', nodes: 1 },
      ],
      source: 'kubernetes',
    });

    const graphql = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: {
        query: `query($id: ID!) { globalNamespace(id: $id) { diagnostics { errors findings { severity code clusterId clusterName message fix } } } }`,
        variables: { id: gnsId },
      },
    });
    const data = (
      graphql.json as { data: { globalNamespace: { diagnostics: { errors: number; findings: Finding[] } } } }
    ).data;
    expect(data.globalNamespace.diagnostics.findings).toEqual(view.findings);
    expect(data.globalNamespace.diagnostics.errors).toBe(view.summary.ERROR);

    const cluster = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: {
        query: `query($id: ID!) { cluster(id: $id) { meshInstallation { trustDomainAliases dnsCapture network source } } }`,
        variables: { id: eastId },
      },
    });
    expect((cluster.json as { data: unknown }).data).toEqual({
      cluster: {
        meshInstallation: {
          trustDomainAliases: ['other.example'],
          dnsCapture: false,
          network: 'net-east',
          source: 'kubernetes',
        },
      },
    });

    // Until the other members' installations are in, east may be False for DNS capture alone.
    const ready = await eventually(
      () => meshReady(eastId),
      (c) => c.status === 'False' && c.message.includes('TRUST_DOMAIN_ALIAS_MISSING'),
      30_000,
    );
    expect(ready.reason).toMatch(/^(TrustDomainAliasMissing|DnsCaptureOff)$/);
    expect(ready.message).toContain('TRUST_DOMAIN_ALIAS_MISSING (GNS shop)');
    expect(ready.message).toContain('DNS_CAPTURE_OFF (GNS shop)');
    expect(await meshReady(oldId)).toMatchObject({ status: 'Unknown', reason: 'InstallationUnknown' });
  }, 120_000);

  it('clears the findings and turns MeshReady True once the mesh config is fixed', async () => {
    setMeshConfig(['other.example', domain], true);
    const fixed = await eventually(
      diagnostics,
      (r) => eastFindings(r.json as Diagnostics).length === 0,
      30_000,
    );
    expect((fixed.json as Diagnostics).clusters.find((c) => c.id === eastId)!.installation).toMatchObject({
      trustDomainAliases: ['other.example', domain],
    });
    const ready = await eventually(
      () => meshReady(eastId),
      (c) => c.status === 'True',
      30_000,
    );
    expect(ready.reason).toBe('Ready');
  }, 90_000);

  it('checks an existing east-west Gateway: an error with a Gateway that works until one routes the domain', async () => {
    const sample = {
      namespace: 'istio-system',
      name: 'cross-network-gateway',
      selector: { istio: 'eastwestgateway' },
      hosts: ['*.svc.cluster.local'],
    };
    const partner = {
      namespace: 'istio-system',
      name: 'partner-gateway',
      selector: { istio: 'partnergateway' },
      hosts: ['*'],
    };
    // While Lattice renders its own Gateway (it does, through the Kubernetes sink), that one is not reported.
    const lattice = await eventually(
      async () => kube.fake!.store.list('networking.istio.io/v1', 'Gateway', 'istio-system'),
      (gateways) =>
        gateways.some((gateway) => (gateway.metadata?.name ?? '').startsWith('lattice-eastwest-')),
      30_000,
    );
    expect(lattice.map((gateway) => gateway.metadata?.name)).toHaveLength(3);
    const before = await diagnostics();
    expect(
      (before.json as Diagnostics).clusters.find((c) => c.id === eastId)!.installation!.passthroughGateways,
    ).toEqual([sample, partner]);

    const current = await controller.request('GET', `/v1/clusters/${eastId}`, { token: tenant.adminToken });
    const updated = await controller.request('PUT', `/v1/clusters/${eastId}`, {
      token: tenant.adminToken,
      headers: { 'if-match': current.headers.get('etag')! },
      body: { eastWestGatewayManaged: false },
    });
    expect(updated.status).toBe(200);

    const missing = await eventually(
      diagnostics,
      (r) => eastFindings(r.json as Diagnostics).includes('EAST_WEST_GATEWAY_HOSTS_MISSING'),
      30_000,
    );
    const finding = (missing.json as Diagnostics).findings.find(
      (f) => f.code === 'EAST_WEST_GATEWAY_HOSTS_MISSING',
    )!;
    expect(finding).toMatchObject({ severity: 'ERROR', clusterId: eastId, clusterName: 'k8s-east' });
    expect(finding.message).toContain(
      'the AUTO_PASSTHROUGH Gateways on the gateway pods (istio=eastwestgateway) route only ' +
        'istio-system/cross-network-gateway: *.svc.cluster.local',
    );
    expect(finding.fix).toContain(`hosts: ['*.${domain}']`);
    expect(finding.fix).toContain('  selector:\n    istio: eastwestgateway\n');
    const notReady = await eventually(
      () => meshReady(eastId),
      (c) => c.status === 'False',
      30_000,
    );
    expect(notReady).toMatchObject({ reason: 'EastWestGatewayHostsMissing' });
    expect(notReady.message).toContain('EAST_WEST_GATEWAY_HOSTS_MISSING (GNS shop)');

    // The Gateway the fix gives (its YAML, applied as it is).
    const yaml = finding.fix.slice(finding.fix.indexOf('apiVersion:'), finding.fix.indexOf('\nEOF'));
    const { parse } = await import('yaml');
    kube.fake!.store.apply(parse(yaml));
    const fixed = await eventually(
      diagnostics,
      (r) => eastFindings(r.json as Diagnostics).length === 0,
      30_000,
    );
    expect(
      (fixed.json as Diagnostics).clusters.find((c) => c.id === eastId)!.installation!.passthroughGateways,
    ).toContainEqual({
      namespace: 'istio-system',
      name: `eastwest-${domain.replaceAll('.', '-')}`,
      selector: { istio: 'eastwestgateway' },
      hosts: [`*.${domain}`],
    });
    expect(
      await eventually(
        () => meshReady(eastId),
        (c) => c.status === 'True',
        30_000,
      ),
    ).toMatchObject({ reason: 'Ready' });

    const graphql = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: {
        query: `query($id: ID!) { cluster(id: $id) { meshInstallation { passthroughGateways { namespace name selector hosts } } } }`,
        variables: { id: eastId },
      },
    });
    const reported = (
      graphql.json as { data: { cluster: { meshInstallation: { passthroughGateways: unknown[] } } } }
    ).data.cluster.meshInstallation.passthroughGateways;
    expect(reported).toEqual(
      (fixed.json as Diagnostics).clusters.find((c) => c.id === eastId)!.installation!.passthroughGateways,
    );
  }, 120_000);

  it('answers 404 for another tenant, 404 for an unknown GNS or a malformed id', async () => {
    expect((await diagnostics(other.adminToken)).status).toBe(404);
    const unknown = await controller.request(
      'GET',
      '/v1/global-namespaces/00000000-0000-4000-8000-000000000000/diagnostics',
      { token: tenant.adminToken },
    );
    expect(unknown.status).toBe(404);
    const malformed = await controller.request('GET', '/v1/global-namespaces/nope/diagnostics', {
      token: tenant.adminToken,
    });
    // ResourceIdPipe: an id that is not a UUID names no resource.
    expect(malformed.status).toBe(404);
    expect(
      (
        await controller.request('GET', `/v1/clusters/${eastId}/mesh-installation`, {
          token: other.adminToken,
        })
      ).status,
    ).toBe(404);
    const graphql = await controller.request('POST', '/graphql', {
      token: other.adminToken,
      body: {
        query: `query($id: ID!) { globalNamespace(id: $id) { diagnostics { errors } } }`,
        variables: { id: gnsId },
      },
    });
    expect(JSON.stringify(graphql.json)).toMatch(/NOT_FOUND|not found/i);
  }, 30_000);
});
