import type { TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { GnsCaLifecycleService, type GnsIdentity } from './gns-ca-lifecycle.service';
import { GnsCaModule } from './gns-ca.module';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { gnsCaQueue } from './ca-rotation-scheduler.service';
import { GnsCaService } from './gns-ca.service';

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The CA's lifecycle API as the GNS feature uses it, on a scratch database. */
describe('GnsCaLifecycleService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let lifecycle: GnsCaLifecycleService;
  let transactions: TransactionRunner;
  let actor: TenantPrincipal;
  let gns: GnsIdentity;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef } = await createFeatureModule(testRuntimeConfig(database.url), [GnsCaModule]));
    prisma = moduleRef.get(PrismaService);
    lifecycle = moduleRef.get(GnsCaLifecycleService);
    transactions = moduleRef.get(TransactionRunner);
    actor = await createTestTenant(moduleRef, 'ca-lifecycle');
    const row = await prisma.globalNamespace.create({
      data: { tenantId: actor.tenantId, name: 'shop', domain: 'shop.lattice.local', matchConditions: [] },
    });
    gns = { id: row.id, name: row.name, domain: row.domain };
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(gnsCaQueue).obliterate({ force: true });
    await moduleRef?.close();
    await database?.drop();
  });

  it('a GNS without a root gets no domain rotation (the sweep makes its root later)', async () => {
    expect(
      await lifecycle.prepareDomainChange(actor.tenantId, { ...gns, domain: 'x.lattice.local' }, gns.domain),
    ).toBeUndefined();
  });

  it("stores the root of a new GNS only when the caller's transaction commits", async () => {
    const root = await lifecycle.prepareRootOfNewGns(actor.tenantId, gns);
    expect(root).toMatchObject({ gnsId: gns.id, fingerprintSha256: expect.stringMatching(/^[0-9A-F:]+$/) });
    await expect(
      transactions.run(async (tx) => {
        await lifecycle.createRootInTransaction(actor.tenantId, root, tx);
        throw new Error('the GNS insert failed');
      }),
    ).rejects.toThrow('the GNS insert failed');
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: gns.id } })).toBe(0);
    expect((await prisma.globalNamespace.findUniqueOrThrow({ where: { id: gns.id } })).caRotation).toBeNull();

    await transactions.run((tx) => lifecycle.createRootInTransaction(actor.tenantId, root, tx));
    const status = await moduleRef.get(GnsCaService).status(actor.tenantId, gns.id);
    expect(status.roots).toEqual([
      expect.objectContaining({ generation: 1, fingerprintSha256: root.fingerprintSha256 }),
    ]);
    expect(status.rotation).toMatchObject({ stage: 'IDLE', currentRootGeneration: 1 });
  });

  it('a domain change rotates to a root of the next generation; a concurrent one gets 409', async () => {
    const next = { ...gns, domain: 'shop2.lattice.local' };
    const [first, second] = await Promise.all([
      lifecycle.prepareDomainChange(actor.tenantId, next, gns.domain),
      lifecycle.prepareDomainChange(actor.tenantId, { ...gns, domain: 'shop3.lattice.local' }, gns.domain),
    ]);
    expect(first?.root.generation).toBe(2);
    expect(second?.root.generation).toBe(2);

    const audit = await transactions.run((tx) =>
      lifecycle.startDomainRotationInTransaction(actor.tenantId, first!, gns.domain, tx),
    );
    expect(audit).toEqual({
      stage: 'TRUST_BOTH',
      currentRootGeneration: 1,
      nextRootGeneration: 2,
      newRootFingerprintSha256: first!.fingerprintSha256,
    });
    await lifecycle.domainRotationCommitted(actor.tenantId, first!);

    const raced = await domainError(
      transactions.run((tx) =>
        lifecycle.startDomainRotationInTransaction(actor.tenantId, second!, gns.domain, tx),
      ),
    );
    expect(raced.code).toBe('CONFLICT');
    expect(raced.message).toContain('(stage TRUST_BOTH, to root generation 2)');
    const refused = await domainError(lifecycle.prepareDomainChange(actor.tenantId, next, gns.domain));
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('spiffe://shop.lattice.local');
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: gns.id } })).toBe(2);
  });
});
