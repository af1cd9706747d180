import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { MINUTE_MS, minuteStart, verifyWebhookSignature, type SloSpec } from '@lattice/domain';
import { AppModule } from '../../app.module';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { repairAllSeries } from '../../../../../test/support/slo-series';
import {
  seedCluster,
  seedGlobalNamespace,
  seedMinuteRows,
  type SeededCluster,
} from '../../../../../test/support/telemetry';
import { JobRunner } from '../../platform/jobs/job-runner.service';
import { webhookDeliveryQueue } from '../webhooks/webhooks.jobs';
import { WebhooksService } from '../webhooks/webhooks.service';
import { SloEvaluationService } from './slo-evaluation.service';
import { SlosRepository } from './slos.repository';
import { SlosService } from './slos.service';

const BULK_SLOS = 60;

/**
 * Evaluation against real PostgreSQL: minute after minute as the scheduler would run it, over
 * telemetry rows written the way the ingest writes them. Times are a few minutes in the past.
 */
describe('SLO evaluation', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let evaluation: SloEvaluationService;
  let slos: SlosService;
  let tenantId: string;
  let otherTenantId: string;
  let east: SeededCluster;
  let gnsId: string;
  let checkoutId: string;
  let occurrencesId: string;
  let receiver: http.Server;
  let received: { headers: http.IncomingHttpHeaders; body: string }[] = [];
  let receiverStatus = 200;
  /** Minute 0 of the scenario: 25 minutes ago, so every minute evaluated below is complete. */
  const base = minuteStart(Date.now()) - 25 * MINUTE_MS;
  const at = (minute: number) => new Date(base + minute * MINUTE_MS);

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
    minute: number,
    service: string,
    requests: number,
    errors: number,
    latencyMs = 20,
    namespace = 'shop',
  ) =>
    seedMinuteRows(sql, [
      {
        tenantId,
        clusterId: east.id,
        at: base + minute * MINUTE_MS,
        sourceService: 'web',
        destinationNamespace: namespace,
        destinationService: service,
        requests,
        errors,
        latencies: Array.from({ length: requests }, () => latencyMs),
      },
    ]);
  const snapshot = async () => ({
    minutes: (await sql.query(`SELECT * FROM slo_minutes ORDER BY slo_id, minute`)).rows,
    states: (
      await sql.query(
        `SELECT slo_id, evaluated_at, status, evaluation, active_alerts FROM slo_states ORDER BY slo_id`,
      )
    ).rows,
    events: (await sql.query(`SELECT id, slo_id, type, rule_id, at FROM slo_events ORDER BY id`)).rows,
    deliveries: (await sql.query(`SELECT id, event_id, webhook_id FROM webhook_deliveries ORDER BY id`)).rows,
  });
  const eventsOf = async (sloId: string) =>
    (
      await sql.query(`SELECT type, rule_id, at FROM slo_events WHERE slo_id = $1 ORDER BY at, type`, [sloId])
    ).rows.map(
      (row: { type: string; rule_id: string; at: Date }) =>
        `${row.type} ${row.rule_id} @${(row.at.getTime() - base) / MINUTE_MS}`,
    );

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = parseControllerEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LATTICE_SLO_RECOMPUTE_MINUTES: '5',
      LATTICE_WEBHOOK_MAX_ATTEMPTS: '2',
      LATTICE_WEBHOOK_BACKOFF_SECONDS: '1',
      LATTICE_WEBHOOK_TIMEOUT_MS: '2000',
      LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    });
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(testRuntimeConfig(database.url, { env }))],
    }).compile();
    evaluation = moduleRef.get(SloEvaluationService);
    slos = moduleRef.get(SlosService);
    // Only the delivery worker runs; evaluations are driven by the test, minute by minute.
    await moduleRef.get(JobRunner).start([webhookDeliveryQueue.name]);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'slo-a') RETURNING id`)
    ).rows[0].id;
    otherTenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'slo-b') RETURNING id`)
    ).rows[0].id;
    east = await seedCluster(sql, tenantId, 'east');
    gnsId = await seedGlobalNamespace(sql, tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
    const repository = moduleRef.get(SlosRepository);
    checkoutId = (await repository.create(tenantId, spec({}))).id;
    occurrencesId = (
      await repository.create(
        tenantId,
        spec({
          name: 'checkout-latency',
          budgeting: 'OCCURRENCES',
          indicators: [{ kind: 'LATENCY', percentile: 'p99', thresholdMs: 100 }],
        }),
      )
    ).id;
    for (let index = 0; index < BULK_SLOS; index++) {
      await repository.create(
        tenantId,
        spec({
          name: `bulk-${index}`,
          services: [`svc-${index}`],
          window: index % 2 ? '7d' : 'CALENDAR_MONTH',
        }),
      );
    }

    receiver = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        received.push({ headers: request.headers, body });
        response.writeHead(receiverStatus).end(receiverStatus === 200 ? 'ok' : 'receiver is down');
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    receiver?.close();
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('evaluates every SLO in one run and stores a minute row per SLO and minute', async () => {
    for (let minute = 0; minute < 10; minute++) await traffic(minute, 'checkout', 1000, 2, 20);
    // Each service had traffic before the first run's span (minutes 5 to 9): every series has history to backfill.
    for (let index = 0; index < BULK_SLOS; index++) {
      await traffic(0, `svc-${index}`, 10, 0);
      await traffic(9, `svc-${index}`, 10, 0);
    }
    // Traffic outside the GNS (another namespace) and of another tenant is not the SLO's.
    await traffic(9, 'checkout', 1000, 1000, 20, 'elsewhere');

    const stateCount = async () =>
      (await sql.query(`SELECT count(*)::int AS n FROM slo_states WHERE tenant_id = $1`, [tenantId])).rows[0]
        .n as number;
    // The first run starts every series with the recompute span; none is assessed before its backfill.
    const first = await evaluation.evaluate(at(10));
    expect(first).toMatchObject({
      slos: BULK_SLOS + 2,
      backfilling: BULK_SLOS + 2,
      evaluatedAt: at(10),
      fromMinute: at(5),
    });
    expect(first!.minutesWritten).toBe((BULK_SLOS + 2) * 5);
    expect(await stateCount()).toBe(0);

    await repairAllSeries(moduleRef, at(10));
    const run = await evaluation.evaluate(at(10));
    expect(run).toMatchObject({
      slos: BULK_SLOS + 2,
      backfilling: 0,
      evaluatedAt: at(10),
      fromMinute: at(5),
    });
    expect(run!.minutesWritten).toBe((BULK_SLOS + 2) * 5);
    expect(await stateCount()).toBe(BULK_SLOS + 2);
    const view = await slos.get(tenantId, checkoutId);
    expect(view.status).toMatchObject({ health: 'HEALTHY', compliance: 1, activeAlerts: [] });
    expect(view.status!.indicators).toEqual([
      { kind: 'ERROR_RATE', maxErrorRatePercent: 1, value: 0.2, holds: true },
    ]);
    expect(view.status!.budget.totalSeconds).toBeCloseTo(43.2 * 60, 6);
    const bulk = await sql.query(
      `SELECT requests::int FROM slo_minutes m JOIN slos s ON s.id = m.slo_id WHERE s.name = 'bulk-3' AND m.minute = $1`,
      [at(9)],
    );
    expect(bulk.rows).toEqual([{ requests: 10 }]);
  });

  it('is idempotent: re-running a minute changes nothing', async () => {
    const before = await snapshot();
    await evaluation.evaluate(at(10));
    expect(await snapshot()).toEqual(before);
  });

  it('pages when the 1h and 5m windows burn fast, counting late telemetry of recent minutes', async () => {
    const webhooks = moduleRef.get(WebhooksService);
    const created = await webhooks.create(
      {
        kind: 'token',
        tenantId,
        tokenId: null as unknown as string,
        tokenName: 'test',
        role: 'admin',
      } as never,
      {
        name: 'oncall',
        url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`,
        eventTypes: ['slo.alert.fired', 'slo.alert.resolved'],
      },
    );
    await traffic(10, 'checkout', 1000, 500);
    await evaluation.evaluate(at(11));
    expect(await eventsOf(checkoutId)).toEqual(['FIRED PAGE_1H_5M @11']);
    let view = await slos.get(tenantId, checkoutId);
    expect(view.status).toMatchObject({
      health: 'WARNING',
      activeAlerts: [{ rule: 'PAGE_1H_5M', severity: 'PAGE', firedAt: at(11).toISOString() }],
    });
    // One bad minute of a 43.2-minute budget.
    expect(view.status!.budget.consumedFraction).toBeCloseTo(1 / 43.2, 9);
    expect(view.status!.burnRates.find((rate) => rate.window === '1h')!.rate).toBeCloseTo(1000 / 60, 6);

    // Minute 8 turns bad late (a batch that arrived after its minute was evaluated): recounted.
    await traffic(8, 'checkout', 100, 100);
    await traffic(11, 'checkout', 1000, 0);
    await evaluation.evaluate(at(12));
    view = await slos.get(tenantId, checkoutId);
    expect(view.status!.budget.consumedFraction).toBeCloseTo(2 / 43.2, 9);
    // Two bad minutes burn the 6h window at 5.6x, under its 6x threshold: still only the 1h page.
    expect(view.status!.burnRates.find((rate) => rate.window === '6h')!.rate).toBeCloseTo(2000 / 360, 6);
    expect(await eventsOf(checkoutId)).toEqual(['FIRED PAGE_1H_5M @11']);

    // The fired event reaches the webhook, signed.
    const deadline = Date.now() + 20_000;
    while (received.length < 1 && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    const fired = received.map(
      (delivery) =>
        JSON.parse(delivery.body) as { type: string; alert: { rule: string }; slo: { id: string } },
    );
    expect(fired.map((body) => `${body.type} ${body.alert.rule} ${body.slo.id}`)).toEqual([
      `slo.alert.fired PAGE_1H_5M ${checkoutId}`,
    ]);
    expect(received[0]!.headers['x-lattice-event']).toBe('slo.alert.fired');
    const secret = (created as { secret: string }).secret;
    for (const delivery of received) {
      expect(
        verifyWebhookSignature(
          delivery.headers['x-lattice-signature'] as string,
          secret,
          delivery.body,
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(true);
      expect(
        verifyWebhookSignature(
          delivery.headers['x-lattice-signature'] as string,
          'whsec_wrong',
          delivery.body,
          Math.floor(Date.now() / 1000),
        ),
      ).toBe(false);
    }
  });

  it('resolves once the short window recovers, and records both in the history', async () => {
    for (let minute = 12; minute < 18; minute++) await traffic(minute, 'checkout', 1000, 0);
    for (let now = 13; now <= 18; now++) await evaluation.evaluate(at(now));
    // 5m window [13, 18) holds no bad minute: the 1h page resolves; the 30m window still burns.
    // 5m window [11, 16) holds no bad minute any more: the page resolves (the 1h window alone still burns).
    expect(await eventsOf(checkoutId)).toEqual(['FIRED PAGE_1H_5M @11', 'RESOLVED PAGE_1H_5M @16']);
    const view = await slos.get(tenantId, checkoutId);
    expect(view.status).toMatchObject({ health: 'HEALTHY', activeAlerts: [] });
    expect(received.length).toBeGreaterThanOrEqual(1);

    const history = await slos.history(tenantId, checkoutId, at(5), at(20), 300, at(18));
    expect(history.map((point) => point.badMinutes)).toEqual([1, 1, 0]);
    expect(history[0]).toMatchObject({ timestamp: at(5), sli: 4 / 5 });
    expect(history[0]!.budgetRemainingFraction).toBeCloseTo(1 - 1 / 43.2, 9);
    expect(history[1]!.budgetRemainingFraction).toBeCloseTo(1 - 2 / 43.2, 9);
    expect(history[2]!.budgetRemainingFraction).toBeNull();
  });

  it('budgets occurrences: slow requests are bad requests', async () => {
    const view = await slos.get(tenantId, occurrencesId);
    // All checkout latencies are 20 ms, under the 100 ms threshold: nothing bad.
    expect(view.status).toMatchObject({ health: 'HEALTHY', compliance: 1 });
    await traffic(18, 'checkout', 100, 0, 250);
    await evaluation.evaluate(at(19));
    const after = await slos.get(tenantId, occurrencesId);
    const minute = await sql.query(
      `SELECT requests::int, bad_requests::int FROM slo_minutes WHERE slo_id = $1 AND minute = $2`,
      [occurrencesId, at(18)],
    );
    expect(minute.rows).toEqual([{ requests: 100, bad_requests: 100 }]);
    expect(after.status!.indicators[0]).toMatchObject({ kind: 'LATENCY', percentile: 'p99', holds: false });
  });

  it('shows failed deliveries with their attempts and the receiver answer', async () => {
    receiverStatus = 503;
    received = [];
    const webhooks = moduleRef.get(WebhooksService);
    const page = await webhooks.list(tenantId, { limit: 10 });
    const endpoint = page.items[0]!;
    const test = await webhooks.test({ tenantId } as never, endpoint.id);
    const deadline = Date.now() + 20_000;
    let delivery = test;
    while (Date.now() < deadline) {
      delivery = (await webhooks.deliveries(tenantId, endpoint.id, { limit: 50 })).items.find(
        (item) => item.id === test.id,
      )!;
      if (delivery.status === 'FAILED') break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(delivery).toMatchObject({
      status: 'FAILED',
      attempts: 2,
      responseCode: 503,
      lastError: 'receiver answered 503: receiver is down',
    });
    // Another tenant does not see the endpoint.
    await expect(webhooks.deliveries(otherTenantId, endpoint.id, { limit: 10 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});
