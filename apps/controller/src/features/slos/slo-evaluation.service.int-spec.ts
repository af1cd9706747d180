import { randomUUID } from 'node:crypto';
import type { TestingModule } from '@nestjs/testing';
import Ajv2020 from 'ajv/dist/2020';
import { Client } from 'pg';
import { DAY_MS, floorHour, MINUTE_MS, minuteStart, type SloSpec } from '@lattice/domain';
import schema from '../../../../../docs/schemas/webhook-event.schema.json';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { compileFeatureModule } from '../../../../../test/support/feature-module';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { evaluateBackfilled, repairAllSeries } from '../../../../../test/support/slo-series';
import {
  seedCluster,
  seedGlobalNamespace,
  seedMinuteRows,
  type SeededCluster,
} from '../../../../../test/support/telemetry';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { TransactionRunner } from '../../platform/database/transaction.service';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SloEvaluationService } from './slo-evaluation.service';
import { SloSeriesService } from './slo-series.service';
import { SlosModule } from './slos.module';
import { SlosRepository } from './slos.repository';
import { SlosService } from './slos.service';

const ajv = new Ajv2020({ strict: true, allowUnionTypes: true });
ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
const validateEvent = ajv.compile(schema);

/**
 * SloEvaluationService on its own module and a scratch database: the lock, what an alert leaves
 * behind (event, typed webhook deliveries), and how unreadable stored JSON degrades one SLO or one
 * match condition instead of the whole run. Deliveries are created but not sent (no worker runs).
 */
describe('SloEvaluationService', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let evaluation: SloEvaluationService;
  let series: SloSeriesService;
  let repository: SlosRepository;
  let actor: TenantPrincipal;
  let east: SeededCluster;
  let gnsId: string;
  const now = minuteStart(Date.now());

  const spec = (overrides: Partial<SloSpec>): SloSpec => ({
    name: 'checkout-availability',
    description: '',
    gnsId,
    services: ['checkout'],
    indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
    targetPercent: 99.9,
    window: '30d',
    budgeting: 'TIME_SLICES',
    type: 'ACTIONABLE',
    noDataPolicy: 'GOOD',
    ...overrides,
  });
  const traffic = (
    minutesAgo: number,
    service: string,
    requests: number,
    errors: number,
    namespace = 'shop',
  ) =>
    seedMinuteRows(sql, [
      {
        tenantId: actor.tenantId,
        clusterId: east.id,
        at: now - minutesAgo * MINUTE_MS,
        sourceService: 'web',
        destinationNamespace: namespace,
        destinationService: service,
        requests,
        errors,
        latencies: Array.from({ length: Math.min(requests, 50) }, () => 20),
      },
    ]);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = testRuntimeConfig(database.url);
    // Its webhooks point at hooks.example.test, which does not resolve; nothing is delivered here.
    config.env.LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS = true;
    moduleRef = await compileFeatureModule(SlosModule, config);
    evaluation = moduleRef.get(SloEvaluationService);
    series = moduleRef.get(SloSeriesService);
    repository = moduleRef.get(SlosRepository);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'evaluation') RETURNING id`)
    ).rows[0].id as string;
    actor = { kind: 'token', tenantId, tokenId: randomUUID(), tokenName: 'test-admin', role: 'admin' };
    east = await seedCluster(sql, tenantId, 'east');
    gnsId = await seedGlobalNamespace(sql, tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('returns null while another run holds the evaluation lock', async () => {
    const holder = new Client({ connectionString: database.url });
    await holder.connect();
    try {
      await holder.query(`SELECT pg_advisory_lock(hashtextextended('lattice:slo-evaluation', 0))`);
      expect(await evaluation.evaluate(new Date(now))).toBeNull();
    } finally {
      await holder.end();
    }
    expect(await evaluation.evaluate(new Date(now))).toMatchObject({ slos: 0, minutesWritten: 0, events: 0 });
  });

  it('records a fired alert once and creates one typed delivery per subscribed, enabled endpoint', async () => {
    const webhooks = moduleRef.get(WebhooksService);
    const url = 'https://hooks.example.test/lattice';
    const subscribed = await webhooks.create(actor, { name: 'oncall', url, eventTypes: ['slo.alert.fired'] });
    await webhooks.create(actor, { name: 'resolutions', url, eventTypes: ['slo.alert.resolved'] });
    await webhooks.create(actor, { name: 'disabled', url, enabled: false });
    const slo = await repository.create(actor.tenantId, spec({}));
    for (let minute = 10; minute >= 3; minute--) await traffic(minute, 'checkout', 100, 0);
    await traffic(2, 'checkout', 100, 50);

    const run = await evaluateBackfilled(moduleRef, now);
    expect(run).toMatchObject({ slos: 1, backfilling: 0, events: 1, deliveries: 1 });
    // Evaluating the same minute again records nothing new.
    expect(await evaluation.evaluate(new Date(now))).toMatchObject({ events: 0, deliveries: 0 });

    const deliveries = await sql.query(
      `SELECT webhook_id, event_id, event_type, payload FROM webhook_deliveries`,
    );
    expect(deliveries.rows).toHaveLength(1);
    const [delivery] = deliveries.rows as {
      webhook_id: string;
      event_id: string;
      event_type: string;
      payload: Record<string, unknown>;
    }[];
    expect(delivery).toMatchObject({ webhook_id: subscribed.id, event_type: 'slo.alert.fired' });
    expect(delivery!.payload).toEqual({
      id: delivery!.event_id,
      type: 'slo.alert.fired',
      occurredAt: new Date(now).toISOString(),
      alert: {
        rule: 'PAGE_1H_5M',
        severity: 'PAGE',
        threshold: expect.closeTo(14.4, 9),
        longWindowBurnRate: expect.any(Number),
        shortWindowBurnRate: expect.closeTo(200, 6),
      },
      slo: {
        id: slo.id,
        name: 'checkout-availability',
        gnsId,
        services: ['checkout'],
        type: 'ACTIONABLE',
        targetPercent: 99.9,
        window: '30d',
        status: 'WARNING',
        budgetRemainingFraction: expect.any(Number),
      },
    });
    expect(validateEvent(delivery!.payload)).toBe(true);
  });

  it('skips an SLO whose stored definition does not decode and evaluates the others', async () => {
    const broken = await repository.create(actor.tenantId, spec({ name: 'broken', services: ['cart'] }));
    await sql.query(`UPDATE slos SET indicators = '[{"kind":"SOMETHING"}]' WHERE id = $1`, [broken.id]);
    const run = await evaluation.evaluate(new Date(now + MINUTE_MS));
    expect(run).toMatchObject({ slos: 1 });
    const states = await sql.query(`SELECT slo_id FROM slo_states`);
    expect(states.rows.map((row: { slo_id: string }) => row.slo_id)).not.toContain(broken.id);
    await sql.query(`DELETE FROM slos WHERE id = $1`, [broken.id]);
  });

  it('ignores a match condition that does not decode and still counts the traffic the others match', async () => {
    const otherGns = await seedGlobalNamespace(sql, actor.tenantId, 'payments', [
      { cluster: 'east', namespace: 'payments' },
    ]);
    await sql.query(
      `UPDATE global_namespaces SET match_conditions = match_conditions || '[{"cluster":"east"}]'::jsonb WHERE id = $1`,
      [otherGns],
    );
    const payments = await repository.create(
      actor.tenantId,
      spec({ name: 'payments', gnsId: otherGns, services: ['payments'] }),
    );
    await traffic(0, 'payments', 40, 0, 'payments');
    await traffic(0, 'payments', 1000, 1000, 'shop');
    await evaluation.evaluate(new Date(now + 2 * MINUTE_MS));
    const minute = await sql.query(
      `SELECT requests::int, bad_slice FROM slo_minutes WHERE slo_id = $1 AND minute = $2`,
      [payments.id, new Date(now)],
    );
    expect(minute.rows).toEqual([{ requests: 40, bad_slice: false }]);
  });

  it('thins minute detail past its retention, keeping the rows that close an hour', async () => {
    const [slo] = (await repository.list(actor.tenantId, { limit: 1 })).items;
    const old = Date.UTC(2020, 0, 1, 10, 0);
    for (const minute of [
      old,
      old + 59 * MINUTE_MS,
      floorHour(now - 5 * DAY_MS) + 7 * MINUTE_MS,
      floorHour(now - 5 * DAY_MS) + 59 * MINUTE_MS,
    ]) {
      await sql.query(
        `INSERT INTO slo_minutes (slo_id, minute, tenant_id, basis, requests, bad_requests, bad_slice, indicator_values, cum_requests, cum_bad_requests, cum_bad_minutes, cum_data_minutes)
         VALUES ($1, $2, $3, 1, 0, 0, false, '{}', 0, 0, 0, 0)`,
        [slo!.id, new Date(minute), actor.tenantId],
      );
    }
    expect(await series.applyRetention(new Date(now))).toBe(3);
  });

  it("asks for the tenant's desired state again when an actionable SLO's violation flips (autoscaling)", async () => {
    const schedule = jest.spyOn(moduleRef.get(DesiredStateScheduler), 'schedule').mockResolvedValue();
    const flips = () =>
      schedule.mock.calls.filter(
        ([tenantId, reason]) => tenantId === actor.tenantId && reason === 'actionable SLO violation changed',
      ).length;
    await repository.create(
      actor.tenantId,
      spec({ name: 'cart-errors', services: ['cart'], noDataPolicy: 'IGNORE' }),
    );
    // The last complete minute before now+4 min has 50 % errors: the indicator does not hold.
    await traffic(-3, 'cart', 100, 50);
    await evaluateBackfilled(moduleRef, now + 4 * MINUTE_MS);
    expect(flips()).toBe(1);
    // The same minute again: nothing flipped, nothing asked.
    await evaluation.evaluate(new Date(now + 4 * MINUTE_MS));
    expect(flips()).toBe(1);
    // Clean traffic in the next minute: the violation ends, asked once more.
    await traffic(-4, 'cart', 100, 0);
    await evaluation.evaluate(new Date(now + 5 * MINUTE_MS));
    expect(flips()).toBe(2);
    schedule.mockRestore();
  });
  it('does not judge a new SLO on its first minutes: no state, no alert until its series is backfilled', async () => {
    const at = now + 10 * MINUTE_MS;
    const minutesBefore = (minutes: number) => minutes - (at - now) / MINUTE_MS;
    const slo = await repository.create(
      actor.tenantId,
      spec({
        name: 'orders',
        services: ['orders'],
        targetPercent: 99,
        type: 'MONITORED',
        noDataPolicy: 'IGNORE',
      }),
    );
    // A good day, then 9 bad minutes (50 % errors) just before `at`. On the recompute span alone
    // (5 bad minutes of 5) the SLO would be VIOLATED and fire all four alerts.
    for (let minute = 1449; minute > 9; minute--) await traffic(minutesBefore(minute), 'orders', 10, 0);
    for (let minute = 9; minute >= 1; minute--) await traffic(minutesBefore(minute), 'orders', 10, 5);
    const stateOf = async () =>
      (await sql.query(`SELECT evaluated_at, status FROM slo_states WHERE slo_id = $1`, [slo.id])).rows;
    const eventsOf = async () =>
      (
        await sql.query(`SELECT type, rule_id, at FROM slo_events WHERE slo_id = $1 ORDER BY at, type`, [
          slo.id,
        ])
      ).rows.map(
        (row: { type: string; rule_id: string; at: Date }) =>
          `${row.type} ${row.rule_id} @${row.at.getTime() - at}`,
      );
    // Other SLOs of the tenant are evaluated (and may resolve alerts) in the same runs: count this one's.
    const deliveriesOf = async () =>
      (
        await sql.query(
          `SELECT count(*)::int AS n FROM webhook_deliveries WHERE payload->'slo'->>'id' = $1`,
          [slo.id],
        )
      ).rows[0].n as number;
    const slos = moduleRef.get(SlosService);

    const held = await evaluation.evaluate(new Date(at));
    expect(held).toMatchObject({ backfilling: 1 });
    expect(await stateOf()).toEqual([]);
    expect(await eventsOf()).toEqual([]);
    expect(await deliveriesOf()).toBe(0);
    expect((await slos.get(actor.tenantId, slo.id)).status).toBeNull();

    await repairAllSeries(moduleRef, at);
    expect(await evaluation.evaluate(new Date(at))).toMatchObject({ backfilling: 0 });
    // 1h burns at 9/60 / 1 % = 15x (over 14.4x), 5m at 100x; 6h at 2.5x, 1d and 3d at 0.62x: only the 1h page.
    expect(await eventsOf()).toEqual(['FIRED PAGE_1H_5M @0']);
    // One delivery to the endpoint subscribed to firings (created by an earlier test).
    expect(await deliveriesOf()).toBe(1);
    const status = (await slos.get(actor.tenantId, slo.id)).status!;
    expect(status).toMatchObject({
      health: 'WARNING',
      meetsTarget: true,
      activeAlerts: [{ rule: 'PAGE_1H_5M' }],
      coverage: { backfilling: false },
    });
    expect(status.compliance).toBeCloseTo(1 - 9 / 1449, 12);
    // 9 bad minutes of a budget of 1 % of 1,449 minutes with requests.
    expect(status.budget.consumedFraction).toBeCloseTo(9 / 14.49, 9);

    // Redefined (its indicator changes, so its series restarts): the previous state stays, and
    // nothing fires or resolves, until the new series is backfilled.
    const redefined = await moduleRef.get(TransactionRunner).run((tx) =>
      repository.replaceIfVersion(
        actor.tenantId,
        slo.id,
        slo.version,
        spec({
          name: 'orders',
          services: ['orders'],
          indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 60 }],
          targetPercent: 99,
          type: 'MONITORED',
          noDataPolicy: 'IGNORE',
        }),
        true,
        tx,
      ),
    );
    expect(redefined).not.toBeNull();
    const [judged] = await stateOf();
    expect(await evaluation.evaluate(new Date(at + MINUTE_MS))).toMatchObject({ backfilling: 1 });
    expect(await stateOf()).toEqual([judged]);
    expect(await eventsOf()).toEqual(['FIRED PAGE_1H_5M @0']);
    await repairAllSeries(moduleRef, at + MINUTE_MS);
    await evaluation.evaluate(new Date(at + MINUTE_MS));
    // 50 % errors hold under 60 %: the page resolves, judged on the whole new series.
    expect(await eventsOf()).toEqual(['FIRED PAGE_1H_5M @0', `RESOLVED PAGE_1H_5M @${MINUTE_MS}`]);
    expect(await deliveriesOf()).toBe(2);
    expect((await slos.get(actor.tenantId, slo.id)).status).toMatchObject({
      health: 'HEALTHY',
      compliance: 1,
      coverage: { backfilling: false },
    });
  });
});
