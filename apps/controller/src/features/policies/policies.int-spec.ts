import { Test, type TestingModule } from '@nestjs/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { SUBSET_MEMBERSHIP_LABEL_PREFIX, type DesiredClusterState } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { waitUntilDrained } from '../../../../../test/support/queues';
import { TEST_REDIS_URL } from '../../../../../test/support/test-env';
import { AppModule } from '../../app.module';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { freePort } from '../../platform/bootstrap/local-resources.util';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { desiredStateQueue } from '../config-distribution/config-distribution.jobs';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { TenantsService } from '../tenants/tenants.service';
import { PoliciesService } from './policies.service';
import { codeOf } from '../../../../../test/support/domain-errors';

function service(name: string, version: string) {
  return {
    namespace: 'shop',
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
    endpointGroups: [{ labels: { app: name, version }, ready: 1, notReady: 0 }],
  };
}

const canary = {
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
};

describe('policies (service and repository on PostgreSQL, recompute through Redis)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let policies: PoliciesService;
  let queue: Queue;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;
  let gnsId: string;
  let eastId: string;

  const drained = () => waitUntilDrained(queue);

  async function desiredGns(clusterId: string) {
    const row = await prisma.cluster.findUniqueOrThrow({
      where: { id: clusterId },
      select: { desiredPayload: true },
    });
    const state = JSON.parse(
      Buffer.from(row.desiredPayload ?? new Uint8Array()).toString('utf8'),
    ) as DesiredClusterState;
    return state.globalNamespaces.find((gns) => gns.id === gnsId);
  }

  function principal(tenantId: string, tokenId: string): TenantPrincipal {
    return { kind: 'token', tenantId, tokenId, tokenName: 'initial-admin', role: 'admin' };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({ NODE_ENV: 'test', LOG_LEVEL: 'silent', GRPC_PORT: String(await freePort()) }),
    });
    moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] }).compile();
    await moduleRef.init();
    prisma = moduleRef.get(PrismaService);
    policies = moduleRef.get(PoliciesService);
    queue = new Queue(desiredStateQueue.name, {
      connection: new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: null }),
      prefix: config.redisPrefix,
    });
    const tenants = moduleRef.get(TenantsService);
    const mine = await tenants.create('policy-tenant');
    const other = await tenants.create('policy-stranger');
    actor = principal(mine.tenant.id, mine.adminToken.id);
    stranger = principal(other.tenant.id, other.adminToken.id);
    const inventory = (services: ReturnType<typeof service>[]) => ({
      namespaces: [{ name: 'shop', labels: {} }],
      services,
    });
    const east = await prisma.cluster.create({
      data: {
        tenantId: actor.tenantId,
        name: 'east',
        eastWestAddress: '10.0.0.1',
        inventory: inventory([service('cart', 'v1'), service('frontend', 'v1')]),
      },
    });
    await prisma.cluster.create({
      data: {
        tenantId: actor.tenantId,
        name: 'west',
        eastWestAddress: '10.0.0.2',
        inventory: inventory([service('cart', 'v2')]),
      },
    });
    eastId = east.id;
    gnsId = (
      await moduleRef.get(GlobalNamespacesService).create(actor, {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      })
    ).id;
    await drained();
  });

  afterAll(async () => {
    await queue?.close();
    await queue?.disconnect();
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates without a version, then replaces only with the current one, auditing each change', async () => {
    const created = await policies.putTraffic(actor, gnsId, 'cart', undefined, canary);
    expect(created).toMatchObject({ created: true, view: { service: 'cart', version: 1, warnings: [] } });
    expect(await codeOf(policies.putTraffic(actor, gnsId, 'cart', undefined, canary))).toBe(
      'PRECONDITION_REQUIRED',
    );
    expect(await codeOf(policies.putTraffic(actor, gnsId, 'cart', 7, canary))).toBe('PRECONDITION_FAILED');
    const replaced = await policies.putTraffic(actor, gnsId, 'cart', 1, { ...canary, timeout: '3000ms' });
    expect(replaced).toMatchObject({ created: false, view: { version: 2, spec: { timeout: '3s' } } });
    expect(await codeOf(policies.putTraffic(actor, gnsId, 'cart', 1, canary))).toBe('PRECONDITION_FAILED');

    const events = await prisma.auditEvent.findMany({
      where: { tenantId: actor.tenantId, resourceType: 'traffic-policy' },
      orderBy: { createdAt: 'asc' },
    });
    expect(events.map((event) => event.action)).toEqual(['traffic-policy.create', 'traffic-policy.update']);
    expect(events[1]).toMatchObject({
      resourceId: `${gnsId}/cart`,
      before: { version: 1 },
      after: { version: 2 },
    });
  });

  it('puts the policy into the desired state of every member cluster, and takes it out again', async () => {
    await drained();
    const east = await desiredGns(eastId);
    // Subsets select a membership label (docs/multi-network.md): one endpoint may serve several.
    expect(east?.trafficPolicies).toEqual([
      expect.objectContaining({
        service: 'cart',
        subsets: canary.subsets.map(({ name }) => ({
          name,
          labels: { [`${SUBSET_MEMBERSHIP_LABEL_PREFIX}${name}`]: 'true' },
        })),
        routes: [expect.objectContaining({ timeout: '3s' })],
      }),
    ]);
    const cart = east?.services.find((candidate) => candidate.name === 'cart');
    const served = cart?.endpoints.flatMap((endpoint) =>
      Object.keys(endpoint.labels ?? {}).filter((label) => label.startsWith(SUBSET_MEMBERSHIP_LABEL_PREFIX)),
    );
    expect([...new Set(served)].sort()).toEqual(['subset.lattice.io/v1', 'subset.lattice.io/v2']);

    await policies.deleteTraffic(actor, gnsId, 'cart', 2);
    await drained();
    expect((await desiredGns(eastId))?.trafficPolicies).toBeUndefined();
    expect(await codeOf(policies.getTraffic(actor.tenantId, gnsId, 'cart'))).toBe('NOT_FOUND');
  });

  it('lets exactly one of two concurrent creates win', async () => {
    const results = await Promise.all([
      codeOf(policies.putTraffic(actor, gnsId, 'frontend', undefined, { timeout: '1s' })),
      codeOf(policies.putTraffic(actor, gnsId, 'frontend', undefined, { timeout: '2s' })),
    ]);
    expect(results.filter((code) => code === 'OK')).toHaveLength(1);
    expect(results.filter((code) => code !== 'OK')[0]).toMatch(/^(CONFLICT|PRECONDITION_REQUIRED)$/);
    await policies.deleteTraffic(actor, gnsId, 'frontend', undefined);
  });

  it("hides one tenant's GNS policies from another (NOT_FOUND, never changed)", async () => {
    await policies.putSecurity(actor, gnsId, undefined, { defaultAction: 'DENY' });
    expect(await codeOf(policies.getSecurity(stranger.tenantId, gnsId))).toBe('NOT_FOUND');
    expect(await codeOf(policies.listTraffic(stranger.tenantId, gnsId))).toBe('NOT_FOUND');
    expect(await codeOf(policies.putSecurity(stranger, gnsId, 1, { defaultAction: 'ALLOW' }))).toBe(
      'NOT_FOUND',
    );
    expect(await codeOf(policies.deleteSecurity(stranger, gnsId, undefined))).toBe('NOT_FOUND');
    expect(await codeOf(policies.dryRun(stranger.tenantId, gnsId, { securityPolicy: null }))).toBe(
      'NOT_FOUND',
    );
    expect((await policies.getSecurity(actor.tenantId, gnsId)).spec).toEqual({ defaultAction: 'DENY' });
  });

  it('reports a stored policy that no longer holds, and leaves it out of distribution', async () => {
    await policies.putTraffic(actor, gnsId, 'frontend', undefined, { timeout: '1s' });
    await prisma.cluster.update({
      where: { id: eastId },
      data: { inventory: { namespaces: [{ name: 'shop', labels: {} }], services: [service('cart', 'v1')] } },
    });
    const view = await policies.getTraffic(actor.tenantId, gnsId, 'frontend');
    expect(view.warnings).toEqual([
      { field: 'service', message: expect.stringMatching(/^no longer holds: "frontend" is not a service/) },
    ]);
    const dryRun = await policies.dryRun(actor.tenantId, gnsId, { securityPolicy: null });
    expect(dryRun.clusters.map((cluster) => cluster.clusterName)).toEqual(['east', 'west']);
    for (const cluster of dryRun.clusters) {
      expect(cluster.objects.some((object) => object.kind === 'VirtualService')).toBe(false);
      expect(cluster.removed).toEqual([
        expect.stringMatching(/^AuthorizationPolicy\/shop\/lattice-shop-allow-nothing-/),
      ]);
    }
  });

  it('goes with its GNS when the GNS is deleted', async () => {
    await moduleRef.get(GlobalNamespacesService).delete(actor, gnsId, undefined);
    expect(await prisma.trafficPolicy.count({ where: { gnsId } })).toBe(0);
    expect(await prisma.securityPolicy.count({ where: { gnsId } })).toBe(0);
  });
});
