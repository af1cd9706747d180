import * as grpc from '@grpc/grpc-js';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { agentClient, eventually, registerAgent, TestStream } from './support/grpc-agent-client';
import { createTenant, type TestTenant } from './support/tenants';

type Bootstrap = {
  cluster: { id: string; name: string };
  bootstrap: { token: string; controllerCaPem: string; command: string; expiresAt: string };
};

describe('agent protocol: registration, mTLS stream, inventory, bad input', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;

  const registerCluster = async (name: string): Promise<Bootstrap> => {
    const response = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name, eastWestAddress: '10.0.0.1', labels: { region: 'eu' } },
    });
    expect(response.status).toBe(201);
    return response.json as unknown as Bootstrap;
  };
  const cluster = async (id: string) =>
    (await controller.request('GET', `/v1/clusters/${id}`, { token: tenant.adminToken })).json;
  const hello = (clusterId: string) => ({ hello: { clusterId, appliedVersion: 0, agentVersion: 'test-1' } });
  const inventory = {
    inventory: {
      full: true,
      revision: 1,
      namespaces: [{ name: 'shop', labels: {} }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
          endpointGroups: [],
        },
      ],
    },
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'agents');
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  it('registers a cluster with a one-time token and the command that starts the agent', async () => {
    const created = await registerCluster('alpha');
    expect(created.bootstrap.token).toMatch(/^lbt_/);
    expect(created.bootstrap.command).toContain(created.bootstrap.token);
    expect(created.bootstrap.controllerCaPem).toContain('BEGIN CERTIFICATE');
    expect(new Date(created.bootstrap.expiresAt).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);
    expect(await cluster(created.cluster.id)).toMatchObject({
      status: 'PENDING',
      labels: { region: 'eu' },
      desiredVersion: 0,
    });
    const duplicate = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'alpha' },
    });
    expect(duplicate.status).toBe(409);
    const invalid = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'A_B', eastWestAddress: 'http://x:1' },
    });
    expect(invalid.status).toBe(400);
    expect((invalid.json.errors as { field: string }[]).map((e) => e.field).sort()).toEqual([
      'eastWestAddress',
      'name',
    ]);
  });

  it('redeems a bootstrap token exactly once, even under concurrent redemption', async () => {
    const created = await registerCluster('race');
    const client = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem);
    const attempts = await Promise.allSettled(
      Array.from({ length: 8 }, () => registerAgent(client, created.bootstrap.token, 'race')),
    );
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(1);
    const refused = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
    for (const failure of refused) {
      expect(failure.reason).toMatchObject({ code: grpc.status.UNAUTHENTICATED });
      expect(String(failure.reason.details)).toMatch(/already used/);
    }
    client.close();
  });

  it('refuses wrong tokens and a mismatched cluster name with clear statuses', async () => {
    const created = await registerCluster('beta');
    const client = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem);
    await expect(registerAgent(client, 'lbt_' + 'x'.repeat(43), 'beta')).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
      details: expect.stringMatching(/is unknown/),
    });
    await expect(registerAgent(client, 'garbage', 'beta')).rejects.toMatchObject({
      code: grpc.status.UNAUTHENTICATED,
    });
    await expect(registerAgent(client, created.bootstrap.token, 'not-beta')).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
    });
    client.close();
  });

  it('accepts a stream only with a certificate it issued, and shows the inventory and connection state', async () => {
    const created = await registerCluster('gamma');
    const anonymous = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem);
    const agent = await registerAgent(anonymous, created.bootstrap.token, 'gamma');
    const refused = new TestStream(anonymous);
    refused.send(hello(agent.clusterId));
    expect(await refused.ended).toMatchObject({ code: grpc.status.UNAUTHENTICATED });

    const client = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem, agent);
    const stream = new TestStream(client);
    stream.send(hello(agent.clusterId));
    stream.send(inventory);
    const connected = await eventually(
      () => cluster(agent.clusterId),
      (c) => c.status === 'CONNECTED' && (c.inventory as { services: number }).services === 1,
    );
    expect(connected).toMatchObject({ agentVersion: 'test-1', inventory: { namespaces: 1, services: 1 } });
    await stream.waitFor((m) => m.body === 'ping');
    stream.close();
    await eventually(
      () => cluster(agent.clusterId),
      (c) => c.status === 'DISCONNECTED',
    );
    anonymous.close();
    client.close();
  });

  it('closes a stream that sends garbage, and stays up for everyone else', async () => {
    const created = await registerCluster('delta');
    const bootstrapClient = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem);
    const agent = await registerAgent(bootstrapClient, created.bootstrap.token, 'delta');
    const client = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem, agent);

    const noHello = new TestStream(client);
    noHello.send(inventory);
    expect(await noHello.ended).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/expected Hello/),
    });

    const wrongCluster = new TestStream(client);
    wrongCluster.send(hello('00000000-0000-0000-0000-000000000000'));
    expect(await wrongCluster.ended).toMatchObject({ code: grpc.status.PERMISSION_DENIED });

    const badInventory = new TestStream(client);
    badInventory.send(hello(agent.clusterId));
    badInventory.send({
      inventory: { ...inventory.inventory, namespaces: [{ name: 'Not A Namespace', labels: {} }] },
    });
    expect(await badInventory.ended).toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: expect.stringMatching(/namespaces\[0\]\.name/),
    });

    const oversized = new TestStream(client);
    oversized.send(hello(agent.clusterId));
    oversized.send({ nack: { version: 1, reason: 'x'.repeat(17 * 1024 * 1024) } });
    expect(await oversized.ended).toMatchObject({ code: grpc.status.RESOURCE_EXHAUSTED });

    expect((await controller.request('GET', '/readyz')).status).toBe(200);
    const healthy = new TestStream(client);
    healthy.send(hello(agent.clusterId));
    await eventually(
      () => cluster(agent.clusterId),
      (c) => c.status === 'CONNECTED',
    );
    healthy.close();
    bootstrapClient.close();
    client.close();
  });

  it('renews the agent certificate without dropping the stream, and revocation cuts the agent off', async () => {
    const created = await registerCluster('epsilon');
    const bootstrapClient = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem);
    const agent = await registerAgent(bootstrapClient, created.bootstrap.token, 'epsilon');
    const client = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem, agent);
    const stream = new TestStream(client);
    stream.send(hello(agent.clusterId));
    await eventually(
      () => cluster(agent.clusterId),
      (c) => c.status === 'CONNECTED',
    );

    const { createCsr } = await import('@lattice/pki');
    const next = await createCsr({ commonName: 'epsilon', rsaBits: 2048 });
    const renewed = await new Promise<{ certificatePem: string }>((resolve, reject) =>
      client.RenewCertificate({ csrPem: next.csrPem }, (error, value) =>
        error ? reject(error) : resolve(value!),
      ),
    );
    expect(renewed.certificatePem).toContain('BEGIN CERTIFICATE');
    stream.send({ heartbeat: { sentAtUnixMs: Date.now() } });
    expect((await cluster(agent.clusterId)).status).toBe('CONNECTED');
    const renewedClient = agentClient(controller.grpcAddress, created.bootstrap.controllerCaPem, {
      keyPem: next.privateKeyPem,
      certPem: renewed.certificatePem,
    });

    const revoked = await controller.request('POST', `/v1/clusters/${agent.clusterId}/revoke`, {
      token: tenant.adminToken,
    });
    expect(revoked.status).toBe(200);
    expect(await stream.ended).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    for (const c of [client, renewedClient]) {
      const again = new TestStream(c);
      again.send(hello(agent.clusterId));
      expect(await again.ended).toMatchObject({ code: grpc.status.PERMISSION_DENIED });
    }
    bootstrapClient.close();
    client.close();
    renewedClient.close();
  });
});
