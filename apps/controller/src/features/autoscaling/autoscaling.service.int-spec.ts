import { Test, type TestingModule } from '@nestjs/testing';
import { DomainError } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG } from '../../platform/config/runtime-config.types';
import { PgPool } from '../../platform/database/pg-pool.service';
import { PrismaService } from '../../platform/database/prisma.service';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { AuditRepository } from '../audit/audit.repository';
import { AuditService } from '../audit/audit.service';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { TenantMeshRepository } from '../config-distribution/tenant-mesh.repository';
import { GlobalNamespacesService } from '../global-namespaces/global-namespaces.service';
import { AutoscalingMetrics } from './autoscaling.metrics';
import { AutoscalingRepository } from './autoscaling.repository';
import { AutoscalingService, type ReportedAutoscalingDecision } from './autoscaling.service';

class RecordingScheduler extends DesiredStateScheduler {
  readonly reasons: string[] = [];

  schedule(_tenantId: string, reason: string): Promise<void> {
    this.reasons.push(reason);
    return Promise.resolve();
  }
}

async function failure(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

const spec = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 4, default: 2 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 200 }],
  windowSeconds: 60,
  gracePeriodSeconds: 120,
};

/**
 * AutoscalingService on its real repository and audit over a scratch database: versions, audit,
 * redistribution, idempotent decisions, and tenant isolation (another tenant neither reads nor
 * changes, and decisions naming its GNS are not stored for the wrong tenant).
 */
describe('AutoscalingService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let prisma: PrismaService;
  let service: AutoscalingService;
  let mesh: TenantMeshRepository;
  const scheduler = new RecordingScheduler();
  const knownGns = new Set<string>();
  let actor: TenantPrincipal;
  let intruder: TenantPrincipal;
  let gnsId: string;
  let otherGnsId: string;
  let clusterId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await Test.createTestingModule({
      providers: [
        { provide: RUNTIME_CONFIG, useValue: testRuntimeConfig(database.url) },
        PrismaService,
        PgPool,
        TransactionRunner,
        MetricsService,
        AutoscalingMetrics,
        AutoscalingRepository,
        AutoscalingService,
        AuditRepository,
        AuditService,
        TenantMeshRepository,
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
    service = moduleRef.get(AutoscalingService);
    mesh = moduleRef.get(TenantMeshRepository);

    const tenant = await prisma.tenant.create({ data: { name: 'autoscaling-int' } });
    const other = await prisma.tenant.create({ data: { name: 'autoscaling-int-other' } });
    actor = { kind: 'token', tenantId: tenant.id, tokenId: tenant.id, tokenName: 'editor', role: 'editor' };
    intruder = { kind: 'token', tenantId: other.id, tokenId: other.id, tokenName: 'editor', role: 'editor' };
    const gns = (tenantId: string, name: string) =>
      prisma.globalNamespace.create({
        data: { tenantId, name, domain: `${name}.lattice.local`, matchConditions: [] },
      });
    gnsId = (await gns(tenant.id, 'shop')).id;
    otherGnsId = (await gns(other.id, 'bank')).id;
    knownGns.add(`${tenant.id}/${gnsId}`);
    knownGns.add(`${other.id}/${otherGnsId}`);
    clusterId = (await prisma.cluster.create({ data: { tenantId: tenant.id, name: 'east' } })).id;
  }, 60_000);

  afterAll(async () => {
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates, replaces with If-Match, audits and redistributes', async () => {
    const created = await service.put(actor, gnsId, 'cart', undefined, spec);
    expect(created.created).toBe(true);
    expect(created.view.spec).toMatchObject({ recommendOnly: false, targets: [], instances: { stepsUp: 1 } });
    expect((await failure(service.put(actor, gnsId, 'cart', undefined, spec))).code).toBe(
      'PRECONDITION_REQUIRED',
    );
    expect((await failure(service.put(actor, gnsId, 'cart', 7, spec))).code).toBe('PRECONDITION_FAILED');
    const replaced = await service.put(actor, gnsId, 'cart', 1, { ...spec, mode: 'PERFORMANCE' });
    expect(replaced.view).toMatchObject({ version: 2, spec: { mode: 'PERFORMANCE' } });
    expect(scheduler.reasons).toEqual([
      `autoscaling policy of cart in GNS ${gnsId} created`,
      `autoscaling policy of cart in GNS ${gnsId} updated`,
    ]);
    const audit = await prisma.auditEvent.findMany({
      where: { tenantId: actor.tenantId },
      orderBy: { createdAt: 'asc' },
    });
    expect(audit.map((event) => event.action)).toEqual([
      'autoscaling-policy.create',
      'autoscaling-policy.update',
    ]);
    // What distribution reads: the policy, decoded.
    const loaded = await mesh.loadAutoscaling(actor.tenantId);
    expect(loaded.policies).toEqual([
      expect.objectContaining({
        gnsId,
        service: 'cart',
        version: 2,
        spec: expect.objectContaining({ mode: 'PERFORMANCE' }),
      }),
    ]);
    expect(loaded.violations).toEqual([]);
  });

  it('refuses a bad policy naming the fields', async () => {
    const error = await failure(
      service.put(actor, gnsId, 'cart', 2, { ...spec, instances: { min: 5, max: 1, default: 1 } }),
    );
    expect(error.code).toBe('VALIDATION');
    expect(error.fields.map((field) => field.field)).toEqual(['instances.min', 'instances.default']);
    expect((await failure(service.put(actor, gnsId, 'Not_A_Label', undefined, spec))).fields).toEqual([
      { field: 'service', message: 'must be a service name (DNS label)' },
    ]);
  });

  it('keeps tenants apart: another tenant can neither read nor change nor delete', async () => {
    expect((await failure(service.get(intruder.tenantId, gnsId, 'cart'))).code).toBe('NOT_FOUND');
    expect((await failure(service.list(intruder.tenantId, gnsId))).code).toBe('NOT_FOUND');
    expect((await failure(service.put(intruder, gnsId, 'cart', 2, spec))).code).toBe('NOT_FOUND');
    expect((await failure(service.delete(intruder, gnsId, 'cart', undefined))).code).toBe('NOT_FOUND');
    expect((await failure(service.listEvents(intruder.tenantId, gnsId, 'cart', { limit: 20 }))).code).toBe(
      'NOT_FOUND',
    );
    // Its own GNS does not see the other tenant's policy either.
    expect(await service.find(intruder.tenantId, otherGnsId, 'cart')).toBeNull();
    expect((await mesh.loadAutoscaling(intruder.tenantId)).policies).toEqual([]);
    expect((await service.get(actor.tenantId, gnsId, 'cart')).version).toBe(2);
  });

  it('stores reported decisions once each, only for GNS of the tenant, newest first', async () => {
    const decision = (id: string, at: number, gns = gnsId): ReportedAutoscalingDecision => ({
      decisionId: id,
      policyId: 'p1',
      policyVersion: 2,
      gnsId: gns,
      service: 'cart',
      targetKind: 'Deployment',
      targetNamespace: 'shop',
      targetName: 'cart',
      decidedAtUnixMs: at,
      action: 'SCALE_UP',
      outcome: 'APPLIED',
      fromReplicas: 2,
      toReplicas: 3,
      rule: 'CPU stayed above scaleUp 800 for 60s (min 912): up by 1',
      blockedBy: '',
      windows: [
        {
          trigger: 'CPU',
          scaleUp: 800,
          scaleDown: 200,
          samples: 4,
          min: 912,
          max: 990,
          avg: 950,
          verdict: 'UP',
        },
      ],
    });
    const t = Date.parse('2026-12-01T10:00:00Z');
    expect(
      await service.recordDecisions(actor.tenantId, clusterId, [decision('d1', t), decision('d2', t + 1000)]),
    ).toEqual({
      stored: 2,
    });
    // Resent after a reconnect, plus one naming another tenant's GNS: nothing new.
    expect(
      await service.recordDecisions(actor.tenantId, clusterId, [
        decision('d1', t),
        decision('d3', t, otherGnsId),
      ]),
    ).toEqual({ stored: 0 });
    const { items: events } = await service.listEvents(actor.tenantId, gnsId, 'cart', { limit: 20 });
    expect(events.map((event) => event.decisionId)).toEqual(['d2', 'd1']);
    expect(events[0]).toMatchObject({
      clusterName: 'east',
      blockedBy: null,
      target: { kind: 'Deployment', namespace: 'shop', name: 'cart' },
      windows: [{ trigger: 'CPU', min: 912, verdict: 'UP' }],
    });
    expect(await service.listEvents(intruder.tenantId, otherGnsId, 'cart', { limit: 20 })).toEqual({
      items: [],
      nextCursor: null,
    });
    // A page of one, then the next from its cursor.
    const first = await service.listEvents(actor.tenantId, gnsId, 'cart', { limit: 1 });
    expect(first.items.map((event) => event.decisionId)).toEqual(['d2']);
    expect(first.nextCursor).not.toBeNull();
    const second = await service.listEvents(actor.tenantId, gnsId, 'cart', {
      limit: 1,
      after: { createdAt: new Date(first.items[0]!.decidedAt), id: first.items[0]!.id },
    });
    expect(second).toMatchObject({ items: [{ decisionId: 'd1' }], nextCursor: null });
  });

  it('refuses malformed decisions naming the field', async () => {
    const error = await failure(
      service.recordDecisions(actor.tenantId, clusterId, [
        {
          decisionId: 'x',
          policyId: 'p',
          policyVersion: 1,
          gnsId: 'not-a-uuid',
          service: 'cart',
          targetKind: 'DaemonSet',
          targetNamespace: 'shop',
          targetName: 'cart',
          decidedAtUnixMs: 1,
          action: 'JUMP',
          outcome: 'APPLIED',
          fromReplicas: 1,
          toReplicas: 2,
          rule: '',
          blockedBy: '',
          windows: [],
        },
      ]),
    );
    expect(error.fields.map((field) => field.field)).toEqual([
      'decisions[0].gnsId',
      'decisions[0].targetKind',
      'decisions[0].action',
    ]);
  });

  it('deletes with an optional If-Match, audited', async () => {
    expect((await failure(service.delete(actor, gnsId, 'cart', 1))).code).toBe('PRECONDITION_FAILED');
    await service.delete(actor, gnsId, 'cart', 2);
    expect(await service.find(actor.tenantId, gnsId, 'cart')).toBeNull();
    expect((await failure(service.delete(actor, gnsId, 'cart', undefined))).code).toBe('NOT_FOUND');
  });
});
