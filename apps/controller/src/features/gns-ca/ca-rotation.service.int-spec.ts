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
import { CaRotationService } from './ca-rotation.service';
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

const payloadWith = (gnsId: string) =>
  Buffer.from(JSON.stringify({ globalNamespaces: [{ id: gnsId }] }), 'utf8');

/** Root rotation driven step by step (no worker), and the sweep, on a scratch database. */
describe('CaRotationService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let scheduler: RecordingScheduler;
  let prisma: PrismaService;
  let rotation: CaRotationService;
  let ca: GnsCaService;
  let actor: TenantPrincipal;
  let gnsId: string;

  const stage = async () => (await ca.status(actor.tenantId, gnsId)).rotation?.stage;

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
        LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: '0',
      }),
    });
    ({ moduleRef, scheduler } = await createFeatureModule(config, [GnsCaModule]));
    prisma = moduleRef.get(PrismaService);
    rotation = moduleRef.get(CaRotationService);
    ca = moduleRef.get(GnsCaService);
    actor = await createTestTenant(moduleRef, 'ca-rotation');
    gnsId = (
      await prisma.globalNamespace.create({
        data: { tenantId: actor.tenantId, name: 'shop', domain: 'shop.lattice.local', matchConditions: [] },
      })
    ).id;
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(gnsCaQueue).obliterate({ force: true });
    await moduleRef?.close();
    await database?.drop();
  });

  it('refuses to rotate a GNS that has no root yet (409); the sweep creates it', async () => {
    expect((await domainError(rotation.rotate(actor, gnsId))).message).toContain('has no root CA yet');
    await rotation.sweep();
    expect(await stage()).toBe('IDLE');
    expect(scheduler.calls).toContainEqual({
      tenantId: actor.tenantId,
      reason: `root CA of global namespace ${gnsId} created`,
    });
    await rotation.sweep();
    expect(await prisma.gnsCaRoot.count({ where: { gnsId } })).toBe(1);
  });

  it('starts a rotation (audited) and refuses a second one while it runs (409)', async () => {
    // The GNS was created under a 24 h workload-certificate TTL; the rotation takes today's setting (0).
    const created = await prisma.globalNamespace.findUniqueOrThrow({ where: { id: gnsId } });
    await prisma.globalNamespace.update({
      where: { id: gnsId },
      data: { caRotation: { ...(created.caRotation as object), maxWorkloadCertTtlSeconds: 86_400 } },
    });
    expect((await ca.status(actor.tenantId, gnsId)).rotation?.maxWorkloadCertTtlSeconds).toBe(86_400);
    const status = await rotation.rotate(actor, gnsId);
    expect(status.rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      nextRootGeneration: 2,
      maxWorkloadCertTtlSeconds: 0,
    });
    expect(
      await prisma.auditEvent.findFirst({
        where: { resourceId: gnsId, action: 'global-namespace.ca.rotate' },
      }),
    ).toMatchObject({
      before: { stage: 'IDLE', currentRootGeneration: 1, nextRootGeneration: null },
    });
    const again = await domainError(rotation.rotate(actor, gnsId));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toContain('already in progress');
  });

  it('waits for a connected member that has not applied its latest snapshot', async () => {
    const east = await prisma.cluster.create({
      data: {
        tenantId: actor.tenantId,
        name: 'east',
        firstConnectedAt: new Date(),
        desiredVersion: 2,
        appliedVersion: 1,
        desiredPayload: payloadWith(gnsId),
      },
    });
    await rotation.advanceTenant(actor.tenantId);
    const status = await ca.status(actor.tenantId, gnsId);
    expect(status.rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      waitingFor: {
        reason: 'waiting for 1 cluster(s) to apply their latest snapshot',
        clusterIds: [east.id],
      },
    });
    await prisma.cluster.delete({ where: { id: east.id } });
  });

  it('advances one stage per step to IDLE, retiring and then destroying the old root', async () => {
    await rotation.advance(actor.tenantId, gnsId);
    expect(await stage()).toBe('ISSUING_NEW');
    await rotation.advance(actor.tenantId, gnsId);
    expect(await stage()).toBe('DROP_OLD');
    expect(
      (await ca.status(actor.tenantId, gnsId)).roots.map((root) => [root.generation, root.state]),
    ).toEqual([
      [1, 'RETIRED'],
      [2, 'INCOMING'],
    ]);
    await rotation.advance(actor.tenantId, gnsId);
    const status = await ca.status(actor.tenantId, gnsId);
    expect(status.rotation).toMatchObject({ stage: 'IDLE', currentRootGeneration: 2, waitingFor: null });
    expect(status.roots.map((root) => [root.generation, root.state])).toEqual([[2, 'ACTIVE']]);
    expect(scheduler.calls.map((call) => call.reason)).toContain(
      `root rotation of global namespace ${gnsId} entered IDLE`,
    );
    await rotation.advance(actor.tenantId, gnsId);
    expect(await stage()).toBe('IDLE');
  });
});
