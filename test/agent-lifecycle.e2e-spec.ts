import { ControllerProcess } from './support/controller-process';
import { AgentProcess, type InventoryFile } from './support/agent-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createTenant, type TestTenant } from './support/tenants';

type ClusterView = {
  status: string;
  desiredVersion: number;
  appliedVersion: number;
  inventory: { services: number };
  lastNack: unknown;
};

/** The rendered plug-in CA Secret of GNS `shop` (libs/istio render-ca-secret). */
const SHOP_CA_SECRET = 'secret.istio-system.lattice-cacerts-shop.yaml';

const bookinfo = (namespace: string, services: string[]): InventoryFile => ({
  namespaces: [{ name: namespace }],
  services: services.map((name) => ({
    namespace,
    name,
    ports: [{ name: 'http', port: 9080, protocol: 'HTTP' }],
    endpointGroups: [{ labels: { app: name, version: 'v1' }, ready: 1 }],
  })),
});

/**
 * Real controller processes, real agent processes (file source + directory sink): onboarding,
 * a Global Namespace reaching both clusters, restarts of either side, a second replica, and clean-up.
 */
describe('agents and controller replicas end to end', () => {
  let database: TestDatabase;
  let primary: ControllerProcess;
  let replica: ControllerProcess;
  let tenant: TestTenant;
  const agents: AgentProcess[] = [];

  const clusterView = async (id: string) =>
    (await primary.request('GET', `/v1/clusters/${id}`, { token: tenant.adminToken }))
      .json as unknown as ClusterView;
  /** Connected, and has applied a desired version newer than `after`. */
  const converged = (id: string, after = 0) =>
    eventually(
      () => clusterView(id),
      (c) => c.status === 'CONNECTED' && c.desiredVersion > after && c.appliedVersion === c.desiredVersion,
      30_000,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    primary = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await primary.start();
    replica = new ControllerProcess({
      databaseUrl: database.url,
      operatorToken: primary.operatorToken,
      masterKey: primary.masterKey,
      redisPrefix: primary.redisPrefix,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await replica.start();
    tenant = await createTenant(primary, 'fleet');
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await Promise.all([primary?.stop(), replica?.stop()]);
    await database?.drop();
  });

  it('onboards two clusters, spans them with a GNS, survives restarts on both sides, and cleans up', async () => {
    const ids: string[] = [];
    for (const [name, address, inventory] of [
      ['east', '203.0.113.10', bookinfo('bookinfo', ['productpage', 'reviews'])],
      ['west', '203.0.113.20', bookinfo('bookinfo', ['reviews', 'ratings'])],
    ] as const) {
      const created = await primary.request('POST', '/v1/clusters', {
        token: tenant.adminToken,
        body: { name, eastWestAddress: address },
      });
      const body = created.json as unknown as {
        cluster: { id: string };
        bootstrap: { token: string; controllerCaPem: string };
      };
      ids.push(body.cluster.id);
      // East talks to the primary, west to the replica: changes must cross replicas through Redis.
      const controller = name === 'east' ? primary : replica;
      const agent = new AgentProcess(name, {
        controllerAddress: () => controller.grpcAddress,
        caPem: body.bootstrap.controllerCaPem,
        bootstrapToken: body.bootstrap.token,
      });
      agent.writeInventory(inventory);
      agent.start();
      agents.push(agent);
    }
    const [eastId, westId] = ids as [string, string];
    const [east, west] = agents as [AgentProcess, AgentProcess];
    for (const id of ids)
      await eventually(
        () => clusterView(id),
        (c) => c.status === 'CONNECTED' && c.inventory.services === 2,
        30_000,
      );

    const versionsBefore = await Promise.all(ids.map(async (id) => (await clusterView(id)).desiredVersion));
    // A GNS created through the replica reaches the agent connected to the primary, and vice versa.
    const gns = await replica.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: ['east', 'west'].map((cluster) => ({
          cluster: { type: 'EXACT', value: cluster },
          namespace: { type: 'EXACT', value: 'bookinfo' },
        })),
      },
    });
    expect(gns.status).toBe(201);
    const gnsId = (gns.json as { id: string }).id;
    await Promise.all([converged(eastId, versionsBefore[0]), converged(westId, versionsBefore[1])]);
    const serviceEntries = (agent: AgentProcess) =>
      agent.manifests().filter((file) => file.startsWith('serviceentry.'));
    // A recompute for inventory may land just before the one for the GNS, and the GNS's CA
    // intermediate (CSR from the agent, signed, then a new snapshot) follows it: wait for the GNS's
    // objects and its CA Secret, so no version is still on its way when the processes are killed.
    for (const agent of agents)
      await eventually(
        async () => ({
          serviceEntries: serviceEntries(agent).length,
          caSecret: agent.manifests().includes(SHOP_CA_SECRET),
        }),
        (seen) => seen.serviceEntries === 3 && seen.caSecret,
        30_000,
      );
    await Promise.all([converged(eastId), converged(westId)]);
    const reviewsInEast = east
      .manifests()
      .find((file) => file.startsWith('serviceentry.') && file.includes('reviews'))!;
    const reviews = east.read(reviewsInEast);
    expect(reviews).toContain('reviews.shop.lattice.local');
    expect(reviews).toContain('reviews.bookinfo.svc.cluster.local'); // local instance
    expect(reviews).toContain('203.0.113.20'); // west's east-west gateway
    expect(east.manifests().some((file) => file.startsWith('peerauthentication.bookinfo.'))).toBe(true);

    // The controller dies hard and comes back: agents reconnect and nothing is lost.
    const before = await clusterView(eastId);
    await primary.stop('SIGKILL');
    await primary.start();
    const afterRestart = await eventually(
      () => clusterView(eastId),
      (c) => c.status === 'CONNECTED' && c.appliedVersion === before.appliedVersion,
      30_000,
    );
    expect(afterRestart.desiredVersion).toBe(before.desiredVersion);

    // The agent dies and comes back from its state folder (no new bootstrap), re-applying what it had.
    await east.stop('SIGKILL');
    const manifestsBefore = east.manifests();
    east.start();
    await converged(eastId);
    expect(east.manifests()).toEqual(manifestsBefore);
    expect(east.logs).not.toMatch(/bootstrap token .* (used|expired)/);

    // A service moves namespace in west: the GNS follows the live inventory.
    west.writeInventory({
      namespaces: [{ name: 'bookinfo' }, { name: 'legacy' }],
      services: [...bookinfo('bookinfo', ['reviews']).services, ...bookinfo('legacy', ['ratings']).services],
    });
    await eventually(
      async () => serviceEntries(east).filter((f) => f.includes('ratings')).length,
      (n) => n === 0,
      30_000,
    );
    await converged(westId);

    // Deleting the GNS removes everything it put in every cluster.
    expect(
      (await primary.request('DELETE', `/v1/global-namespaces/${gnsId}`, { token: tenant.adminToken }))
        .status,
    ).toBe(204);
    for (const agent of agents) {
      await eventually(
        async () => agent.manifests(),
        (files) => files.length === 0,
        30_000,
      );
    }
    await Promise.all([converged(eastId), converged(westId)]);
    expect((await clusterView(eastId)).lastNack).toBeNull();
  });
});
