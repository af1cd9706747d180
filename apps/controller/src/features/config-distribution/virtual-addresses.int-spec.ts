import type { TestingModule } from '@nestjs/testing';
import type { DesiredClusterState } from '@lattice/domain';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { PrismaService } from '../../platform/database/prisma.service';
import { ConfigDistributionModule } from './config-distribution.module';
import { DesiredStateService } from './desired-state.service';
import { MeshMembershipService } from './mesh-membership.service';
import { VirtualAddressService } from './virtual-addresses.service';

const tcp = (name: string, port: number) => ({
  namespace: 'shop',
  name,
  labels: { app: name },
  ports: [{ name: `tcp-${port}`, port, protocol: 'TCP', targetPort: port }],
  endpointGroups: [{ labels: {}, ready: 1, notReady: 0 }],
});
const http = (name: string) => ({
  ...tcp(name, 80),
  ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
});
const inventory = (services: ReturnType<typeof tcp>[]) => ({
  namespaces: [{ name: 'shop', labels: {} }],
  services,
});

/**
 * Stable virtual addresses with their real repository on a scratch database: allocated from the
 * configured range, stable across recomputations and restarts, released when a service leaves,
 * conflict-free when several replicas allocate at once.
 */
describe('VirtualAddressService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let tenantId: string;
  let clusterId: string;
  let gnsId: string;

  const config = (database: TestDatabase) => ({
    ...testRuntimeConfig(database.url),
    env: parseControllerEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
      LATTICE_SERVICE_VIP_RANGE: '240.250.0.0/24',
    }),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    ({ moduleRef } = await createFeatureModule(config(database), [ConfigDistributionModule]));
    prisma = moduleRef.get(PrismaService);
    ({ tenantId } = await createTestTenant(moduleRef, 'vips'));
    clusterId = (
      await prisma.cluster.create({
        data: {
          tenantId,
          name: 'east',
          eastWestAddress: '10.0.0.1',
          inventory: inventory([tcp('mainframe', 3270), tcp('ledger', 5432), http('web')]),
        },
      })
    ).id;
    gnsId = (
      await prisma.globalNamespace.create({
        data: {
          tenantId,
          name: 'shop',
          domain: 'shop.lattice.local',
          matchConditions: [
            { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
          ],
        },
      })
    ).id;
  });

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  const stored = async () =>
    Object.fromEntries(
      (await prisma.gnsServiceAddress.findMany({ where: { tenantId } })).map((row) => [
        row.service,
        row.address,
      ]),
    );

  it('gives TCP services addresses from the range and puts them into the desired state', async () => {
    await moduleRef.get(DesiredStateService).recomputeTenant(tenantId);
    expect(await stored()).toEqual({ ledger: '240.250.0.1', mainframe: '240.250.0.2' });
    const row = await prisma.cluster.findUniqueOrThrow({ where: { id: clusterId } });
    const state = JSON.parse(Buffer.from(row.desiredPayload!).toString('utf8')) as DesiredClusterState;
    const services = state.globalNamespaces[0].services;
    expect(services.map((service) => [service.name, service.addresses])).toEqual([
      ['ledger', ['240.250.0.1']],
      ['mainframe', ['240.250.0.2']],
      ['web', undefined],
    ]);
  });

  it('keeps the addresses across recomputations and a restart (a new module on the same database)', async () => {
    await moduleRef.get(DesiredStateService).recomputeTenant(tenantId);
    const { moduleRef: restarted } = await createFeatureModule(config(database), [ConfigDistributionModule]);
    try {
      const membership = (await restarted.get(MeshMembershipService).load(tenantId)).membership;
      const addresses = await restarted.get(VirtualAddressService).ensure(tenantId, membership);
      expect(Object.fromEntries(addresses.get(gnsId) ?? [])).toEqual({
        ledger: '240.250.0.1',
        mainframe: '240.250.0.2',
      });
    } finally {
      await restarted.close();
    }
  });

  it('releases the address of a service that left, and reuses the lowest free one', async () => {
    await prisma.cluster.update({
      where: { id: clusterId },
      data: { inventory: inventory([tcp('mainframe', 3270), http('web')]) },
    });
    await moduleRef.get(DesiredStateService).recomputeTenant(tenantId);
    expect(await stored()).toEqual({ mainframe: '240.250.0.2' });
    await prisma.cluster.update({
      where: { id: clusterId },
      data: { inventory: inventory([tcp('mainframe', 3270), tcp('queue', 5672)]) },
    });
    await moduleRef.get(DesiredStateService).recomputeTenant(tenantId);
    expect(await stored()).toEqual({ mainframe: '240.250.0.2', queue: '240.250.0.1' });
  });

  it('allocates without conflicts when several replicas allocate at once', async () => {
    const services = Array.from({ length: 12 }, (_, index) => tcp(`svc-${index}`, 7000 + index));
    await prisma.cluster.update({ where: { id: clusterId }, data: { inventory: inventory(services) } });
    const replicas = await Promise.all(
      [0, 1, 2].map(() => createFeatureModule(config(database), [ConfigDistributionModule])),
    );
    try {
      const membership = (await moduleRef.get(MeshMembershipService).load(tenantId)).membership;
      const results = await Promise.all(
        replicas.map(({ moduleRef: replica }) =>
          replica.get(VirtualAddressService).ensure(tenantId, membership),
        ),
      );
      const rows = await prisma.gnsServiceAddress.findMany({ where: { tenantId } });
      expect(rows).toHaveLength(12);
      expect(new Set(rows.map((row) => row.address)).size).toBe(12);
      // Every replica ends up with the same answer: the stored one.
      const storedByService = Object.fromEntries(rows.map((row) => [row.service, row.address]));
      for (const result of results)
        expect(Object.fromEntries(result.get(gnsId) ?? [])).toEqual(storedByService);
    } finally {
      await Promise.all(replicas.map(({ moduleRef: replica }) => replica.close()));
    }
  });

  it('refuses a range that overlaps Istio auto-allocation at start-up', () => {
    expect(() => parseControllerEnv({ LATTICE_SERVICE_VIP_RANGE: '240.240.0.0/20' })).toThrow(
      /LATTICE_SERVICE_VIP_RANGE.*overlaps 240\.240\.0\.0\/16/s,
    );
  });
});
