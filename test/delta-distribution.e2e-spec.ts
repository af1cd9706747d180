import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import {
  assembleDesiredState,
  canonicalJson,
  type DesiredClusterState,
  mergeResources,
  stateChecksum,
} from '@lattice/domain';
import type { DeltaSnapshot__Output } from '@lattice/proto';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import {
  agentClient,
  eventually,
  registerAgent,
  type RegisteredAgent,
  TestStream,
} from './support/grpc-agent-client';
import { createTenant, type TestTenant } from './support/tenants';
import { TEST_REDIS_URL } from './support/test-env';

/**
 * Incremental distribution (docs/agent-protocol.md) against the real controller process, with bare
 * protocol clients: a delta-capable agent gets a change of one cluster's endpoints of a service as
 * that endpoint group's resource alone, says what it holds when it reconnects and gets only the difference, while an agent of the
 * previous release (a Hello without the delta fields) keeps getting complete snapshots.
 */
describe('agent protocol: delta snapshots', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      // Long enough that the bare clients below, which send no heartbeats, are not dropped as silent.
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '60' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'delta');
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  /** What a delta-capable agent holds: the resources of its applied version, contents parsed. */
  class HeldState {
    version = 0;
    resources = new Map<string, { hash: string; content: unknown }>();
    state: DesiredClusterState | undefined;

    /** Applies a delta as the agent does; throws when it does not fit or does not check out. */
    apply(delta: DeltaSnapshot__Output): void {
      if (delta.baseVersion !== 0 && delta.baseVersion !== this.version)
        throw new Error(`delta base ${delta.baseVersion} does not match applied ${this.version}`);
      const upserts = delta.resources.map((resource) => {
        const hash = createHash('sha256').update(resource.payload).digest('hex');
        expect(hash).toBe(resource.hash);
        return [
          resource.name,
          { hash, content: JSON.parse(resource.payload.toString()) as unknown },
        ] as const;
      });
      const base = delta.baseVersion === 0 ? new Map() : this.resources;
      const merged = mergeResources(base, upserts, delta.removed);
      const state = assembleDesiredState(new Map([...merged].map(([name, { content }]) => [name, content])));
      expect(stateChecksum(state)).toBe(delta.stateChecksum);
      this.resources = merged;
      this.version = delta.version;
      this.state = state;
    }

    hello(clusterId: string) {
      return {
        hello: {
          clusterId,
          appliedVersion: this.version,
          agentVersion: 'delta-test',
          supportsDelta: true,
          heldResources: [...this.resources].map(([name, { hash }]) => ({ name, hash })),
        },
      };
    }
  }

  const registerCluster = async (name: string) => {
    const response = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name, eastWestAddress: `${name}.gateways.example.com`, labels: {} },
    });
    expect(response.status).toBe(201);
    const { bootstrap } = response.json as { bootstrap: { token: string; controllerCaPem: string } };
    const agent = await registerAgent(
      agentClient(controller.grpcAddress, bootstrap.controllerCaPem),
      bootstrap.token,
      name,
    );
    return { agent, caPem: bootstrap.controllerCaPem };
  };
  const connect = (registered: { agent: RegisteredAgent; caPem: string }) =>
    new TestStream(agentClient(controller.grpcAddress, registered.caPem, registered.agent));
  /** `cartReady`: ready pods of cart, the weight of its endpoint in every member's desired state. */
  const inventory = (revision: number, cartReady: number, withWeb: boolean) => ({
    inventory: {
      full: true,
      revision,
      namespaces: [{ name: 'shop', labels: {} }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
          endpointGroups: [{ labels: {}, ready: cartReady, notReady: 0 }],
        },
        ...(withWeb
          ? [
              {
                namespace: 'shop',
                name: 'web',
                labels: {},
                ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
                endpointGroups: [{ labels: {}, ready: 1, notReady: 0 }],
              },
            ]
          : []),
      ],
    },
  });
  /** The first message of a kind received for a version newer than `after`. */
  const newer = (stream: TestStream, kind: 'deltaSnapshot' | 'snapshot', after: number) =>
    stream.waitFor((m) => m.body === kind && Number(m[kind]!.version) > after, 20_000);
  const nextDelta = async (stream: TestStream, after: number) =>
    (await newer(stream, 'deltaSnapshot', after)).deltaSnapshot!;
  const nextSnapshot = async (stream: TestStream, after: number) =>
    (await newer(stream, 'snapshot', after)).snapshot!;

  it('sends a delta-capable agent only what changed, on reconnect too, and an old agent full snapshots', async () => {
    const east = await registerCluster('east');
    const west = await registerCluster('west');
    const held = new HeldState();
    let eastStream = connect(east);
    eastStream.send(held.hello(east.agent.clusterId));
    eastStream.send(inventory(1, 1, true));
    const oldStream = connect(west);
    // An agent of the previous release: no supports_delta, no held resources.
    oldStream.send({ hello: { clusterId: west.agent.clusterId, appliedVersion: 0, agentVersion: 'old' } });
    oldStream.send(inventory(1, 1, false));

    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: ['east', 'west'].map((cluster) => ({
          cluster: { type: 'EXACT', value: cluster },
          namespace: { type: 'EXACT', value: 'shop' },
        })),
      },
    });
    expect(gns.status).toBe(201);
    const gnsId = (gns.json as { id: string }).id;
    // West's endpoints of cart, as east sees them: the only resource a change of west's cart pods touches.
    const westCart = `gns/${gnsId}/service/cart/endpoints/${west.agent.clusterId}`;

    // The first delta (and any that follow while inventories and the GNS settle) builds the set.
    const servesBoth = () =>
      held.state?.globalNamespaces[0]?.services.map((service) => service.name).join(',') === 'cart,web';
    let delta = await nextDelta(eastStream, 0);
    expect(delta.baseVersion).toBe(0);
    held.apply(delta);
    eastStream.send({ ack: { version: delta.version } });
    while (!servesBoth()) {
      delta = await nextDelta(eastStream, held.version);
      held.apply(delta);
      eastStream.send({ ack: { version: delta.version } });
    }
    const oldSnapshot = await nextSnapshot(oldStream, 0);
    oldStream.send({ ack: { version: oldSnapshot.version } });
    expect(eastStream.received.some((m) => m.body === 'snapshot')).toBe(false);

    // (a) A one-service change (west's cart pods) reaches east as west's cart endpoints alone.
    oldStream.send(inventory(2, 2, false));
    delta = await nextDelta(eastStream, held.version);
    expect(delta.baseVersion).toBe(held.version);
    expect(delta.resources.map((resource) => resource.name)).toEqual([westCart]);
    expect(delta.removed).toEqual([]);
    held.apply(delta);
    eastStream.send({ ack: { version: delta.version } });
    // (c) The old agent gets the same change as a complete snapshot.
    const oldNext = await nextSnapshot(oldStream, oldSnapshot.version);
    expect(JSON.parse(oldNext.payload.toString())).toMatchObject({ clusterId: west.agent.clusterId });
    oldStream.send({ ack: { version: oldNext.version } });
    await eventually(
      async () =>
        (
          await controller.request('GET', `/v1/clusters/${east.agent.clusterId}`, {
            token: tenant.adminToken,
          })
        ).json,
      (cluster) => cluster.appliedVersion === held.version,
    );

    // (b) East disconnects; a change lands; on reconnect it says what it holds and gets the difference.
    eastStream.close();
    await eventually(
      async () =>
        (
          await controller.request('GET', `/v1/clusters/${east.agent.clusterId}`, {
            token: tenant.adminToken,
          })
        ).json,
      (cluster) => cluster.status === 'DISCONNECTED',
    );
    const heldVersion = held.version;
    oldStream.send(inventory(3, 3, false));
    await eventually(
      async () =>
        (
          await controller.request('GET', `/v1/clusters/${east.agent.clusterId}`, {
            token: tenant.adminToken,
          })
        ).json,
      (cluster) => Number(cluster.desiredVersion) > heldVersion,
    );
    eastStream = connect(east);
    eastStream.send(held.hello(east.agent.clusterId));
    delta = await nextDelta(eastStream, heldVersion);
    expect(delta.baseVersion).toBe(heldVersion);
    expect(delta.resources.map((resource) => resource.name)).toEqual([westCart]);
    held.apply(delta);
    const cart = held.state?.globalNamespaces[0]?.services.find((service) => service.name === 'cart');
    expect(cart?.endpoints.find((endpoint) => endpoint.kind === 'REMOTE')?.weight).toBe(3);
    eastStream.send({ ack: { version: delta.version } });
    eastStream.close();

    // Up to date: a reconnect gets a ping and no snapshot at all.
    const upToDate = connect(east);
    upToDate.send(held.hello(east.agent.clusterId));
    await upToDate.waitFor((m) => m.body === 'ping');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(upToDate.received.filter((m) => m.body === 'deltaSnapshot' || m.body === 'snapshot')).toEqual([]);

    // A refused delta is followed by the complete set (base 0): here the agent claims an older
    // version and a cart it does not really hold, is sent that difference, and refuses it.
    const refusing = connect(east);
    const claimed = held.hello(east.agent.clusterId);
    claimed.hello.appliedVersion = held.version - 1;
    claimed.hello.heldResources = claimed.hello.heldResources.map((resource) =>
      resource.name === westCart ? { ...resource, hash: 'f'.repeat(64) } : resource,
    );
    refusing.send(claimed);
    delta = await nextDelta(refusing, 0);
    expect(delta).toMatchObject({ version: held.version, baseVersion: held.version - 1 });
    expect(delta.resources.map((resource) => resource.name)).toEqual([westCart]);
    refusing.send({ nack: { version: delta.version, reason: 'test: base not held' } });
    const resent = (
      await refusing.waitFor((m) => m.body === 'deltaSnapshot' && m.deltaSnapshot!.baseVersion === 0)
    ).deltaSnapshot!;
    expect(resent.version).toBe(held.version);
    expect(resent.resources.map((resource) => resource.name).sort()).toEqual(
      [...held.resources.keys()].sort(),
    );
    new HeldState().apply(resent);
    refusing.close();
    upToDate.close();
    oldStream.close();
  });

  it('pushes a version announced the way replicas of the previous release announce it (one message per cluster)', async () => {
    const north = await registerCluster('north');
    const held = new HeldState();
    const stream = connect(north);
    stream.send(held.hello(north.agent.clusterId));
    stream.send(inventory(1, 1, false));
    const first = await nextDelta(stream, 0);
    held.apply(first);
    stream.send({ ack: { version: first.version } });

    // An older replica stores the next version and announces it on the per-cluster channel.
    const state = { ...held.state!, clusterName: 'north-as-an-older-replica-stored-it' };
    const payload = Buffer.from(canonicalJson(state), 'utf8');
    const sql = new Client({ connectionString: database.url });
    const redis = new Redis(TEST_REDIS_URL);
    try {
      await sql.connect();
      const { rows } = await sql.query<{ desired_version: number }>(
        `UPDATE clusters SET desired_version = desired_version + 1, desired_hash = $2, desired_payload = $3
          WHERE id = $1 RETURNING desired_version`,
        [north.agent.clusterId, stateChecksum(state), payload],
      );
      const version = rows[0]!.desired_version;
      await redis.publish(
        `${controller.redisPrefix}:events:cluster-snapshot`,
        JSON.stringify({ tenantId: tenant.id, clusterId: north.agent.clusterId, version }),
      );
      // At once, not at the stream's periodic re-check (three 60 s heartbeat intervals here).
      const delta = await stream.waitFor(
        (m) => m.body === 'deltaSnapshot' && Number(m.deltaSnapshot!.version) === version,
        10_000,
      );
      expect(delta.deltaSnapshot!.resources.map((resource) => resource.name)).toEqual(['cluster']);
      held.apply(delta.deltaSnapshot!);
      expect(held.state?.clusterName).toBe('north-as-an-older-replica-stored-it');
    } finally {
      stream.close();
      redis.disconnect();
      await sql.end();
    }
  });
});
