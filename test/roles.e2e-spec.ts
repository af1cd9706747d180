import net from 'node:net';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

/** Whether something accepts TCP connections on the port. */
const listening = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });

/**
 * LATTICE_ROLES: one replica per role, sharing PostgreSQL and Redis. Users talk to the `api`
 * replica, the agent to the `agent-gateway` replica (which stores its telemetry), and only the
 * `worker` replica runs jobs (here the desired-state recomputation): a change made through the API
 * reaches the agent only because the three work together.
 */
describe('controller roles deployed separately', () => {
  let database: TestDatabase;
  let api: ControllerProcess;
  let gateway: ControllerProcess;
  let worker: ControllerProcess;
  let tenant: TestTenant;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    api = new ControllerProcess({ databaseUrl: database.url, env: { LATTICE_ROLES: 'api' } });
    await api.start();
    const shared = {
      databaseUrl: database.url,
      operatorToken: api.operatorToken,
      masterKey: api.masterKey,
      redisPrefix: api.redisPrefix,
    };
    gateway = new ControllerProcess({ ...shared, env: { LATTICE_ROLES: 'agent-gateway' } });
    worker = new ControllerProcess({ ...shared, env: { LATTICE_ROLES: 'worker' } });
    await Promise.all([gateway.start(), worker.start()]);
    tenant = await createTenant(api, 'roles');
  });

  afterAll(async () => {
    await agent?.stop();
    await Promise.all([api?.stop(), gateway?.stop(), worker?.stop()]);
    await database?.drop();
  });

  it('serves each role on its own replica, and probes on all of them', async () => {
    for (const replica of [api, gateway, worker]) {
      expect((await replica.request('GET', '/readyz')).status).toBe(200);
    }
    for (const replica of [gateway, worker]) {
      const refused = await replica.request('GET', '/v1/clusters', { token: tenant.adminToken });
      expect(refused.status).toBe(404);
      expect(refused.json.message).toMatch(/this replica does not serve the API \(LATTICE_ROLES=/);
    }
    expect(await listening(gateway.grpcPort)).toBe(true);
    expect(await listening(api.grpcPort)).toBe(false);
    expect(await listening(worker.grpcPort)).toBe(false);
  });

  it('gets a change made through the api replica to an agent on the gateway replica through the worker', async () => {
    const cluster = await createCluster(api, tenant.adminToken, 'east', '203.0.113.10');
    agent = new AgentProcess('east', {
      controllerAddress: () => gateway.grpcAddress,
      caPem: cluster.controllerCaPem,
      bootstrapToken: cluster.bootstrapToken,
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [{ namespace: 'shop', name: 'cart', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] }],
    });
    agent.start();
    const view = () =>
      api
        .request('GET', `/v1/clusters/${cluster.id}`, { token: tenant.adminToken })
        .then(
          (response) => response.json as { status: string; desiredVersion: number; appliedVersion: number },
        );
    const connected = await eventually(
      view,
      (c) => c.status === 'CONNECTED' && c.appliedVersion === c.desiredVersion,
      60_000,
    );
    const gns = await api.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    expect(gns.status).toBe(201);
    // Recomputed by the worker, pushed by the gateway, applied by the agent.
    await eventually(
      view,
      (c) => c.desiredVersion > connected.desiredVersion && c.appliedVersion === c.desiredVersion,
      60_000,
    );
    const metrics = async (replica: ControllerProcess) => (await fetch(replica.metricsUrl)).text();
    expect(await metrics(gateway)).toMatch(/^lattice_connected_agents 1$/m);
    expect(await metrics(api)).toMatch(/^lattice_connected_agents 0$/m);
  }, 180_000);
});
