import type { TestingModule } from '@nestjs/testing';
import { DomainError, type MeshInstallation } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { createFeatureModule, createTestTenant } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { PrismaService } from '../../platform/database/prisma.service';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { AuditModule } from '../audit/audit.module';
import { gnsCaQueue } from '../gns-ca/ca-rotation-scheduler.service';
import { GlobalNamespacesModule } from '../global-namespaces/global-namespaces.module';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { meshDiagnosticsQueue } from './mesh-diagnostics.jobs';
import { MeshDiagnosticsModule } from './mesh-diagnostics.module';
import { MeshDiagnosticsService } from './mesh-diagnostics.service';
import { MeshReadyService } from './mesh-ready.service';

const inventory = {
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

const installation = (overrides: Partial<MeshInstallation> = {}): MeshInstallation => ({
  meshConfigFound: true,
  meshConfigName: 'istio',
  trustDomain: 'cluster.local',
  trustDomainAliases: ['shop.lattice.local'],
  dnsCapture: true,
  dnsAutoAllocate: true,
  network: 'net-east',
  eastWestGateway: {
    namespace: 'istio-system',
    name: 'istio-eastwestgateway',
    addresses: ['198.51.100.10'],
    ports: [15443],
    selector: 'istio=eastwestgateway',
  },
  passthroughGateways: [],
  istioVersion: '1.24.2',
  revision: 'default',
  localities: [{ region: 'us-east-1', zone: 'us-east-1a', nodes: 2 }],
  problems: [],
  source: 'kubernetes',
  ...overrides,
});

async function domainError(promise: Promise<unknown>): Promise<DomainError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

/** The diagnostics service with its real repository on a scratch database (no workers, no servers). */
describe('MeshDiagnosticsService (PostgreSQL)', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let service: MeshDiagnosticsService;
  let meshReady: MeshReadyService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;
  let eastId: string;
  let westId: string;
  let gnsId: string;

  const conditionOf = async (clusterId: string) => {
    const row = await prisma.cluster.findUniqueOrThrow({
      where: { id: clusterId },
      select: { conditions: true },
    });
    return (row.conditions as { type: string; status: string; reason: string; message: string }[]).find(
      (condition) => condition.type === 'MeshReady',
    );
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testRuntimeConfig(database.url, {
      env: parseControllerEnv({
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
      }),
    });
    ({ moduleRef } = await createFeatureModule(config, [
      AuditModule,
      GlobalNamespacesModule,
      MeshDiagnosticsModule,
    ]));
    prisma = moduleRef.get(PrismaService);
    service = moduleRef.get(MeshDiagnosticsService);
    meshReady = moduleRef.get(MeshReadyService);
    actor = await createTestTenant(moduleRef, 'meshdiag');
    stranger = await createTestTenant(moduleRef, 'meshdiag-stranger');
    eastId = (await prisma.cluster.create({ data: { tenantId: actor.tenantId, name: 'east', inventory } }))
      .id;
    westId = (await prisma.cluster.create({ data: { tenantId: actor.tenantId, name: 'west', inventory } }))
      .id;
    gnsId = (
      await moduleRef.get(GlobalNamespacesService).create(actor, {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: ['east', 'west'].map((cluster) => ({
          cluster: { type: 'EXACT' as const, value: cluster },
          namespace: { type: 'EXACT' as const, value: 'shop' },
        })),
      })
    ).id;
  });

  afterAll(async () => {
    await moduleRef?.get(JobRunner).queue(gnsCaQueue).obliterate({ force: true });
    await moduleRef?.get(JobRunner).queue(meshDiagnosticsQueue).obliterate({ force: true });
    await moduleRef?.close();
    await database?.drop();
  });

  it('refuses a malformed report, naming the field in MeshReady, and stores nothing', async () => {
    const problems = await service.recordInstallation(
      actor.tenantId,
      eastId,
      installation({ trustDomainAliases: ['has space'] }),
    );
    expect(problems).toEqual([{ field: 'mesh.trustDomainAliases[0]', message: expect.any(String) }]);
    expect((await service.installationOf(actor.tenantId, eastId)).installation).toBeNull();
    const condition = await conditionOf(eastId);
    expect(condition).toMatchObject({ status: 'Unknown', reason: 'InvalidInstallationReport' });
    expect(condition?.message).toContain('mesh.trustDomainAliases[0]');
  });

  it('stores a report, and keeps its time when the same report comes again', async () => {
    await service.recordInstallation(
      actor.tenantId,
      eastId,
      installation({ trustDomainAliases: [], dnsCapture: false }),
    );
    const first = await service.installationOf(actor.tenantId, eastId);
    expect(first.installation).toMatchObject({ trustDomainAliases: [], dnsCapture: false });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await service.recordInstallation(
      actor.tenantId,
      eastId,
      installation({ trustDomainAliases: [], dnsCapture: false }),
    );
    expect((await service.installationOf(actor.tenantId, eastId)).reportedAt).toEqual(first.reportedAt);
  });

  it('diagnoses the GNS across its members, tenant-scoped', async () => {
    const view = await service.diagnose(actor.tenantId, gnsId);
    expect(view.clusters.map((cluster) => [cluster.name, cluster.installation !== null])).toEqual([
      ['east', true],
      ['west', false],
    ]);
    expect(view.findings.map((f) => `${f.severity} ${f.clusterName} ${f.code}`)).toEqual([
      'ERROR east DNS_CAPTURE_OFF',
      'ERROR east TRUST_DOMAIN_ALIAS_MISSING',
      'WARNING west INSTALLATION_UNKNOWN',
    ]);
    expect(view.summary).toEqual({ ERROR: 2, WARNING: 1, INFO: 0 });
    expect((await domainError(service.diagnose(stranger.tenantId, gnsId))).code).toBe('NOT_FOUND');
    expect((await domainError(service.installationOf(stranger.tenantId, eastId))).code).toBe('NOT_FOUND');
    // Another tenant's report for this cluster changes nothing.
    await service.recordInstallation(stranger.tenantId, eastId, installation());
    expect((await service.installationOf(actor.tenantId, eastId)).installation?.dnsCapture).toBe(false);
  });

  it('keeps MeshReady equal to the findings: False with the errors, True once fixed, Unknown without a report', async () => {
    await meshReady.refreshMeshReady(actor.tenantId);
    const failing = await conditionOf(eastId);
    // The reason is the first error in check order (trust domain, DNS, gateway, network, version).
    expect(failing).toMatchObject({ status: 'False', reason: 'TrustDomainAliasMissing' });
    expect(failing?.message).toContain(
      '2 errors: TRUST_DOMAIN_ALIAS_MISSING (GNS shop), DNS_CAPTURE_OFF (GNS shop)',
    );
    expect(await conditionOf(westId)).toMatchObject({ status: 'Unknown', reason: 'InstallationUnknown' });

    await service.recordInstallation(actor.tenantId, eastId, installation());
    await meshReady.refreshMeshReady(actor.tenantId);
    expect(await conditionOf(eastId)).toMatchObject({ status: 'True', reason: 'Ready' });
  });
});
