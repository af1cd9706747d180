import { Test, type TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG } from '../../platform/config/runtime-config.types';
import { PgPool } from '../../platform/database/pg-pool.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { MeshMembershipService } from '../config-distribution/mesh-membership.service';
import { TenantMeshRepository } from '../config-distribution/tenant-mesh.repository';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { PoliciesRepository } from './policies.repository';
import { PoliciesService } from './policies.service';

/** Remembers what was asked for instead of queueing it. */
class RecordingScheduler extends DesiredStateScheduler {
  readonly reasons: string[] = [];

  schedule(_tenantId: string, reason: string): Promise<void> {
    this.reasons.push(reason);
    return Promise.resolve();
  }
}

function versioned(name: string, version: string) {
  return {
    namespace: 'shop',
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
    endpointGroups: [{ labels: { app: name, version }, ready: 1, notReady: 0 }],
    selector: { app: name },
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

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

/**
 * PoliciesService on its real repository, audit and mesh membership over a scratch database; the
 * GNS feature is reduced to "does this GNS exist" and the desired-state queue to a recorder.
 */
describe('PoliciesService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let policies: PoliciesService;
  const scheduler = new RecordingScheduler();
  const knownGns = new Set<string>();
  let actor: TenantPrincipal;
  let gnsId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testRuntimeConfig(database.url) },
        PrismaService,
        PgPool,
        TransactionRunner,
        PoliciesRepository,
        PoliciesService,
        AuditRepository,
        AuditService,
        TenantMeshRepository,
        MeshMembershipService,
        { provide: DesiredStateScheduler, useValue: scheduler },
        {
          provide: GlobalNamespacesService,
          useValue: {
            assertExists: (tenantId: string, id: string) =>
              knownGns.has(`${tenantId}/${id}`)
                ? Promise.resolve()
                : Promise.reject(DomainError.notFound('global namespace', id)),
          },
        },
      ],
    }).compile();
    prisma = moduleRef.get(PrismaService);
    policies = moduleRef.get(PoliciesService);

    const tenant = await prisma.tenant.create({ data: { name: 'policies-unit' } });
    actor = { kind: 'token', tenantId: tenant.id, tokenId: tenant.id, tokenName: 'editor', role: 'editor' };
    const inventory = (services: ReturnType<typeof versioned>[]) => ({
      namespaces: [{ name: 'shop', labels: {} }],
      services,
    });
    await prisma.cluster.createMany({
      data: [
        {
          tenantId: tenant.id,
          name: 'west',
          eastWestAddress: '10.0.0.2',
          inventory: inventory([versioned('cart', 'v2')]),
        },
        {
          tenantId: tenant.id,
          name: 'east',
          eastWestAddress: '10.0.0.1',
          inventory: inventory([versioned('cart', 'v1'), versioned('frontend', 'v1')]),
        },
      ],
    });
    gnsId = (
      await prisma.globalNamespace.create({
        data: {
          tenantId: tenant.id,
          name: 'shop',
          domain: 'shop.lattice.local',
          matchConditions: [
            { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
          ],
        },
      })
    ).id;
    knownGns.add(`${tenant.id}/${gnsId}`);
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('stores a validated, normalised traffic policy, audits it and asks for redistribution', async () => {
    const { view, created } = await policies.putTraffic(actor, gnsId, 'cart', undefined, {
      ...canary,
      timeout: '1500ms',
    });
    expect(created).toBe(true);
    expect(view).toMatchObject({
      gnsId,
      service: 'cart',
      version: 1,
      warnings: [],
      spec: { timeout: '1500ms' },
    });
    expect(view.spec.routes?.[0].name).toBe('route-0');
    expect(scheduler.reasons.at(-1)).toBe(`traffic policy of cart in GNS ${gnsId} created`);

    const audit = await moduleRef
      .get(AuditService)
      .list(actor.tenantId, { resourceId: `${gnsId}/cart` }, { limit: 10 });
    expect(audit.items).toEqual([
      expect.objectContaining({
        action: 'traffic-policy.create',
        actorName: 'editor',
        before: null,
        after: { service: 'cart', gnsId, spec: view.spec, version: 1 },
      }),
    ]);
    expect(await policies.listTraffic(actor.tenantId, gnsId)).toEqual([view]);
  });

  it('refuses invalid policies with field paths, and stale or missing versions on replace and delete', async () => {
    const invalid = await failure(
      policies.putTraffic(actor, gnsId, 'cart', 1, { routes: [{ destinations: [{ subset: 'v9' }] }] }),
    );
    expect(invalid.code).toBe('VALIDATION');
    expect(invalid.fields.map((field) => field.field)).toEqual(['routes[0].destinations[0].subset']);
    expect((await failure(policies.putTraffic(actor, gnsId, 'Cart!', undefined, canary))).code).toBe(
      'VALIDATION',
    );
    expect((await failure(policies.putTraffic(actor, gnsId, 'cart', undefined, canary))).code).toBe(
      'PRECONDITION_REQUIRED',
    );
    expect((await failure(policies.putTraffic(actor, gnsId, 'cart', 5, canary))).message).toBe(
      'the traffic policy changed since you read it (you sent version 5, it is now at 1): GET it again and reapply your edit',
    );
    expect((await failure(policies.deleteTraffic(actor, gnsId, 'cart', 5))).code).toBe('PRECONDITION_FAILED');
    expect((await failure(policies.putSecurity(actor, gnsId, 3, { defaultAction: 'DENY' }))).message).toBe(
      'there is no security policy to match If-Match 3: leave If-Match out to create it',
    );
  });

  it('previews proposed policies per member cluster against the stored ones, storing and scheduling nothing', async () => {
    const scheduled = scheduler.reasons.length;
    const result = await policies.dryRun(actor.tenantId, gnsId, {
      trafficPolicies: [{ service: 'cart', spec: null }],
      securityPolicy: { defaultAction: 'DENY' },
    });
    expect(result.warnings).toEqual([]);
    expect(result.clusters.map((cluster) => cluster.clusterName)).toEqual(['east', 'west']);
    for (const cluster of result.clusters) {
      expect(cluster.error).toBeUndefined();
      expect(cluster.removed).toEqual([expect.stringMatching(/^VirtualService\//)]);
      expect(cluster.added).toEqual([
        expect.stringMatching(/^AuthorizationPolicy\/shop\/lattice-shop-allow-nothing-/),
      ]);
      expect(cluster.changed.some((key) => key.startsWith('DestinationRule/'))).toBe(true);
    }
    expect(scheduler.reasons.length).toBe(scheduled);
    expect(await prisma.securityPolicy.count()).toBe(0);

    const refused = await failure(
      policies.dryRun(actor.tenantId, gnsId, {
        trafficPolicies: [{ service: 'cart', spec: { timeout: 'soon' } }],
      }),
    );
    expect(refused.fields.map((field) => field.field)).toEqual(['trafficPolicies[0].timeout']);
  });

  it('leaves a stored spec that no longer parses out of lists and previews', async () => {
    await prisma.trafficPolicy.create({
      data: { tenantId: actor.tenantId, gnsId, service: 'frontend', spec: { timeout: 42 } },
    });
    expect((await policies.listTraffic(actor.tenantId, gnsId)).map((view) => view.service)).toEqual(['cart']);
    const result = await policies.dryRun(actor.tenantId, gnsId, { securityPolicy: null });
    for (const cluster of result.clusters)
      expect(cluster).toMatchObject({ added: [], changed: [], removed: [] });
    await prisma.trafficPolicy.deleteMany({ where: { service: 'frontend' } });
  });

  it('deletes with the current version, audited, and reports a stored policy that no longer holds', async () => {
    await policies.deleteTraffic(actor, gnsId, 'cart', 1);
    expect(scheduler.reasons.at(-1)).toBe(`traffic policy of cart in GNS ${gnsId} deleted`);
    expect(await policies.findTraffic(actor.tenantId, gnsId, 'cart')).toBeNull();
    const audit = await moduleRef
      .get(AuditService)
      .list(actor.tenantId, { resourceId: `${gnsId}/cart` }, { limit: 10 });
    expect(audit.items.map((event) => event.action)).toEqual([
      'traffic-policy.create',
      'traffic-policy.delete',
    ]);
    expect(audit.items[1]).toMatchObject({ before: { service: 'cart', version: 1 }, after: null });

    await policies.putTraffic(actor, gnsId, 'frontend', undefined, { timeout: '1s' });
    await prisma.cluster.updateMany({
      where: { tenantId: actor.tenantId, name: 'east' },
      data: {
        inventory: { namespaces: [{ name: 'shop', labels: {} }], services: [versioned('cart', 'v1')] },
      },
    });
    expect((await policies.getTraffic(actor.tenantId, gnsId, 'frontend')).warnings).toEqual([
      { field: 'service', message: expect.stringMatching(/^no longer holds: "frontend" is not a service/) },
    ]);
  });

  it('answers NOT_FOUND for a GNS of another tenant', async () => {
    const other = await prisma.tenant.create({ data: { name: 'policies-other' } });
    expect((await failure(policies.listTraffic(other.id, gnsId))).code).toBe('NOT_FOUND');
    expect((await failure(policies.dryRun(other.id, gnsId, { securityPolicy: null }))).code).toBe(
      'NOT_FOUND',
    );
  });
});
