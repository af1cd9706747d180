import type { TestingModule } from '@nestjs/testing';
import { DomainError, type DesiredClusterState } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { PrismaService } from '../../platform/database/prisma.service';
import { ConfigDistributionModule } from './config-distribution.module';
import { DesiredStateService } from './desired-state.service';
import { MeshMembershipService } from './mesh-membership.service';
import { SnapshotStoreRepository } from './snapshot-store.repository';

function inventory(namespace: string, service: string) {
  return {
    namespaces: [{ name: namespace, labels: {} }],
    services: [
      {
        namespace,
        name: service,
        labels: { app: service },
        ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
        endpointGroups: [{ labels: {}, ready: 1, notReady: 0 }],
      },
    ],
  };
}

const exact = (cluster: string, namespace: string) => ({
  cluster: { type: 'EXACT', value: cluster },
  namespace: { type: 'EXACT', value: namespace },
});

/**
 * Mesh membership and the desired-state recomputation with their real repository, on a scratch
 * database: no worker, no agent, the services called directly.
 */
describe('MeshMembershipService and DesiredStateService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let membership: MeshMembershipService;
  let desiredState: DesiredStateService;
  let tenantId: string;
  let eastId: string;
  let shopId: string;
  let brokenId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef } = await createFeatureModule(testRuntimeConfig(database.url), [ConfigDistributionModule]));
    prisma = moduleRef.get(PrismaService);
    membership = moduleRef.get(MeshMembershipService);
    desiredState = moduleRef.get(DesiredStateService);
    ({ tenantId } = await createTestTenant(moduleRef, 'mesh'));
    eastId = (
      await prisma.cluster.create({
        data: { tenantId, name: 'east', eastWestAddress: '10.0.0.1', inventory: inventory('shop', 'cart') },
      })
    ).id;
    // Revoked clusters take no part in the mesh, whatever their inventory.
    await prisma.cluster.create({
      data: { tenantId, name: 'west', inventory: inventory('shop', 'checkout'), revokedAt: new Date() },
    });
    // Unreadable stored inventory: the cluster counts as empty rather than failing the tenant.
    await prisma.cluster.create({ data: { tenantId, name: 'south', inventory: { namespaces: 'nope' } } });
    shopId = (
      await prisma.globalNamespace.create({
        data: {
          tenantId,
          name: 'shop',
          domain: 'shop.lattice.local',
          matchConditions: [exact('east', 'shop'), exact('west', 'shop'), exact('south', 'shop')],
        },
      })
    ).id;
    // Unreadable stored match conditions: the GNS matches nothing.
    brokenId = (
      await prisma.globalNamespace.create({
        data: {
          tenantId,
          name: 'broken',
          domain: 'broken.lattice.local',
          matchConditions: [{ cluster: 'east' }],
        },
      })
    ).id;
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('computes membership from live clusters only, degrading unreadable rows', async () => {
    const { mesh } = await membership.load(tenantId);
    expect(mesh.clusters.map((cluster) => cluster.name).sort()).toEqual(['east', 'south']);
    expect(mesh.clusters.find((cluster) => cluster.name === 'south')?.inventory).toEqual({
      namespaces: [],
      services: [],
    });

    const byGns = await membership.byGns(tenantId);
    expect(byGns.get(shopId)?.namespaces).toEqual([
      expect.objectContaining({ clusterId: eastId, namespace: 'shop' }),
    ]);
    expect(byGns.get(shopId)?.services.map((service) => service.name)).toEqual(['cart']);
    expect(byGns.get(brokenId)?.namespaces).toEqual([]);

    const shop = await membership.ofGns(tenantId, shopId);
    expect(shop.gns.gns.id).toBe(shopId);
    expect(shop.membership.globalNamespaces).toHaveLength(2);
  });

  it('reads an inventory again once its stored JSON changed (parsed inventories are kept by digest)', async () => {
    const servicesOfEast = async () =>
      (await membership.load(tenantId)).mesh.clusters
        .find((cluster) => cluster.id === eastId)!
        .inventory.services.map((service) => service.name);
    expect(await servicesOfEast()).toEqual(['cart']);
    await prisma.cluster.update({ where: { id: eastId }, data: { inventory: inventory('shop', 'basket') } });
    expect(await servicesOfEast()).toEqual(['basket']);
    await prisma.cluster.update({ where: { id: eastId }, data: { inventory: inventory('shop', 'cart') } });
    expect(await servicesOfEast()).toEqual(['cart']);
  });

  it('stores large payloads lz4-compressed where the server has lz4', async () => {
    const [{ lz4 }] = await prisma.$queryRaw<{ lz4: boolean }[]>`
      SELECT coalesce(bool_or('lz4' = ANY (enumvals)), false) AS lz4 FROM pg_settings
       WHERE name = 'default_toast_compression'`;
    const payload = Buffer.from(
      JSON.stringify({ endpoints: Array(2000).fill({ kind: 'REMOTE', port: 15443 }) }),
    );
    const scratch = await prisma.cluster.create({ data: { tenantId, name: 'compressed' } });
    try {
      const stored = await moduleRef
        .get(SnapshotStoreRepository)
        .store(tenantId, [{ clusterId: scratch.id, hash: 'c'.repeat(64), payload }]);
      expect(stored.get(scratch.id)).toBe(1);
      const [{ method }] = await prisma.$queryRaw<{ method: string | null }[]>`
        SELECT pg_column_compression(desired_payload) AS method FROM clusters WHERE id = ${scratch.id}::uuid`;
      expect(method).toBe(lz4 ? 'lz4' : 'pglz');
      const read = await moduleRef
        .get(SnapshotStoreRepository)
        .newerThan(tenantId, [{ clusterId: scratch.id, newerThan: 0 }]);
      expect(Buffer.compare(read.get(scratch.id)!.payload, payload)).toBe(0);
    } finally {
      await prisma.cluster.delete({ where: { id: scratch.id } });
    }
  });

  it('ofGns says NOT_FOUND for a GNS of another tenant', async () => {
    const other = await createTestTenant(moduleRef, 'mesh-other');
    await expect(membership.ofGns(other.tenantId, shopId)).rejects.toMatchObject(
      new DomainError('NOT_FOUND', `global namespace ${shopId} not found`),
    );
  });

  it('stores a new version only for clusters whose desired state changed, and keeps it for the push path', async () => {
    const first = await desiredState.recomputeTenant(tenantId);
    expect(first.clusters).toBe(2);
    expect(first.newVersions).toEqual(expect.arrayContaining([{ clusterId: eastId, version: 1 }]));
    const row = await prisma.cluster.findUniqueOrThrow({ where: { id: eastId } });
    const state = JSON.parse(Buffer.from(row.desiredPayload!).toString('utf8')) as DesiredClusterState;
    expect(state.globalNamespaces.map((gns) => gns.id)).toEqual([shopId]);

    // The announced version comes from this replica's memory, anything else from PostgreSQL
    // (reads of one turn batched into one statement); both are exactly what the row holds.
    const cached = await desiredState.snapshotNewerThan(tenantId, eastId, 0, 1);
    const [read, again] = await Promise.all([
      desiredState.snapshotNewerThan(tenantId, eastId, 0),
      desiredState.snapshotNewerThan(tenantId, eastId, 0),
    ]);
    for (const snapshot of [cached, read, again]) {
      expect(snapshot?.version).toBe(1);
      expect(snapshot?.hash).toBe(row.desiredHash);
      expect(Buffer.compare(snapshot!.payload, Buffer.from(row.desiredPayload!))).toBe(0);
    }
    expect(await desiredState.snapshotNewerThan(tenantId, eastId, 1)).toBeNull();
    // Scoped by tenant: another tenant never reads this cluster's snapshot.
    const other = await createTestTenant(moduleRef, 'mesh-snapshot-reader');
    expect(await desiredState.snapshotNewerThan(other.tenantId, eastId, 0)).toBeNull();

    expect((await desiredState.recomputeTenant(tenantId)).newVersions).toEqual([]);
    await prisma.globalNamespace.update({ where: { id: shopId }, data: { mtlsMode: 'PERMISSIVE' } });
    expect((await desiredState.recomputeTenant(tenantId)).newVersions).toEqual([
      { clusterId: eastId, version: 2 },
    ]);
  });

  it('reads the stored policies as the desired state does, leaving unreadable ones out', async () => {
    await prisma.securityPolicy.create({
      data: { tenantId, gnsId: shopId, spec: { defaultAction: 'DENY' } },
    });
    await prisma.securityPolicy.create({
      data: { tenantId, gnsId: brokenId, spec: { defaultAction: 'MAYBE' } },
    });
    const policies = await desiredState.policiesByGns(tenantId);
    expect(policies.get(shopId)?.securityPolicy).toMatchObject({ defaultAction: 'DENY' });
    expect(policies.get(brokenId)?.securityPolicy).toBeUndefined();
  });
});
