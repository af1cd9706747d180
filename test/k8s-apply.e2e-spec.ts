/**
 * The real controller and a real agent process with `--sink kubernetes` against the test API server
 * (test/support/kube-api-server) serving Istio only as v1beta1: a refused apply is NACKed and
 * retried by the agent until it converges (no restart), objects are applied and pruned at the
 * discovered version with Lattice's ownership marks, and a user's cacerts is left alone unless the
 * cluster opted into take-over.
 */
import { AgentProcess, type InventoryFile } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { start, type KubeApiServer } from './support/kube-api-server';
import { createTenant, type TestTenant } from './support/tenants';

type ClusterView = {
  id: string;
  status: string;
  desiredVersion: number;
  appliedVersion: number;
  version: number;
  lastNack: { version: number; reason: string } | null;
};

const inventory: InventoryFile = {
  namespaces: [{ name: 'bookinfo' }],
  services: ['reviews', 'ratings'].map((name) => ({
    namespace: 'bookinfo',
    name,
    ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
    endpointGroups: [{ labels: { app: name, version: 'v1' }, ready: 1 }],
  })),
};

const namespaces = ['istio-system', 'bookinfo'].map((name) => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name },
}));

describe('the agent applying to Kubernetes, end to end', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  const agents: AgentProcess[] = [];
  const servers: KubeApiServer[] = [];

  const clusterView = async (id: string) =>
    (await controller.request('GET', `/v1/clusters/${id}`, { token: tenant.adminToken }))
      .json as unknown as ClusterView;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'k8s');
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await Promise.all(servers.map((server) => server.close()));
    await controller?.stop();
    await database?.drop();
  });

  async function onboard(name: string, kube: KubeApiServer) {
    const created = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name, eastWestAddress: '203.0.113.10' },
    });
    expect(created.status).toBe(201);
    const { cluster, bootstrap } = created.json as unknown as {
      cluster: ClusterView & { takeOverMeshCa: boolean };
      bootstrap: { token: string; controllerCaPem: string };
    };
    const agent = new AgentProcess(name, {
      controllerAddress: () => controller.grpcAddress,
      caPem: bootstrap.controllerCaPem,
      bootstrapToken: bootstrap.token,
      kubeconfigPath: kube.kubeconfigPath,
      // Info logs: the test reads "snapshot applied on retry" (the last --log-level wins).
      extraArgs: ['--log-level', 'info'],
    });
    agent.writeInventory(inventory);
    agent.start();
    agents.push(agent);
    return { cluster, agent };
  }

  async function globalNamespace(name: string, cluster: string): Promise<string> {
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name,
        domain: `${name}.lattice.local`,
        matchConditions: [
          { cluster: { type: 'EXACT', value: cluster }, namespace: { type: 'EXACT', value: 'bookinfo' } },
        ],
      },
    });
    expect(gns.status).toBe(201);
    return (gns.json as { id: string }).id;
  }

  const serviceEntries = (kube: KubeApiServer) =>
    kube.store.list('networking.istio.io/v1beta1', 'ServiceEntry').map((object) => object.metadata?.name);
  const cacerts = (kube: KubeApiServer) =>
    kube.store.get({ apiVersion: 'v1', kind: 'Secret', namespace: 'istio-system', name: 'cacerts' });

  it('NACKs a refused apply, retries it and converges without a restart; prunes at the served version', async () => {
    const kube = await start({ istioVersions: ['v1beta1'], resources: namespaces });
    servers.push(kube);
    const denied = kube.faults.forbid({ verb: 'patch', resource: 'serviceentries' });
    const { cluster, agent } = await onboard('east', kube);
    const gnsId = await globalNamespace('shop', 'east');

    const nacked = await eventually(
      () => clusterView(cluster.id),
      (view) => view.lastNack !== null && view.appliedVersion < view.desiredVersion,
      60_000,
    );
    expect(nacked.lastNack?.reason).toContain('serviceentries.networking.istio.io');
    expect(nacked.lastNack?.reason).toContain('is forbidden');
    expect(serviceEntries(kube)).toEqual([]);
    // Let the desired state settle (the GNS intermediate gets signed, adding the CA Secrets), so
    // that convergence below can only come from the agent's own retry, not from a new snapshot.
    await eventually(
      async () =>
        (await controller.request('GET', `/v1/global-namespaces/${gnsId}/ca`, { token: tenant.adminToken }))
          .json as { intermediates: { state: string }[] },
      (ca) => ca.intermediates.some((intermediate) => intermediate.state === 'SIGNED'),
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const settled = await eventually(
      () => clusterView(cluster.id),
      (view) => view.lastNack?.version === view.desiredVersion,
      60_000,
    );
    expect(settled.appliedVersion).toBeLessThan(settled.desiredVersion);

    // The cause goes away: the agent retries on its own (no new snapshot, no restart).
    denied.remove();
    const converged = await eventually(
      () => clusterView(cluster.id),
      (view) => view.status === 'CONNECTED' && view.appliedVersion === view.desiredVersion,
      90_000,
    );
    expect(converged.desiredVersion).toBe(settled.desiredVersion);
    expect(agent.logs).toContain('snapshot applied on retry');
    expect(agent.logs).not.toContain('agent stopped');
    expect(cacerts(kube)).toBeDefined();
    await eventually(
      async () => serviceEntries(kube).length,
      (count) => count > 0,
      30_000,
    );
    const entry = kube.store.list('networking.istio.io/v1beta1', 'ServiceEntry')[0];
    expect(entry?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'lattice' });
    expect(JSON.parse(entry?.metadata?.annotations?.['lattice.io/owner'] ?? '{}')).toMatchObject({
      cluster: cluster.id,
    });
    // Every Istio request went to the version the server serves.
    const istio = kube.requests().filter((request) => request.group?.endsWith('istio.io'));
    expect(new Set(istio.map((request) => request.version))).toEqual(new Set(['v1beta1']));

    // The cluster leaves its last GNS: everything Lattice made is pruned, at v1beta1.
    const deleted = await controller.request('DELETE', `/v1/global-namespaces/${gnsId}`, {
      token: tenant.adminToken,
    });
    expect(deleted.status).toBe(204);
    await eventually(
      async () => ({ entries: serviceEntries(kube), view: await clusterView(cluster.id) }),
      ({ entries, view }) => entries.length === 0 && view.appliedVersion === view.desiredVersion,
      60_000,
    );
    expect(cacerts(kube)).toBeUndefined();
  });

  it("leaves a user's cacerts alone and says so; takes it over once the cluster opts in", async () => {
    const usersCa = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'cacerts', namespace: 'istio-system' },
      type: 'Opaque',
      data: { 'ca-cert.pem': Buffer.from('users own CA').toString('base64') },
    };
    const kube = await start({ istioVersions: ['v1', 'v1beta1'], resources: [...namespaces, usersCa] });
    servers.push(kube);
    const { cluster } = await onboard('west', kube);
    expect(cluster.takeOverMeshCa).toBe(false);
    await globalNamespace('books', 'west');

    // Once the GNS intermediate is signed, the snapshot holds a cacerts: refused, the user's CA kept.
    const refused = await eventually(
      () => clusterView(cluster.id),
      (view) => view.lastNack?.reason.includes('Secret istio-system/cacerts exists') ?? false,
      90_000,
    );
    expect(refused.lastNack?.reason).toContain('takeOverMeshCa');
    expect(cacerts(kube)?.data).toEqual(usersCa.data);

    const updated = await controller.request('PUT', `/v1/clusters/${cluster.id}`, {
      token: tenant.adminToken,
      headers: { 'if-match': `"${refused.version}"` },
      body: { takeOverMeshCa: true },
    });
    expect(updated.status).toBe(200);
    await eventually(
      () => clusterView(cluster.id),
      (view) => view.desiredVersion > refused.desiredVersion && view.appliedVersion === view.desiredVersion,
      60_000,
    );
    const taken = cacerts(kube);
    expect(taken?.data).not.toEqual(usersCa.data);
    expect(JSON.parse(taken?.metadata?.annotations?.['lattice.io/owner'] ?? '{}')).toMatchObject({
      cluster: cluster.id,
      takenOver: true,
    });
  });
});
