import { createHash } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { stateHash, type DesiredClusterState } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { waitUntilDrained } from '../../../../../test/support/queues';
import { TEST_REDIS_URL } from '../../../../../test/support/test-env';
import { AppModule } from '../../app.module';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { freePort } from '../../platform/bootstrap/local-resources.util';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { TenantsService } from '../tenants/tenants.service';
import { DesiredStateMetrics } from './desired-state.metrics';
import { desiredStateQueue } from './config-distribution.jobs';
import { snapshotsAnnounced } from './config-distribution.events';
import { DesiredStateScheduler } from './desired-state-scheduler.service';
import { DesiredStateService } from './desired-state.service';

/** An inventory service as the gateway stores it (plain JSON). */
function service(namespace: string, name: string, port = 8080) {
  return {
    namespace,
    name,
    labels: { app: name },
    ports: [{ name: 'http', port, protocol: 'HTTP', targetPort: port }],
    endpointGroups: [{ labels: { version: 'v1' }, ready: 2, notReady: 0 }],
  };
}

function inventory(services: ReturnType<typeof service>[]) {
  const namespaces = [...new Set(services.map((svc) => svc.namespace))].map((name) => ({ name, labels: {} }));
  return { namespaces, services };
}

describe('desired state recomputation (worker, PostgreSQL, Redis)', () => {
  let database: TestDatabase;
  let config: RuntimeConfig;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let scheduler: DesiredStateScheduler;
  let queue: Queue;
  let subscriber: Redis;
  let subscriberFree: Redis;
  /** Every announced version, one entry per cluster (announced in one message per stored chunk). */
  const announcements: { tenantId: string; clusterId: string; version: number }[] = [];
  let actor: TenantPrincipal;
  let eastId: string;
  let westId: string;
  let gnsId: string;

  const drained = () => waitUntilDrained(queue);

  async function desired(clusterId: string) {
    const row = await prisma.cluster.findUniqueOrThrow({
      where: { id: clusterId },
      select: { desiredVersion: true, desiredHash: true, desiredPayload: true },
    });
    const state = JSON.parse(
      Buffer.from(row.desiredPayload ?? new Uint8Array()).toString('utf8'),
    ) as DesiredClusterState;
    return { version: row.desiredVersion, hash: row.desiredHash, state };
  }

  /**
   * Waits for the tenant's recomputation to be running; after 30 s fails naming where the job is
   * (states, attempts, failure reasons, the deduplication key) rather than hanging the test.
   */
  async function untilActive(): Promise<void> {
    const deadline = Date.now() + 30_000;
    while ((await queue.getJobCounts('active')).active === 0) {
      if (Date.now() > deadline) {
        const jobs = await queue.getJobs(['delayed', 'waiting', 'failed', 'completed', 'active']);
        const dedupKey = `${config.redisPrefix}:${desiredStateQueue.name}:de:tenant:${actor.tenantId}`;
        throw new Error(
          `the recomputation did not start within 30 s: counts ${JSON.stringify(await queue.getJobCounts())}, ` +
            `dedup key ${dedupKey} = ${await subscriberFree.get(dedupKey)}, jobs ${JSON.stringify(
              jobs.map((job) => ({
                id: job.id,
                name: job.name,
                attempts: job.attemptsMade,
                failedReason: job.failedReason,
                data: job.data as unknown,
              })),
            )}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async function recomputations(): Promise<number> {
    const values = (await moduleRef.get(DesiredStateMetrics).recomputations.get()).values;
    return values.reduce((total, value) => total + value.value, 0);
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', GRPC_PORT: String(await freePort()) }),
    });
    subscriber = new Redis(TEST_REDIS_URL);
    subscriberFree = new Redis(TEST_REDIS_URL);
    subscriber.on('message', (_channel, message: string) => {
      const { tenantId, snapshots } = snapshotsAnnounced.schema.parse(JSON.parse(message));
      announcements.push(...snapshots.map((snapshot) => ({ tenantId, ...snapshot })));
    });
    await subscriber.subscribe(`${config.redisPrefix}:events:${snapshotsAnnounced.name}`);

    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    await moduleRef.init();
    prisma = moduleRef.get(PrismaService);
    scheduler = moduleRef.get(DesiredStateScheduler);
    queue = new Queue(desiredStateQueue.name, {
      connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: config.redisPrefix,
    });

    const { tenant, adminToken } = await moduleRef.get(TenantsService).create('mesh-tenant');
    actor = {
      kind: 'token',
      tenantId: tenant.id,
      tokenId: adminToken.id,
      tokenName: 'initial-admin',
      role: 'admin',
    };
    const east = await prisma.cluster.create({
      data: {
        tenantId: tenant.id,
        name: 'east',
        eastWestAddress: '10.0.0.1',
        inventory: inventory([
          service('shop', 'cart'),
          service('shop', 'checkout'),
          service('other', 'ignored'),
        ]),
      },
    });
    const west = await prisma.cluster.create({
      data: {
        tenantId: tenant.id,
        name: 'west',
        eastWestAddress: 'west-gw.example.com',
        inventory: inventory([service('shop', 'cart')]),
      },
    });
    eastId = east.id;
    westId = west.id;
  });

  afterAll(async () => {
    await queue?.close();
    await queue?.disconnect();
    await subscriber?.quit();
    await subscriberFree?.quit();
    await moduleRef?.close();
    await database?.drop();
  });

  it('gives every member cluster a first version whose payload is its desired state', async () => {
    const created = await moduleRef.get(GlobalNamespacesService).create(actor, {
      name: 'shop',
      domain: 'shop.lattice.local',
      matchConditions: [
        { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
      ],
    });
    gnsId = created.id;
    await drained();

    const east = await desired(eastId);
    expect(east.version).toBe(1);
    expect(east.hash).toBe(stateHash(east.state));
    // The push path sends the stored hash as the snapshot checksum: it must be the sha256 of the payload bytes.
    const pushed = await moduleRef.get(DesiredStateService).snapshotNewerThan(actor.tenantId, eastId, 0);
    expect(pushed?.hash).toBe(
      createHash('sha256')
        .update(pushed?.payload ?? '')
        .digest('hex'),
    );
    expect(east.state.globalNamespaces).toHaveLength(1);
    const [eastGns] = east.state.globalNamespaces;
    expect(eastGns).toMatchObject({
      id: gnsId,
      domain: 'shop.lattice.local',
      mtlsMode: 'STRICT',
      localNamespaces: ['shop'],
    });
    expect(eastGns.ca).toBeUndefined();
    const cart = eastGns.services.find((svc) => svc.name === 'cart');
    expect(cart?.hostname).toBe('cart.shop.lattice.local');
    expect(cart?.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'LOCAL', address: 'cart.shop.svc.cluster.local' }),
        expect.objectContaining({
          kind: 'REMOTE',
          clusterId: westId,
          address: 'west-gw.example.com',
          port: 15443,
        }),
      ]),
    );
    expect(eastGns.services.map((svc) => svc.name)).toEqual(['cart', 'checkout']);

    const west = await desired(westId);
    expect(west.version).toBe(1);
    const checkout = west.state.globalNamespaces[0].services.find((svc) => svc.name === 'checkout');
    expect(checkout?.endpoints).toEqual([
      expect.objectContaining({ kind: 'REMOTE', clusterId: eastId, address: '10.0.0.1' }),
    ]);

    expect(announcements).toEqual(
      expect.arrayContaining([
        { tenantId: actor.tenantId, clusterId: eastId, version: 1 },
        { tenantId: actor.tenantId, clusterId: westId, version: 1 },
      ]),
    );
  });

  it('does not bump versions when nothing changed', async () => {
    const before = await recomputations();
    await scheduler.schedule(actor.tenantId, 'nothing changed');
    await drained();
    expect(await recomputations()).toBe(before + 1);
    expect(await moduleRef.get(DesiredStateService).recomputeTenant(actor.tenantId)).toEqual({
      clusters: 2,
      newVersions: [],
    });
    expect((await desired(eastId)).version).toBe(1);
    expect((await desired(westId)).version).toBe(1);
  });

  it('folds a burst of 50 calls into few recomputations that end on the latest state', async () => {
    const before = await recomputations();
    const announced = announcements.length;
    for (let call = 0; call < 50; call++) {
      if (call === 25) {
        await prisma.cluster.update({
          where: { id: westId },
          data: { inventory: inventory([service('shop', 'cart'), service('shop', 'payments', 9090)]) },
        });
      }
      await scheduler.schedule(actor.tenantId, `burst ${call}`);
    }
    await drained();

    const runs = (await recomputations()) - before;
    expect(runs).toBeGreaterThanOrEqual(1);
    expect(runs).toBeLessThanOrEqual(3);
    const east = await desired(eastId);
    const west = await desired(westId);
    expect([east.version, west.version]).toEqual([2, 2]);
    expect(east.state.globalNamespaces[0].services.find((svc) => svc.name === 'payments')).toMatchObject({
      hostname: 'payments.shop.lattice.local',
      ports: [{ name: 'http', number: 9090, protocol: 'HTTP' }],
      endpoints: [expect.objectContaining({ kind: 'REMOTE', clusterId: westId })],
    });
    expect(announcements.slice(announced)).toEqual(
      expect.arrayContaining([
        { tenantId: actor.tenantId, clusterId: eastId, version: 2 },
        { tenantId: actor.tenantId, clusterId: westId, version: 2 },
      ]),
    );
  });

  it('runs once more after a recomputation during which the data changed, and never two at once', async () => {
    const before = await recomputations();
    const eastServices = [service('shop', 'cart'), service('shop', 'checkout'), service('other', 'ignored')];
    await prisma.$transaction(
      async (tx) => {
        // Holding west's row makes the next recomputation block while storing west's new state.
        await tx.$queryRaw`SELECT id FROM clusters WHERE id = ${westId}::uuid FOR UPDATE`;
        await prisma.cluster.update({
          where: { id: eastId },
          data: { inventory: inventory([...eastServices, service('shop', 'search')]) },
        });
        await scheduler.schedule(actor.tenantId, 'search added');
        await untilActive();
        // The running job reads the inventories without this change (uncommitted until the
        // transaction ends), and the change must not be lost. It is made through the transaction
        // that holds west's row: the running job's one UPDATE of
        // every changed cluster may already hold east's row lock while it waits for west's, so an
        // update of east from outside would wait for the job, the job for this transaction and the
        // transaction for that update — a deadlock PostgreSQL cannot see, broken only by the
        // transaction timeout (the cause of this test's occasional 45 s hang; whether east or west
        // is locked first depends on the plan of the UPDATE ... FROM unnest join).
        await tx.cluster.update({
          where: { id: westId },
          data: {
            inventory: inventory([
              service('shop', 'cart'),
              service('shop', 'payments', 9090),
              service('shop', 'reviews'),
            ]),
          },
        });
        await scheduler.schedule(actor.tenantId, 'reviews added');
        await scheduler.schedule(actor.tenantId, 'reviews added again');
      },
      // Generous: on a loaded machine the job can take seconds to become active.
      { timeout: 45_000 },
    );
    await drained();

    expect((await recomputations()) - before).toBe(2);
    const names = (await desired(westId)).state.globalNamespaces[0].services.map((svc) => svc.name);
    expect(names).toEqual(['cart', 'checkout', 'payments', 'reviews', 'search']);
  });

  it('hands a cluster its signed intermediate with the trust bundle of every root not retired', async () => {
    const root = (generation: number, retiredAt: Date | null) => ({
      tenantId: actor.tenantId,
      gnsId,
      generation,
      certificatePem: `-----BEGIN CERTIFICATE-----\nROOT${generation}\n-----END CERTIFICATE-----`,
      encryptedKey: {},
      fingerprint: `fp-${generation}`,
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      retiredAt,
    });
    // Stand-in roots replace the real one the GNS was created with (the PEM text is all that matters here).
    await prisma.gnsCaRoot.deleteMany({ where: { gnsId } });
    await prisma.gnsCaRoot.createMany({ data: [root(1, new Date()), root(2, null), root(3, null)] });
    await prisma.gnsIntermediate.createMany({
      data: [
        {
          tenantId: actor.tenantId,
          gnsId,
          clusterId: eastId,
          rootGeneration: 2,
          certChainPem: 'CHAIN-2',
          signedAt: new Date(),
        },
        {
          tenantId: actor.tenantId,
          gnsId,
          clusterId: eastId,
          rootGeneration: 3,
          certChainPem: 'CHAIN-3',
          signedAt: new Date(),
        },
        // Requested, not signed yet: the cluster gets no CA material.
        { tenantId: actor.tenantId, gnsId, clusterId: westId, rootGeneration: 3 },
      ],
    });
    await scheduler.schedule(actor.tenantId, 'intermediate signed');
    await drained();

    const east = await desired(eastId);
    expect(east.version).toBe(5);
    expect(east.state.globalNamespaces[0].ca).toEqual({
      certChainPem: 'CHAIN-3',
      trustBundlePem:
        '-----BEGIN CERTIFICATE-----\nROOT2\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\nROOT3\n-----END CERTIFICATE-----\n',
      rootGeneration: 3,
    });
    const west = await desired(westId);
    expect(west.version).toBe(4);
    expect(west.state.globalNamespaces[0].ca).toBeUndefined();
  });

  it('removes a deleted global namespace from every cluster', async () => {
    const announced = announcements.length;
    await moduleRef.get(GlobalNamespacesService).delete(actor, gnsId, undefined);
    await drained();

    const east = await desired(eastId);
    const west = await desired(westId);
    expect([east.version, west.version]).toEqual([6, 5]);
    expect(east.state).toEqual({ clusterId: eastId, clusterName: 'east', globalNamespaces: [] });
    expect(west.state).toEqual({ clusterId: westId, clusterName: 'west', globalNamespaces: [] });
    expect(announcements.slice(announced)).toEqual(
      expect.arrayContaining([
        { tenantId: actor.tenantId, clusterId: eastId, version: 6 },
        { tenantId: actor.tenantId, clusterId: westId, version: 5 },
      ]),
    );
  });
});
