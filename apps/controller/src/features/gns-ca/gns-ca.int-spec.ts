import { X509Certificate } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import {
  DecryptionError,
  createCsr,
  gnsRootKeyAssociatedData,
  intermediateCommonName,
  openPrivateKey,
  type EncryptedBlob,
} from '@lattice/pki';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { freePort } from '../../platform/bootstrap/local-resources.util';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import type { RuntimeConfig } from '../../platform/config/runtime-config.types';
import { DesiredStateService } from '../config-distribution/desired-state.service';
import { AuditModule } from '../audit/audit.module';
import { GlobalNamespacesModule } from '../global-namespaces/global-namespaces.module';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { CaRotationService } from './ca-rotation.service';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { gnsCaQueue } from './ca-rotation-scheduler.service';
import { GnsCaService } from './gns-ca.service';
import { IntermediateIssuanceService } from './intermediate-issuance.service';

const shopInventory = {
  namespaces: [{ name: 'shop', labels: {} }],
  services: [
    {
      namespace: 'shop',
      name: 'cart',
      labels: {},
      ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 80 }],
      endpointGroups: [{ labels: {}, ready: 1, notReady: 0 }],
    },
  ],
};

/**
 * The GNS CA against real PostgreSQL without the rest of the app: root storage, CSR checks,
 * rotation steps with simulated ACKs.
 */
describe('GNS certificate authority (PostgreSQL)', () => {
  let database: TestDatabase;
  let config: RuntimeConfig;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let gnsCa: GnsCaService;
  let issuance: IntermediateIssuanceService;
  let rotation: CaRotationService;
  let actor: TenantPrincipal;
  let shopId: string;
  let otherId: string;
  let eastId: string;

  const createGns = (name: string, namespace: string) =>
    moduleRef.get(GlobalNamespacesService).create(actor, {
      name,
      domain: `${name}.lattice.local`,
      matchConditions: [
        { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: namespace } },
      ],
    });

  /** Recomputes the desired state and lets the cluster "ACK" it, as a connected agent would. */
  async function recomputeAndAck(): Promise<void> {
    await moduleRef.get(DesiredStateService).recomputeTenant(actor.tenantId);
    const row = await prisma.cluster.findUniqueOrThrow({ where: { id: eastId } });
    await prisma.cluster.update({ where: { id: eastId }, data: { appliedVersion: row.desiredVersion } });
  }

  async function answerRequests(): Promise<void> {
    const requests = await issuance.intermediateRequestsFor(actor.tenantId, eastId);
    for (const request of requests) {
      const { csrPem } = await createCsr({ commonName: request.subjectCommonName, rsaBits: 2048 });
      const outcome = await issuance.handleCsr(actor.tenantId, eastId, { ...request, csrPem });
      expect(outcome).toMatchObject({ signed: true });
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        GRPC_PORT: String(await freePort()),
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
        LATTICE_CA_INTERMEDIATE_VALIDITY_DAYS: '30',
        LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS: '0',
      }),
    });
    // The CA and GNS features on the infrastructure only; no workers run, the test drives each step.
    ({ moduleRef } = await createFeatureModule(config, [AuditModule, GlobalNamespacesModule]));
    prisma = moduleRef.get(PrismaService);
    gnsCa = moduleRef.get(GnsCaService);
    issuance = moduleRef.get(IntermediateIssuanceService);
    rotation = moduleRef.get(CaRotationService);
    actor = await createTestTenant(moduleRef, 'Acme Corp');
    eastId = (
      await prisma.cluster.create({
        data: {
          tenantId: actor.tenantId,
          name: 'east',
          inventory: shopInventory,
          firstConnectedAt: new Date(),
        },
      })
    ).id;
    shopId = (await createGns('shop', 'shop')).id;
    otherId = (await createGns('other', 'nowhere')).id;
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(gnsCaQueue).obliterate({ force: true });
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates the root with the GNS, its key only sealed to (tenant, GNS, generation)', async () => {
    const rows = await prisma.$queryRaw<
      { gns_id: string; certificate_pem: string; encrypted_key: EncryptedBlob }[]
    >`
      SELECT gns_id, certificate_pem, encrypted_key FROM gns_ca_roots`;
    expect(rows).toHaveLength(2);
    // A dump of the table holds no usable key.
    expect(JSON.stringify(rows)).not.toMatch(/PRIVATE KEY/);
    const shop = rows.find((row) => row.gns_id === shopId)!;
    const root = new X509Certificate(shop.certificate_pem);
    expect(root.ca).toBe(true);
    expect(root.subject).toContain('O=Acme Corp');
    expect(root.subject).toContain('CN=Lattice GNS root shop');
    expect(root.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    const days = (Date.parse(root.validTo) - Date.parse(root.validFrom)) / 86_400_000;
    expect(Math.round(days)).toBe(3650);

    const sealed = shop.encrypted_key;
    const opened = openPrivateKey(
      sealed,
      config.masterKey,
      gnsRootKeyAssociatedData({ tenantId: actor.tenantId, gnsId: shopId, generation: 1 }),
    );
    expect(opened).toMatch(/BEGIN PRIVATE KEY/);
    // Moved to another GNS (or generation), the ciphertext does not open.
    for (const elsewhere of [
      { tenantId: actor.tenantId, gnsId: otherId, generation: 1 },
      { tenantId: actor.tenantId, gnsId: shopId, generation: 2 },
    ]) {
      expect(() => openPrivateKey(sealed, config.masterKey, gnsRootKeyAssociatedData(elsewhere))).toThrow(
        DecryptionError,
      );
    }
  });

  it('asks a member for a CSR once, signs a good one, and records refusals', async () => {
    // Not a member of "other": refused, with the reason on the intermediate.
    const { csrPem } = await createCsr({ commonName: intermediateCommonName('east'), rsaBits: 2048 });
    expect(
      await issuance.handleCsr(actor.tenantId, eastId, { gnsId: otherId, csrPem, rootGeneration: 1 }),
    ).toEqual({
      signed: false,
      reason: 'cluster east is not a member of global namespace other',
    });
    expect((await gnsCa.status(actor.tenantId, otherId)).intermediates).toEqual([
      expect.objectContaining({
        clusterName: 'east',
        state: 'ERROR',
        lastError: expect.stringMatching(/not a member/),
      }),
    ]);

    await moduleRef.get(DesiredStateService).recomputeTenant(actor.tenantId);
    expect((await gnsCa.status(actor.tenantId, shopId)).intermediates).toEqual([
      expect.objectContaining({ clusterName: 'east', state: 'PENDING', requestedAt: null }),
    ]);
    const requests = await issuance.intermediateRequestsFor(actor.tenantId, eastId);
    expect(requests).toEqual([
      { gnsId: shopId, subjectCommonName: 'Lattice intermediate east', rootGeneration: 1 },
    ]);
    // Outstanding: not asked again at the next check.
    expect(await issuance.intermediateRequestsFor(actor.tenantId, eastId)).toEqual([]);

    expect(
      await issuance.handleCsr(actor.tenantId, eastId, { gnsId: shopId, csrPem, rootGeneration: 2 }),
    ).toMatchObject({
      signed: false,
      reason: expect.stringMatching(/generation 1 issues intermediates now/),
    });
    const signed = await issuance.handleCsr(actor.tenantId, eastId, {
      gnsId: shopId,
      csrPem,
      rootGeneration: 1,
    });
    if (!signed.signed) throw new Error(signed.reason);
    const [intermediatePem, rootPem] = signed.certChainPem.split(/(?<=-----END CERTIFICATE-----\n)/);
    const intermediate = new X509Certificate(intermediatePem!);
    const root = new X509Certificate(rootPem!);
    expect(intermediate.checkIssued(root) && intermediate.verify(root.publicKey)).toBe(true);
    expect(signed.trustBundlePem).toBe(rootPem);
    expect(
      Math.round((Date.parse(intermediate.validTo) - Date.parse(intermediate.validFrom)) / 86_400_000),
    ).toBe(30);

    const status = await gnsCa.status(actor.tenantId, shopId);
    expect(status.intermediates).toEqual([
      expect.objectContaining({ clusterName: 'east', state: 'SIGNED', rootGeneration: 1, lastError: null }),
    ]);
    expect(JSON.stringify(status)).not.toMatch(/PRIVATE KEY/);
    // The snapshot carries the chain and the bundle.
    await recomputeAndAck();
    const row = await prisma.cluster.findUniqueOrThrow({ where: { id: eastId } });
    const payload = JSON.parse(Buffer.from(row.desiredPayload!).toString('utf8')) as {
      globalNamespaces: { id: string; ca?: { certChainPem: string; rootGeneration: number } }[];
      meshCa?: { gnsId: string };
    };
    expect(payload.globalNamespaces.find((gns) => gns.id === shopId)?.ca).toMatchObject({
      certChainPem: signed.certChainPem,
      rootGeneration: 1,
    });
    expect(payload.meshCa?.gnsId).toBe(shopId);
    expect(JSON.stringify(payload)).not.toMatch(/PRIVATE KEY/);
  });

  it('rotates stage by stage, gated on what the cluster has applied', async () => {
    const started = await rotation.rotate(actor, shopId);
    expect(started.rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      currentRootGeneration: 1,
      nextRootGeneration: 2,
    });
    await expect(rotation.rotate(actor, shopId)).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      rotation.rotate({ ...actor, tenantId: '00000000-0000-4000-8000-000000000000' }, shopId),
    ).rejects.toThrow(DomainError);

    // The cluster has not applied the bundle with both roots yet: nothing moves.
    await moduleRef.get(DesiredStateService).recomputeTenant(actor.tenantId);
    await rotation.advance(actor.tenantId, shopId);
    expect((await gnsCa.status(actor.tenantId, shopId)).rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      waitingFor: { clusterIds: [eastId], reason: expect.stringMatching(/apply their latest snapshot/) },
    });

    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    expect((await gnsCa.status(actor.tenantId, shopId)).rotation?.stage).toBe('ISSUING_NEW');

    // Still on the old intermediate: waiting for the new one.
    await rotation.advance(actor.tenantId, shopId);
    expect((await gnsCa.status(actor.tenantId, shopId)).rotation).toMatchObject({
      stage: 'ISSUING_NEW',
      waitingFor: { clusterIds: [eastId] },
    });
    await answerRequests();
    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    const dropping = await gnsCa.status(actor.tenantId, shopId);
    expect(dropping.rotation?.stage).toBe('DROP_OLD');
    expect(dropping.roots.map((root) => [root.generation, root.state, root.trusted])).toEqual([
      [1, 'RETIRED', false],
      [2, 'INCOMING', true],
    ]);

    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    const done = await gnsCa.status(actor.tenantId, shopId);
    expect(done.rotation).toMatchObject({
      stage: 'IDLE',
      currentRootGeneration: 2,
      nextRootGeneration: null,
    });
    expect(done.roots.map((root) => root.generation)).toEqual([2]);
    expect(done.intermediates.map((i) => [i.rootGeneration, i.state])).toEqual([[2, 'SIGNED']]);
    // The old root's key is gone with its row.
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: shopId, generation: 1 } })).toBe(0);
  });

  it('asks for a renewal at two thirds of the lifetime and replaces the certificate', async () => {
    const day = 86_400_000;
    const before = await prisma.gnsIntermediate.findFirstOrThrow({
      where: { gnsId: shopId, clusterId: eastId },
    });
    expect(await issuance.intermediateRequestsFor(actor.tenantId, eastId)).toEqual([]);
    // 21 of 30 days gone: past the renewal point (day 20).
    await prisma.gnsIntermediate.update({
      where: { id: before.id },
      data: {
        requestedAt: new Date(Date.now() - 21 * day - 1000),
        signedAt: new Date(Date.now() - 21 * day),
        notAfter: new Date(Date.now() + 9 * day),
      },
    });
    expect((await gnsCa.status(actor.tenantId, shopId)).intermediates[0]?.state).toBe('EXPIRING');
    await answerRequests();
    const after = await prisma.gnsIntermediate.findFirstOrThrow({ where: { id: before.id } });
    expect(after.fingerprint).not.toBe(before.fingerprint);
    expect(after.notAfter!.getTime()).toBeGreaterThan(Date.now() + 29 * day);
    expect((await gnsCa.status(actor.tenantId, shopId)).intermediates[0]?.state).toBe('SIGNED');
  });

  it('gives a GNS created before the CA existed its root in the periodic sweep', async () => {
    const legacy = await prisma.globalNamespace.create({
      data: { tenantId: actor.tenantId, name: 'legacy', domain: 'legacy.lattice.local', matchConditions: [] },
    });
    expect((await gnsCa.status(actor.tenantId, legacy.id)).roots).toEqual([]);
    await rotation.sweep();
    const status = await gnsCa.status(actor.tenantId, legacy.id);
    expect(status.roots).toEqual([
      expect.objectContaining({ generation: 1, state: 'ACTIVE', issuing: true }),
    ]);
    expect(status.rotation).toMatchObject({ stage: 'IDLE', currentRootGeneration: 1 });
    // Idempotent: a second sweep (or replica) does not add another root.
    await rotation.sweep();
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: legacy.id } })).toBe(1);
  });

  it('rotates to a root for the new trust domain when the domain changes, and refuses one mid-rotation', async () => {
    const service = moduleRef.get(GlobalNamespacesService);
    const spiffeIds = (pem: string) => new X509Certificate(pem).subjectAltName ?? '';
    const rootsOf = () =>
      prisma.gnsCaRoot.findMany({ where: { gnsId: shopId }, orderBy: { generation: 'asc' } });
    const shop = await service.get(actor.tenantId, shopId);
    expect((await gnsCa.status(actor.tenantId, shopId)).rotation).toMatchObject({
      stage: 'IDLE',
      currentRootGeneration: 2,
    });
    const definition = {
      name: shop.name,
      domain: 'store.lattice.local',
      matchConditions: shop.matchConditions,
    };

    // A stale version is refused before any key is made.
    await expect(service.replace(actor, shopId, shop.version - 1, definition)).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
    });
    expect(await rootsOf()).toHaveLength(1);

    const renamed = await service.replace(actor, shopId, shop.version, definition);
    expect(renamed.domain).toBe('store.lattice.local');
    const started = await gnsCa.status(actor.tenantId, shopId);
    expect(started.trustDomain).toBe('store.lattice.local');
    expect(started.rotation).toMatchObject({
      stage: 'TRUST_BOTH',
      currentRootGeneration: 2,
      nextRootGeneration: 3,
    });
    const [oldRoot, newRoot] = await rootsOf();
    expect(spiffeIds(oldRoot!.certificatePem)).toContain('URI:spiffe://shop.lattice.local');
    expect(spiffeIds(newRoot!.certificatePem)).toContain('URI:spiffe://store.lattice.local');
    expect(spiffeIds(newRoot!.certificatePem)).not.toContain('shop.lattice.local');
    const [updateEvent] = await prisma.auditEvent.findMany({
      where: { resourceId: shopId, action: 'global-namespace.update' },
      orderBy: { createdAt: 'desc' },
      take: 1,
    });
    expect(updateEvent?.after).toMatchObject({
      domain: 'store.lattice.local',
      caRootRotation: {
        stage: 'TRUST_BOTH',
        nextRootGeneration: 3,
        newRootFingerprintSha256: newRoot!.fingerprint,
      },
    });

    // Mid-rotation: another domain is refused (the incoming root names this one); other edits pass.
    const refused: unknown = await service
      .replace(actor, shopId, renamed.version, { ...definition, domain: 'shop.lattice.local' })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(DomainError);
    expect(refused).toMatchObject({ code: 'CONFLICT' });
    expect((refused as DomainError).message).toMatch(
      /starts a root rotation, but one is in progress \(stage TRUST_BOTH/,
    );
    const described = await service.replace(actor, shopId, renamed.version, {
      ...definition,
      description: 'renamed shop',
    });
    expect(described.version).toBe(renamed.version + 1);
    expect(await rootsOf()).toHaveLength(2);

    // The rotation runs its stages as any other; the new intermediate names the new trust domain.
    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    expect((await gnsCa.status(actor.tenantId, shopId)).rotation?.stage).toBe('ISSUING_NEW');
    await answerRequests();
    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    await recomputeAndAck();
    await rotation.advance(actor.tenantId, shopId);
    const done = await gnsCa.status(actor.tenantId, shopId);
    expect(done.rotation).toMatchObject({ stage: 'IDLE', currentRootGeneration: 3 });
    expect(done.roots.map((root) => root.generation)).toEqual([3]);
    const intermediate = await prisma.gnsIntermediate.findFirstOrThrow({
      where: { gnsId: shopId, clusterId: eastId, rootGeneration: 3 },
    });
    expect(spiffeIds(intermediate.certificatePem!)).toContain(
      'URI:spiffe://store.lattice.local/ns/istio-system/sa/istiod-east',
    );
  });

  it('removes the CA with the GNS', async () => {
    await moduleRef.get(GlobalNamespacesService).delete(actor, shopId, undefined);
    expect(await prisma.gnsCaRoot.count({ where: { gnsId: shopId } })).toBe(0);
    expect(await prisma.gnsIntermediate.count({ where: { gnsId: shopId } })).toBe(0);
    await expect(gnsCa.status(actor.tenantId, shopId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
