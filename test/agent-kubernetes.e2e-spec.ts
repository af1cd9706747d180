import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { stringify as stringifyYaml } from 'yaml';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { call, kubeTarget, REAL_CLUSTER_ENV, type KubeTarget } from './support/kube-api-server';
import { assertIstioClean, type AnalyzedObject } from './support/istio-analyzer';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

type Condition = {
  type: string;
  status: string;
  reason: string;
  message: string;
  lastTransitionTime: string;
};
type ClusterView = {
  status: string;
  desiredVersion: number;
  appliedVersion: number;
  inventory: { namespaces: number; services: number; updatedAt: string | null };
  conditions: Condition[];
};
type GnsService = { name: string; instances: { clusterId: string; namespace: string }[] };

/**
 * The real controller and a real agent process in Kubernetes mode (`--inventory=kubernetes
 * --sink=kubernetes`) against the test API server (test/support/kube-api-server), or against the
 * cluster of LATTICE_TEST_KUBECONFIG (then the fault-injection tests skip). A second cluster runs a
 * file-source agent, so the GNS spans two clusters and we can see what the other cluster is sent.
 *
 * What it proves: the inventory is reported only after a complete sync; 403s, 5xx, list timeouts
 * and 410 Gone turn InventorySynced False (with the reason) or cause a relist, but never shrink the
 * cluster's inventory, its services in the GNS, or the endpoints the other cluster receives; healing
 * turns it True again; an unusable kubeconfig stops the agent at start-up with a clear message.
 */
describe('agent in Kubernetes mode against an API server', () => {
  const namespace = `lattice-e2e-${randomBytes(3).toString('hex')}`;
  const domain = `${namespace}.lattice.local`;
  let kube: KubeTarget;
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let eastId: string;
  let gnsId: string;
  let east: AgentProcess;
  let west: AgentProcess;
  let controllerCaPem: string;
  const agents: AgentProcess[] = [];
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-k8s-e2e-'));

  const clusterView = async (id: string) =>
    (await controller.request('GET', `/v1/clusters/${id}`, { token: tenant.adminToken }))
      .json as unknown as ClusterView;
  const condition = (view: ClusterView, type: string) => view.conditions.find((c) => c.type === type)!;
  const inventorySynced = (id: string, status: string, reason?: string, timeoutMs = 60_000) =>
    eventually(
      () => clusterView(id),
      (view) =>
        condition(view, 'InventorySynced').status === status &&
        (reason === undefined || condition(view, 'InventorySynced').reason === reason),
      timeoutMs,
    );
  const gnsServices = async () =>
    (
      (
        await controller.request('GET', `/v1/global-namespaces/${gnsId}/services`, {
          token: tenant.adminToken,
        })
      ).json as unknown as { items: GnsService[] }
    ).items;
  /** The GNS services that have an instance in the Kubernetes-mode cluster. */
  const eastServices = async () =>
    (await gnsServices())
      .filter((svc) => svc.instances.some((instance) => instance.clusterId === eastId))
      .map((svc) => svc.name)
      .sort();
  /** What the other cluster is sent: its ServiceEntry for `name` names east's east-west gateway. */
  const westReaches = (name: string) =>
    west
      .readManifests((file) => file.startsWith('serviceentry.') && file.includes(name))
      .some((text) => text.includes(`${name}.${domain}`) && text.includes('203.0.113.10'));

  /** Server-side apply through the API, so the same set-up works on a real cluster. */
  const apply = async (apiPath: string, object: Record<string, unknown>) => {
    const response = await call(kube.endpoint, 'PATCH', `${apiPath}?fieldManager=lattice-e2e&force=true`, {
      body: object,
      contentType: 'application/apply-patch+yaml',
    });
    if (response.status >= 300) throw new Error(`apply ${apiPath}: ${response.status} ${response.text}`);
  };
  const addService = async (name: string, ready: number) => {
    await apply(`/api/v1/namespaces/${namespace}/services/${name}`, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace, labels: { app: name } },
      spec: { ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }] },
    });
    await apply(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices/${name}-e2e`, {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `${name}-e2e`, namespace, labels: { 'kubernetes.io/service-name': name } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
      endpoints: Array.from({ length: ready }, (_, i) => ({
        addresses: [`10.1.0.${i + 10}`],
        conditions: { ready: true },
      })),
    });
  };
  /** The fault-injection tests need the fake server (kubeTarget's choice, known before it starts). */
  const fakeOnly = () => (process.env[REAL_CLUSTER_ENV] ? it.skip : it);

  beforeAll(async () => {
    kube = await kubeTarget({ bookmarkIntervalMs: 1_000 });
    await apply(`/api/v1/namespaces/${namespace}`, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    // The sink writes the mesh CA Secrets to istio-system, which Istio's installation creates on a real cluster.
    if (!kube.real)
      await apply('/api/v1/namespaces/istio-system', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'istio-system' },
      });
    await addService('cart', 2);
    await addService('checkout', 1);

    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'kube');
    const eastCluster = await createCluster(controller, tenant.adminToken, 'k8s-east', '203.0.113.10', {
      network: 'net-east',
    });
    const westCluster = await createCluster(controller, tenant.adminToken, 'file-west', '203.0.113.20', {
      network: 'net-west',
    });
    eastId = eastCluster.id;
    controllerCaPem = eastCluster.controllerCaPem;
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'kube',
        domain,
        matchConditions: ['k8s-east', 'file-west'].map((cluster) => ({
          cluster: { type: 'EXACT', value: cluster },
          namespace: { type: 'EXACT', value: namespace },
        })),
      },
    });
    expect(gns.status).toBe(201);
    gnsId = (gns.json as { id: string }).id;

    east = new AgentProcess('k8s-east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: eastCluster.controllerCaPem,
      bootstrapToken: eastCluster.bootstrapToken,
      kubeconfigPath: kube.kubeconfigPath,
      inventory: 'kubernetes',
      extraArgs: ['--kube-timeout-seconds', '3'],
    });
    west = new AgentProcess('file-west', {
      controllerAddress: () => controller.grpcAddress,
      caPem: westCluster.controllerCaPem,
      bootstrapToken: westCluster.bootstrapToken,
    });
    west.writeInventory({
      namespaces: [{ name: namespace }],
      services: [
        {
          namespace,
          name: 'ratings',
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
          endpointGroups: [{ labels: { app: 'ratings' }, ready: 1 }],
        },
      ],
    });
    agents.push(east, west);
    west.start();
    east.start();
  }, 120_000);

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    if (kube?.real)
      await call(kube.endpoint, 'DELETE', `/api/v1/namespaces/${namespace}`).catch(() => undefined);
    await controller?.stop();
    await database?.drop();
    await kube?.close();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  afterEach(() => {
    kube.fake?.faults.clear();
  });

  it('syncs, reports the conditions, and the services reach the GNS and the other cluster', async () => {
    const view = await inventorySynced(eastId, 'True', 'Synced');
    expect(view.status).toBe('CONNECTED');
    expect(condition(view, 'InventorySynced').message).toBe(
      'listed and watching namespaces, services, endpointslices, pods',
    );
    expect(condition(view, 'Connected')).toMatchObject({ status: 'True', reason: 'StreamOpen' });
    await eventually(eastServices, (names) => names.join() === 'cart,checkout', 60_000);
    await eventually(async () => westReaches('cart') && westReaches('checkout'), Boolean, 60_000);
    // The Kubernetes sink applied the snapshot and ACKed it.
    const applied = await eventually(
      () => clusterView(eastId),
      (c) => c.desiredVersion > 0 && c.appliedVersion === c.desiredVersion,
      60_000,
    );
    expect(condition(applied, 'ApplySucceeded')).toMatchObject({ status: 'True', reason: 'SnapshotApplied' });
    // What the Kubernetes sink applied, read back from the API server, passes the Istio analysis
    // and includes the east-west Gateway for the GNS domain.
    const inCluster: AnalyzedObject[] = [];
    for (const [group, resource] of [
      ['networking.istio.io', 'serviceentries'],
      ['networking.istio.io', 'destinationrules'],
      ['networking.istio.io', 'virtualservices'],
      ['networking.istio.io', 'gateways'],
      ['security.istio.io', 'peerauthentications'],
      ['security.istio.io', 'authorizationpolicies'],
    ] as const) {
      const listed = await call(
        kube.endpoint,
        'GET',
        `/apis/${group}/v1/${resource}?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dlattice`,
      );
      expect(listed.status).toBe(200);
      const kind = (listed.body as { kind: string }).kind.replace(/List$/, '');
      for (const item of (listed.body as { items: AnalyzedObject[] }).items)
        inCluster.push({ ...item, kind, apiVersion: `${group}/v1` });
    }
    expect(inCluster.filter((object) => object.kind === 'Gateway').map((gateway) => gateway.spec)).toEqual([
      expect.objectContaining({ servers: [expect.objectContaining({ hosts: [`*.${domain}`] })] }),
    ]);
    expect(() => assertIstioClean(inCluster)).not.toThrow();
  }, 180_000);

  /**
   * While `fault` holds, InventorySynced is False with `reason`, and nothing of east's inventory
   * is lost: never fewer namespaces or services, the same GNS services, and the other cluster still
   * gets east's endpoints. (Resources that still read fine keep updating: a service added meanwhile
   * may appear at once unless services are what fails.) Once the fault is gone the condition is
   * True again and the added service is in the GNS.
   */
  const survives = async (reason: string, fault: () => { remove(): void }, added: string) => {
    await inventorySynced(eastId, 'True');
    const before = await clusterView(eastId);
    const handle = fault();
    try {
      const failing = await inventorySynced(eastId, 'False', reason);
      expect(condition(failing, 'InventorySynced').message).toMatch(
        /retrying with backoff, the last good inventory is kept/,
      );
      await addService(added, 1);
      // Give a broken agent time to send an empty or partial inventory; a correct one never does.
      const deadline = Date.now() + 4_000;
      while (Date.now() < deadline) {
        const during = await clusterView(eastId);
        expect(during.inventory.namespaces).toBeGreaterThanOrEqual(before.inventory.namespaces);
        expect(during.inventory.services).toBeGreaterThanOrEqual(before.inventory.services);
        expect(await eastServices()).toEqual(expect.arrayContaining(['cart', 'checkout']));
        expect(westReaches('cart') && westReaches('checkout')).toBe(true);
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      expect(condition(await clusterView(eastId), 'InventorySynced').status).toBe('False');
    } finally {
      handle.remove();
    }
    await inventorySynced(eastId, 'True', 'Synced', 90_000);
    await eventually(eastServices, (names) => names.includes(added), 60_000);
    await eventually(async () => westReaches(added), Boolean, 60_000);
  };

  fakeOnly()(
    '403 on services: InventorySynced False (Forbidden), the services stay, then True again',
    async () => {
      const fake = kube.fake!;
      await survives(
        'Forbidden',
        () => {
          const rule = fake.faults.forbid({ resource: 'services', verb: ['list', 'watch'] });
          fake.faults.closeWatches(); // the open watches resume and meet the 403
          return rule;
        },
        'payments',
      );
      expect(east.logs).toMatch(/"resource":"services","reason":"Forbidden"/);
    },
    240_000,
  );

  fakeOnly()(
    '503 on EndpointSlices: InventorySynced False (ServerError), then True',
    async () => {
      const fake = kube.fake!;
      await survives(
        'ServerError',
        () => {
          const rule = fake.faults.fail({ resource: 'endpointslices', verb: ['list', 'watch'], status: 503 });
          fake.faults.closeWatches();
          return rule;
        },
        'shipping',
      );
    },
    240_000,
  );

  fakeOnly()(
    'a list that never answers: InventorySynced False (Timeout) after --kube-timeout-seconds, then True',
    async () => {
      const fake = kube.fake!;
      await survives(
        'Timeout',
        () => {
          const rule = fake.faults.hang({ verb: 'list', resource: 'namespaces' });
          fake.faults.expireWatches(); // every watch ends with 410 Gone: the agent relists everything
          return rule;
        },
        'billing',
      );
    },
    240_000,
  );

  fakeOnly()(
    '410 Gone on every watch: the agent relists without losing anything and stays synced',
    async () => {
      const fake = kube.fake!;
      await inventorySynced(eastId, 'True');
      const before = await clusterView(eastId);
      const servicesBefore = await eastServices();
      const lists = () => fake.requests({ verb: 'list' }).length;
      const listsBefore = lists();
      fake.faults.expireWatches();
      await addService('search', 1);
      await eventually(
        async () => lists(),
        (n) => n >= listsBefore + 4,
        30_000,
      );
      await eventually(
        eastServices,
        (names) => names.join() === [...servicesBefore, 'search'].sort().join(),
        60_000,
      );
      const after = await inventorySynced(eastId, 'True', 'Synced');
      expect(after.inventory.services).toBe(before.inventory.services + 1);
      await eventually(async () => westReaches('cart') && westReaches('search'), Boolean, 60_000);
    },
    180_000,
  );

  fakeOnly()(
    'an agent restarted while services are forbidden reports no inventory: the cluster keeps its services',
    async () => {
      const fake = kube.fake!;
      await inventorySynced(eastId, 'True');
      const before = await clusterView(eastId);
      const servicesBefore = await eastServices();
      await east.stop();
      const rule = fake.faults.forbid({ resource: 'services', verb: ['list', 'watch'] });
      try {
        east.start();
        const failing = await inventorySynced(eastId, 'False', 'Forbidden');
        expect(failing.status).toBe('CONNECTED');
        expect(condition(failing, 'InventorySynced').message).toMatch(
          /^services: services is forbidden: User ".*" cannot list resource "services" .*no inventory is reported until every resource was read once$/,
        );
        // Time for a broken agent to report what it could read (namespaces, but no services).
        await new Promise((resolve) => setTimeout(resolve, 4_000));
        expect((await clusterView(eastId)).inventory).toEqual(before.inventory);
        expect(await eastServices()).toEqual(servicesBefore);
        expect(westReaches('cart') && westReaches('checkout')).toBe(true);
      } finally {
        rule.remove();
      }
      await inventorySynced(eastId, 'True', 'Synced', 90_000);
      expect(await eastServices()).toEqual(servicesBefore);
    },
    180_000,
  );

  it('credentials the API server refuses: InventorySynced False (Unauthorized), and no inventory is ever reported', async () => {
    // The target's server and CA with a token it never issued (works for token and certificate kubeconfigs).
    const kubeconfig = path.join(tmp, 'wrong-token.kubeconfig');
    const { url, caPem, insecureSkipTlsVerify } = kube.endpoint;
    fs.writeFileSync(
      kubeconfig,
      stringifyYaml({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'refused',
        clusters: [
          {
            name: 'target',
            cluster: {
              server: url,
              ...(caPem ? { 'certificate-authority-data': Buffer.from(caPem).toString('base64') } : {}),
              ...(insecureSkipTlsVerify ? { 'insecure-skip-tls-verify': true } : {}),
            },
          },
        ],
        users: [{ name: 'stranger', user: { token: `not-the-token-${randomBytes(8).toString('hex')}` } }],
        contexts: [{ name: 'refused', context: { cluster: 'target', user: 'stranger' } }],
      }),
    );
    const cluster = await createCluster(controller, tenant.adminToken, 'k8s-refused', '203.0.113.30');
    const refused = new AgentProcess('k8s-refused', {
      controllerAddress: () => controller.grpcAddress,
      caPem: cluster.controllerCaPem,
      bootstrapToken: cluster.bootstrapToken,
      kubeconfigPath: kubeconfig,
      inventory: 'kubernetes',
    });
    agents.push(refused);
    refused.start();
    const view = await inventorySynced(cluster.id, 'False', 'Unauthorized');
    expect(view.status).toBe('CONNECTED');
    expect(condition(view, 'InventorySynced').message).toMatch(
      /no inventory is reported until every resource was read once/,
    );
    expect(view.inventory).toEqual({ namespaces: 0, services: 0, updatedAt: null });
    await refused.stop();
  }, 120_000);

  it.each([
    [
      'a kubeconfig file that does not exist',
      () => path.join(tmp, 'missing.kubeconfig'),
      /cannot load the kubeconfig from KUBECONFIG=.*missing\.kubeconfig/,
    ],
    [
      'a kubeconfig without a current context',
      () => {
        const file = path.join(tmp, 'no-context.kubeconfig');
        fs.writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
        return file;
      },
      /has no usable current context \(current-context is not set\)/,
    ],
  ])(
    '%s: the agent stops at start-up with a clear message',
    async (_, kubeconfigPath, message) => {
      const agent = new AgentProcess('k8s-broken', {
        controllerAddress: () => controller.grpcAddress,
        caPem: controllerCaPem,
        bootstrapToken: 'lbt_unused',
        kubeconfigPath: kubeconfigPath(),
        inventory: 'kubernetes',
      });
      agents.push(agent);
      agent.start();
      expect(await agent.exited(30_000)).toBe(2);
      expect(agent.logs).toMatch(message);
      expect(agent.logs).toMatch(/^lattice-agent: --inventory=kubernetes: /m);
    },
    60_000,
  );
});
