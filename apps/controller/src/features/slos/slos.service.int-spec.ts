import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { MINUTE_MS, minuteStart, type SloSpecInput } from '@lattice/domain';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { compileFeatureModule } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { evaluateBackfilled } from '../../../../../test/support/slo-series';
import { seedGlobalNamespace, seedMinuteRows } from '../../../../../test/support/telemetry';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { pageArgs } from '../../platform/graphql/page.util';
import { SloEvaluationService } from './slo-evaluation.service';
import { SlosModule } from './slos.module';
import { SlosService } from './slos.service';

/**
 * SlosService on its own module and a scratch database (real repositories, no app boot): spec
 * validation against live GNS membership, optimistic concurrency, rebasing, audit, tenancy, and the
 * status and history read back from what the evaluation stored.
 */
describe('SlosService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let slos: SlosService;
  let actor: TenantPrincipal;
  let stranger: TenantPrincipal;
  let gnsId: string;
  let clusterId: string;
  const now = minuteStart(Date.now());

  const input = (overrides: Partial<SloSpecInput> = {}): SloSpecInput => ({
    name: 'checkout-availability',
    gnsId,
    services: ['checkout'],
    indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
    targetPercent: 99.9,
    window: '30d',
    ...overrides,
  });
  const auditActions = async (resourceId: string) =>
    (
      await sql.query(`SELECT action FROM audit_events WHERE resource_id = $1 ORDER BY created_at, action`, [
        resourceId,
      ])
    ).rows.map((row: { action: string }) => row.action);

  beforeAll(async () => {
    database = await createTestDatabase();
    moduleRef = await compileFeatureModule(SlosModule, testRuntimeConfig(database.url));
    slos = moduleRef.get(SlosService);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const tenant = async (name: string): Promise<TenantPrincipal> => ({
      kind: 'token',
      tenantId: (
        await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`, [name])
      ).rows[0].id as string,
      tokenId: randomUUID(),
      tokenName: 'test-admin',
      role: 'admin',
    });
    actor = await tenant('slos-a');
    stranger = await tenant('slos-b');
    const inventory = {
      namespaces: [{ name: 'shop', labels: {} }],
      services: ['checkout', 'cart'].map((name) => ({
        namespace: 'shop',
        name,
        labels: { app: name },
        ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
        endpointGroups: [{ labels: { app: name }, ready: 1, notReady: 0 }],
        selector: { app: name },
      })),
    };
    clusterId = (
      await sql.query(
        `INSERT INTO clusters (id, tenant_id, name, inventory, updated_at) VALUES (gen_random_uuid(), $1, 'east', $2, now()) RETURNING id`,
        [actor.tenantId, JSON.stringify(inventory)],
      )
    ).rows[0].id as string;
    gnsId = await seedGlobalNamespace(sql, actor.tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('creates an SLO of member services, with defaults and an audit record', async () => {
    const created = await slos.create(actor, input());
    expect(created).toMatchObject({
      name: 'checkout-availability',
      description: '',
      services: ['checkout'],
      indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
      budgeting: 'TIME_SLICES',
      type: 'MONITORED',
      version: 1,
      status: null,
    });
    expect(await slos.get(actor.tenantId, created.id)).toEqual(created);
    expect(await auditActions(created.id)).toEqual(['slo.create']);
  });

  it('refuses services that are not members of the GNS, an unknown GNS and a taken name', async () => {
    await expect(slos.create(actor, input({ name: 'x', services: ['payments'] }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'services[0]', message: expect.stringContaining('members now: cart, checkout') }],
    });
    await expect(slos.create(actor, input({ name: 'x', gnsId: randomUUID() }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'gnsId' }],
    });
    await expect(slos.create(stranger, input({ name: 'x' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'gnsId' }],
    });
    await expect(slos.create(actor, input())).rejects.toMatchObject({
      code: 'CONFLICT',
      fields: [{ field: 'name', message: 'is taken' }],
    });
  });

  it('replaces only at the current version, and restarts the series when the verdict basis changes', async () => {
    const created = await slos.create(actor, input({ name: 'cart-latency', services: ['cart'] }));
    const basis = async () =>
      (await sql.query(`SELECT basis FROM slos WHERE id = $1`, [created.id])).rows[0].basis as number;
    await expect(
      slos.replace(actor, created.id, 2, input({ name: 'cart-latency', services: ['cart'] })),
    ).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });

    const retargeted = await slos.replace(
      actor,
      created.id,
      1,
      input({ name: 'cart-latency', services: ['cart'], targetPercent: 99 }),
    );
    expect(retargeted).toMatchObject({ version: 2, targetPercent: 99 });
    expect(await basis()).toBe(1);

    const rebased = await slos.replace(
      actor,
      created.id,
      2,
      input({
        name: 'cart-latency',
        services: ['cart'],
        indicators: [{ kind: 'LATENCY', percentile: 'p99', thresholdMs: 300 }],
      }),
    );
    expect(rebased).toMatchObject({
      version: 3,
      indicators: [{ kind: 'LATENCY', percentile: 'p99', thresholdMs: 300 }],
    });
    expect(await basis()).toBe(2);
    await expect(slos.replace(actor, created.id, 3, input({ services: ['cart'] }))).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    expect(await auditActions(created.id)).toEqual(['slo.create', 'slo.update', 'slo.update']);
  });

  it('keeps tenants apart and checks the GNS filter of a listing', async () => {
    const [first] = (await slos.list(actor.tenantId, { limit: 10 })).items;
    await expect(slos.get(stranger.tenantId, first!.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await slos.list(stranger.tenantId, { limit: 10 })).items).toEqual([]);
    expect((await slos.list(actor.tenantId, { limit: 10 }, gnsId)).items).toHaveLength(2);
    await expect(slos.list(actor.tenantId, { limit: 10 }, 'not-a-uuid')).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(slos.list(stranger.tenantId, { limit: 10 }, gnsId)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('shows the status, events and history the evaluation stored', async () => {
    const created = await slos.create(actor, input({ name: 'checkout-errors' }));
    const evaluation = moduleRef.get(SloEvaluationService);
    // No telemetry to backfill: judged from its first run, while the (empty) backfill is pending.
    for (let minute = 3; minute >= 0; minute--) await evaluation.evaluate(new Date(now - minute * MINUTE_MS));
    const view = await slos.get(actor.tenantId, created.id);
    expect(view.status).toMatchObject({
      health: 'HEALTHY',
      compliance: 1,
      meetsTarget: true,
      activeAlerts: [],
      coverage: { backfilling: true },
    });
    expect(view.status!.burnRates.map((rate) => rate.window)).toEqual([
      '5m',
      '30m',
      '1h',
      '2h',
      '6h',
      '1d',
      '3d',
    ]);
    expect(await slos.events(actor.tenantId, created.id, { limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
    const history = await slos.history(
      actor.tenantId,
      created.id,
      new Date(now - 4 * MINUTE_MS),
      new Date(now),
      120,
      new Date(now),
    );
    expect(history.map((point) => [point.timestamp.getTime(), point.badMinutes])).toEqual([
      [now - 4 * MINUTE_MS, 0],
      [now - 2 * MINUTE_MS, 0],
    ]);
    expect(history[1]!.budgetRemainingFraction).toBe(1);

    await sql.query(
      `INSERT INTO slo_events (id, tenant_id, slo_id, type, rule_id, severity, at, threshold) VALUES (gen_random_uuid(), $1, $2, 'FIRED', 'PAGE_1H_5M', 'PAGE', $3, 14.4)`,
      [actor.tenantId, created.id, new Date(now)],
    );
    expect((await slos.events(actor.tenantId, created.id, { limit: 10 })).items).toEqual([
      {
        id: expect.any(String),
        type: 'FIRED',
        rule: 'PAGE_1H_5M',
        severity: 'PAGE',
        at: new Date(now).toISOString(),
        threshold: 14.4,
        longWindowBurnRate: null,
        shortWindowBurnRate: null,
      },
    ]);
    await expect(slos.events(stranger.tenantId, created.id, { limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });

    // A stored evaluation that does not decode shows as "not evaluated yet" instead of failing the read.
    await sql.query(`UPDATE slo_states SET evaluation = '{"status":"SOMETHING"}' WHERE slo_id = $1`, [
      created.id,
    ]);
    expect((await slos.get(actor.tenantId, created.id)).status).toBeNull();
  });

  it('pages alert events newest first, past any page size, ties on the same minute included', async () => {
    const created = await slos.create(actor, input({ name: 'many-events' }));
    // 7 events: two share each minute (FIRED and RESOLVED of one rule), so the id breaks the tie.
    for (let index = 0; index < 7; index += 1) {
      await sql.query(
        `INSERT INTO slo_events (id, tenant_id, slo_id, type, rule_id, severity, at) VALUES (gen_random_uuid(), $1, $2, $3, 'PAGE_1H_5M', 'PAGE', $4)`,
        [
          actor.tenantId,
          created.id,
          index % 2 === 0 ? 'FIRED' : 'RESOLVED',
          new Date(now - Math.floor(index / 2) * MINUTE_MS),
        ],
      );
    }
    const all = (await slos.events(actor.tenantId, created.id, { limit: 100 })).items;
    expect(all).toHaveLength(7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await slos.events(actor.tenantId, created.id, pageArgs(3, cursor));
      expect(page.items.length).toBeLessThanOrEqual(3);
      seen.push(...page.items.map((event) => event.id));
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.map((event) => event.id));
    const times = all.map((event) => Date.parse(event.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // Another tenant's cursor walk finds nothing of this SLO.
    await expect(slos.events(stranger.tenantId, created.id, pageArgs(3, null))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });

  it('stores the no-data policy (IGNORE by default), changes it without restarting the series, and judges by it', async () => {
    await expect(
      slos.create(actor, input({ name: 'x', budgeting: 'OCCURRENCES', noDataPolicy: 'BAD' })),
    ).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [
        { field: 'noDataPolicy', message: expect.stringContaining('BAD needs budgeting TIME_SLICES') },
      ],
    });
    await expect(slos.create(actor, input({ name: 'x', noDataPolicy: 'SKIP' }))).rejects.toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'noDataPolicy', message: 'must be GOOD, BAD or IGNORE, got SKIP' }],
    });
    const created = await slos.create(
      actor,
      input({ name: 'cart-quiet', services: ['cart'], targetPercent: 99 }),
    );
    expect(created.noDataPolicy).toBe('IGNORE');
    // Two minutes of cart traffic in the last five: one bad (50 % errors), one good; the rest of
    // the 30-day window (43,200 minutes) is quiet.
    await seedMinuteRows(sql, [
      {
        tenantId: actor.tenantId,
        clusterId,
        at: now - 3 * MINUTE_MS,
        sourceService: 'web',
        destinationService: 'cart',
        requests: 100,
        errors: 50,
        latencies: [],
      },
      {
        tenantId: actor.tenantId,
        clusterId,
        at: now - 2 * MINUTE_MS,
        sourceService: 'web',
        destinationService: 'cart',
        requests: 100,
        errors: 0,
        latencies: [],
      },
    ]);
    const evaluation = moduleRef.get(SloEvaluationService);
    const statusAt = async () => {
      await evaluation.evaluate(new Date(now));
      return (await slos.get(actor.tenantId, created.id)).status!;
    };
    const basis = async () =>
      (await sql.query(`SELECT basis FROM slos WHERE id = $1`, [created.id])).rows[0].basis as number;

    // IGNORE: 1 bad of 2 counted minutes; budget 1 % of 2 minutes, spent 50 times over.
    // The traffic came before the new SLO's first run: judged once its series is backfilled.
    await evaluateBackfilled(moduleRef, now);
    let status = await statusAt();
    expect(status.compliance).toBeCloseTo(0.5, 12);
    expect(status.meetsTarget).toBe(false);
    expect(status.budget.consumedFraction).toBeCloseTo(1 / 0.02, 9);
    expect(status.health).toBe('VIOLATED');

    // GOOD: 1 bad of 43,200 minutes; budget 432 minutes.
    const good = await slos.replace(
      actor,
      created.id,
      1,
      input({ name: 'cart-quiet', services: ['cart'], targetPercent: 99, noDataPolicy: 'GOOD' }),
    );
    expect(good).toMatchObject({ version: 2, noDataPolicy: 'GOOD' });
    expect(await basis()).toBe(1);
    // The edit lets the backfill resume (for a longer window); with no older telemetry to prepend,
    // the SLO is judged under its new policy at once.
    status = await statusAt();
    expect(status.compliance).toBeCloseTo(1 - 1 / 43_200, 12);
    expect(status.meetsTarget).toBe(true);
    expect(status.budget.consumedFraction).toBeCloseTo(1 / 432, 12);

    // BAD: 1 + 43,198 quiet = 43,199 bad of 43,200.
    await slos.replace(
      actor,
      created.id,
      2,
      input({ name: 'cart-quiet', services: ['cart'], targetPercent: 99, noDataPolicy: 'BAD' }),
    );
    expect(await basis()).toBe(1);
    status = await statusAt();
    expect(status.compliance).toBeCloseTo(1 / 43_200, 12);
    expect(status.budget.consumedFraction).toBeCloseTo(43_199 / 432, 9);
  });

  it('deletes at the current version only, with an audit record', async () => {
    const created = await slos.create(actor, input({ name: 'to-delete' }));
    await expect(slos.delete(actor, created.id, 7)).rejects.toMatchObject({ code: 'PRECONDITION_FAILED' });
    await expect(slos.delete(stranger, created.id, undefined)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await slos.delete(actor, created.id, 1);
    await expect(slos.get(actor.tenantId, created.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await auditActions(created.id)).toEqual(['slo.create', 'slo.delete']);
  });
});
