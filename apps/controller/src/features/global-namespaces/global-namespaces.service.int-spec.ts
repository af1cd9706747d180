import { X509Certificate } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import {
  createFeatureModule,
  createTestTenant,
  type RecordingScheduler,
} from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { AuditModule } from '../audit/audit.module';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { gnsCaQueue } from '../gns-ca/ca-rotation-scheduler.service';
import { GnsCaService } from '../gns-ca/gns-ca.service';
import { GlobalNamespacesModule } from './global-namespaces.module';
import { GlobalNamespacesService, type GlobalNamespaceInput } from './global-namespaces.service';

const inventory = {
  namespaces: [{ name: 'shop', labels: {} }],
  services: [
    {
      namespace: 'shop',
      name: 'cart',
      labels: {},
      ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 80 }],
      endpointGroups: [{ labels: {}, ready: 2, notReady: 0 }],
    },
  ],
};

const shop = (changes: Partial<GlobalNamespaceInput> = {}): GlobalNamespaceInput => ({
  name: 'shop',
  domain: 'shop.lattice.local',
  matchConditions: [
    { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
  ],
  ...changes,
});

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/**
 * The GNS service with its real repositories and the CA lifecycle on a scratch database, without
 * the rest of the application (no servers, no workers; the recomputation port records).
 */
describe('GlobalNamespacesService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let scheduler: RecordingScheduler;
  let prisma: PrismaService;
  let service: GlobalNamespacesService;
  let ca: GnsCaService;
  let actor: TenantPrincipal;
  let shopId: string;

  const auditEvents = (resourceId: string) =>
    prisma.auditEvent.findMany({ where: { resourceId }, orderBy: { createdAt: 'asc' } });

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
      }),
    });
    ({ moduleRef, scheduler } = await createFeatureModule(config, [AuditModule, GlobalNamespacesModule]));
    prisma = moduleRef.get(PrismaService);
    service = moduleRef.get(GlobalNamespacesService);
    ca = moduleRef.get(GnsCaService);
    actor = await createTestTenant(moduleRef, 'gns-service');
    await prisma.cluster.create({ data: { tenantId: actor.tenantId, name: 'east', inventory } });
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(gnsCaQueue).obliterate({ force: true });
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates the GNS with its root CA in one audited change, and asks for a recomputation', async () => {
    const created = await service.create(actor, shop());
    shopId = created.id;
    expect(created).toMatchObject({ name: 'shop', version: 1, mtlsMode: 'STRICT' });
    expect(created.status).toMatchObject({
      memberNamespaces: [{ clusterName: 'east', namespace: 'shop' }],
      serviceCount: 1,
    });

    const status = await ca.status(actor.tenantId, shopId);
    expect(status.trustDomain).toBe('shop.lattice.local');
    expect(status.rotation).toMatchObject({
      stage: 'IDLE',
      currentRootGeneration: 1,
      nextRootGeneration: null,
    });
    expect(status.roots).toEqual([
      expect.objectContaining({ generation: 1, state: 'ACTIVE', issuing: true }),
    ]);

    const [event] = await auditEvents(shopId);
    expect(event).toMatchObject({ action: 'global-namespace.create', actorName: 'test-admin' });
    expect(event!.after).toMatchObject({
      name: 'shop',
      caRootFingerprintSha256: status.roots[0]!.fingerprintSha256,
    });
    expect(scheduler.calls).toContainEqual({
      tenantId: actor.tenantId,
      reason: `global namespace ${shopId} created`,
    });
  });

  it('refuses a name the tenant already uses (409), leaving no root behind', async () => {
    const error = await domainError(service.create(actor, shop({ domain: 'other.lattice.local' })));
    expect(error.code).toBe('CONFLICT');
    expect(await prisma.gnsCaRoot.count({ where: { tenantId: actor.tenantId } })).toBe(1);
    expect(await prisma.globalNamespace.count({ where: { tenantId: actor.tenantId } })).toBe(1);
  });

  it('gets, lists and shows member services from the live inventory', async () => {
    const listed = await service.list(actor.tenantId, { limit: 10 });
    expect(listed.items.map((item) => [item.id, item.status.serviceCount])).toEqual([[shopId, 1]]);
    expect((await service.services(actor.tenantId, shopId)).map((svc) => svc.name)).toEqual(['cart']);
    const other = await createTestTenant(moduleRef, 'gns-service-other');
    expect((await domainError(service.get(other.tenantId, shopId))).code).toBe('NOT_FOUND');
    expect((await domainError(service.assertExists(other.tenantId, shopId))).code).toBe('NOT_FOUND');
  });

  it('an edit that keeps the domain leaves the CA alone', async () => {
    const updated = await service.replace(actor, shopId, 1, shop({ description: 'the shop' }));
    expect(updated).toMatchObject({ version: 2, description: 'the shop' });
    const status = await ca.status(actor.tenantId, shopId);
    expect(status.rotation?.stage).toBe('IDLE');
    expect(status.roots).toHaveLength(1);
  });

  it('refuses an edit of a stale version (412) without touching anything', async () => {
    const error = await domainError(
      service.replace(actor, shopId, 1, shop({ domain: 'stale.lattice.local' })),
    );
    expect(error.code).toBe('PRECONDITION_FAILED');
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: shopId } })).toBe(1);
  });

  it('a new domain starts a root rotation to a root naming it, in the same audited change', async () => {
    const updated = await service.replace(actor, shopId, 2, shop({ domain: 'shop2.lattice.local' }));
    expect(updated).toMatchObject({ version: 3, domain: 'shop2.lattice.local' });
    const status = await ca.status(actor.tenantId, shopId);
    expect(status.rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      currentRootGeneration: 1,
      nextRootGeneration: 2,
    });
    const incoming = status.roots.find((root) => root.generation === 2)!;
    expect(incoming.state).toBe('INCOMING');
    const rootPem = await prisma.gnsCaRoot.findFirstOrThrow({ where: { gnsId: shopId, generation: 2 } });
    expect(new X509Certificate(rootPem.certificatePem).subjectAltName).toContain(
      'spiffe://shop2.lattice.local',
    );

    const events = await auditEvents(shopId);
    expect(events.map((event) => event.action)).toEqual([
      'global-namespace.create',
      'global-namespace.update',
      'global-namespace.update',
    ]);
    expect(events[2]!.after).toMatchObject({
      domain: 'shop2.lattice.local',
      caRootRotation: {
        stage: 'TRUST_BOTH',
        nextRootGeneration: 2,
        newRootFingerprintSha256: incoming.fingerprintSha256,
      },
    });
    expect(scheduler.calls.map((call) => call.reason)).toEqual(
      expect.arrayContaining([
        `global namespace ${shopId} updated`,
        `root rotation of global namespace ${shopId} started`,
      ]),
    );
  });

  it('refuses another domain change while the rotation runs (409), changing nothing', async () => {
    const error = await domainError(
      service.replace(actor, shopId, 3, shop({ domain: 'shop3.lattice.local' })),
    );
    expect(error.code).toBe('CONFLICT');
    expect(error.message).toMatch(/spiffe:\/\/shop2\.lattice\.local.*stage TRUST_BOTH, to root generation 2/);
    expect(await service.get(actor.tenantId, shopId)).toMatchObject({
      version: 3,
      domain: 'shop2.lattice.local',
    });
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: shopId } })).toBe(2);
    // Other edits still go through during a rotation.
    expect(
      await service.replace(actor, shopId, 3, shop({ domain: 'shop2.lattice.local', description: 'x' })),
    ).toMatchObject({ version: 4 });
  });

  it('deletes the GNS with its roots and intermediates, audited', async () => {
    expect((await domainError(service.delete(actor, shopId, 1))).code).toBe('PRECONDITION_FAILED');
    await service.delete(actor, shopId, undefined);
    expect((await domainError(service.get(actor.tenantId, shopId))).code).toBe('NOT_FOUND');
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: shopId } })).toBe(0);
    expect((await auditEvents(shopId)).at(-1)).toMatchObject({ action: 'global-namespace.delete' });
    expect(scheduler.calls.at(-1)).toEqual({
      tenantId: actor.tenantId,
      reason: `global namespace ${shopId} deleted`,
    });
    expect((await domainError(service.delete(actor, shopId, undefined))).code).toBe('NOT_FOUND');
  });
});
