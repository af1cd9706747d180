import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import {
  ceilHour,
  packSketch,
  floorHour,
  HOUR_MS,
  MINUTE_MS,
  minuteStart,
  type SloSpec,
} from '@lattice/domain';
import type { TelemetryBatch__Output } from '@lattice/proto';
import { AppModule } from '../../app.module';
import { parseControllerEnv } from '../../platform/config/controller-env.util';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { repairAllSeries } from '../../../../../test/support/slo-series';
import {
  seedCluster,
  seedGlobalNamespace,
  sketchOf,
  type SeededCluster,
} from '../../../../../test/support/telemetry';
import { TelemetryIngestService } from '../telemetry/telemetry-ingest.service';
import { SloEvaluationService } from './slo-evaluation.service';
import { SloSeriesService } from './slo-series.service';
import { SlosRepository } from './slos.repository';
import { SlosService } from './slos.service';

const DAY_MS = 86_400_000;
const REQUESTS = 100;
const SKETCH = packSketch(sketchOf(Array.from({ length: REQUESTS }, () => 20)));
/** Minute m (unix ms) is bad (5 % errors, over the 1 % threshold) when this says so; otherwise it has no error. */
const badMinute = (minuteMs: number) => (minuteMs / MINUTE_MS) % 47 === 0;
/** Hour rollups: every 7th hour has 2 % errors (60 x 2 % = 1.2, counted as 1 bad minute). */
const badHour = (hourMs: number) => (hourMs / HOUR_MS) % 7 === 0;

/**
 * Backfill, catch-up after an outage and late telemetry, against real PostgreSQL. Minute retention
 * is one day here, so a few days of history reach back into hourly rollups without seeding a week
 * of minutes; the series job is driven by the test (no scheduler runs).
 */
describe('SLO series: backfill, catch-up and late telemetry', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let evaluation: SloEvaluationService;
  let series: SloSeriesService;
  let slos: SlosService;
  let repository: SlosRepository;
  let tenantId: string;
  let east: SeededCluster;
  let gnsId: string;
  const now = minuteStart(Date.now());
  /** Where telemetry_minutes data starts to be used (minute retention one day, plus an hour of slack). */
  const minuteDataFrom = ceilHour(now - DAY_MS) + HOUR_MS;
  const firstHour = floorHour(now - 4 * DAY_MS);

  const spec = (overrides: Partial<SloSpec>): SloSpec => ({
    name: 'x',
    description: '',
    gnsId,
    services: ['checkout'],
    indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
    targetPercent: 99.9,
    window: '30d',
    budgeting: 'TIME_SLICES',
    type: 'MONITORED',
    noDataPolicy: 'GOOD',
    ...overrides,
  });
  const create = async (overrides: Partial<SloSpec>) =>
    (await repository.create(tenantId, spec(overrides))).id;

  /** One telemetry_minutes row per minute in [fromMs, toMs) to `service`, bad where badMinute says. */
  const seedMinutes = (service: string, fromMs: number, toMs: number) =>
    sql.query(
      `INSERT INTO telemetry_minutes (tenant_id, cluster_id, minute, source_namespace, source_service, destination_namespace,
         destination_service, requests, errors, sketch)
       SELECT $1, $2, g.m, 'shop', 'web', 'shop', $3, ${REQUESTS},
              CASE WHEN (extract(epoch FROM g.m)::bigint / 60) % 47 = 0 THEN 5 ELSE 0 END, $4::bytea
       FROM generate_series($5::timestamptz, $6::timestamptz - interval '1 minute', interval '1 minute') AS g(m)`,
      [tenantId, east.id, service, SKETCH, new Date(fromMs), new Date(toMs)],
    );
  /** One telemetry_hours row per hour in [fromMs, toMs) to `service`, 2 % errors where badHour says. */
  const seedHours = (service: string, fromMs: number, toMs: number) =>
    sql.query(
      `INSERT INTO telemetry_hours (tenant_id, cluster_id, hour, source_namespace, source_service, destination_namespace,
         destination_service, requests, errors, sketch)
       SELECT $1, $2, g.h, 'shop', 'web', 'shop', $3, 6000,
              CASE WHEN (extract(epoch FROM g.h)::bigint / 3600) % 7 = 0 THEN 120 ELSE 0 END, $4::bytea
       FROM generate_series($5::timestamptz, $6::timestamptz - interval '1 hour', interval '1 hour') AS g(h)`,
      [tenantId, east.id, service, SKETCH, new Date(fromMs), new Date(toMs)],
    );
  const countBad = (fromMs: number, toMs: number) => {
    let bad = 0;
    for (let minute = fromMs; minute < toMs; minute += MINUTE_MS) if (badMinute(minute)) bad++;
    return bad;
  };
  const repairAll = (at: number) => repairAllSeries(moduleRef, at);
  const statusOf = async (id: string) => (await slos.get(tenantId, id)).status!;
  const seriesRows = async (id: string) =>
    (
      await sql.query(
        `SELECT minute, requests::int, bad_requests::int, bad_slice, cum_requests::bigint AS cr, cum_bad_minutes::bigint AS cb
         FROM slo_minutes WHERE slo_id = $1 ORDER BY minute`,
        [id],
      )
    ).rows as {
      minute: Date;
      requests: number;
      bad_requests: number;
      bad_slice: boolean;
      cr: string;
      cb: string;
    }[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const env = parseControllerEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      LATTICE_SLO_RECOMPUTE_MINUTES: '5',
      LATTICE_TELEMETRY_MINUTE_RETENTION_DAYS: '1',
    });
    moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(testRuntimeConfig(database.url, { env }))],
    }).compile();
    evaluation = moduleRef.get(SloEvaluationService);
    series = moduleRef.get(SloSeriesService);
    slos = moduleRef.get(SlosService);
    repository = moduleRef.get(SlosRepository);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    tenantId = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'series') RETURNING id`)
    ).rows[0].id;
    east = await seedCluster(sql, tenantId, 'east');
    gnsId = await seedGlobalNamespace(sql, tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  it('backfills a new SLO from minutes and hourly rollups to what continuous evaluation computes', async () => {
    // Four days of history: hourly rollups before the minute data, minutes after (two hours overlap,
    // as rollups and minutes do before retention removes the minutes: counted once, from the rollups).
    await seedHours('checkout', firstHour, minuteDataFrom);
    await seedMinutes('checkout', minuteDataFrom - 2 * HOUR_MS, now);
    const t0 = now - 90 * MINUTE_MS;
    const continuous = await create({ name: 'continuous' });
    const continuousOccurrences = await create({ name: 'continuous-occ', budgeting: 'OCCURRENCES' });
    for (let at = t0; at <= now; at += MINUTE_MS) await evaluation.evaluate(new Date(at));

    const backfilled = await create({ name: 'backfilled' });
    const backfilledOccurrences = await create({ name: 'backfilled-occ', budgeting: 'OCCURRENCES' });
    await evaluation.evaluate(new Date(now));
    // The run starts the new series with the recompute span; judged on it alone the SLO would show
    // a budget of five minutes, so it has no status until the backfill is done.
    expect((await slos.get(tenantId, backfilled)).status).toBeNull();
    const fresh = await sql.query(
      `SELECT covered_from, backfill_to < covered_from AS backfilling FROM slo_series WHERE slo_id = $1`,
      [backfilled],
    );
    expect(fresh.rows).toEqual([{ covered_from: new Date(now - 5 * MINUTE_MS), backfilling: true }]);

    await repairAll(now);
    await evaluation.evaluate(new Date(now));

    // Both series cover the same data: same per-minute verdicts, running totals a constant apart.
    const [a, b] = [await seriesRows(backfilled), await seriesRows(continuous)];
    expect(a.map(({ cr: _cr, cb: _cb, ...rest }) => rest)).toEqual(
      b.map(({ cr: _cr, cb: _cb, ...rest }) => rest),
    );
    expect(
      new Set(
        a.map(
          (row, index) => `${BigInt(row.cr) - BigInt(b[index]!.cr)}|${BigInt(row.cb) - BigInt(b[index]!.cb)}`,
        ),
      ).size,
    ).toBe(1);
    for (const [left, right] of [
      [backfilled, continuous],
      [backfilledOccurrences, continuousOccurrences],
    ] as const) {
      const [l, r] = [await statusOf(left), await statusOf(right)];
      expect(l.compliance).toBeCloseTo(r.compliance, 12);
      expect(l.budget.consumedFraction).toBeCloseTo(r.budget.consumedFraction, 12);
      expect(l.burnRates).toEqual(r.burnRates);
      expect(l.coverage).toEqual(r.coverage);
    }

    // By hand: per minute where minutes are used, occurrences-style (1 of 60 per bad hour) before.
    let badHours = 0;
    for (let hour = firstHour; hour < minuteDataFrom; hour += HOUR_MS) if (badHour(hour)) badHours++;
    const badMinutes = countBad(minuteDataFrom, now) + badHours;
    const status = await statusOf(backfilled);
    expect(status.budget.consumedFraction).toBeCloseTo(badMinutes / 43.2, 9);
    expect(status.coverage).toEqual({
      evaluatedFrom: new Date(firstHour).toISOString(),
      backfilling: false,
      hourlyUntil: new Date(minuteDataFrom).toISOString(),
      catchingUpFrom: null,
    });
    const occurrences = await statusOf(backfilledOccurrences);
    const requests =
      ((minuteDataFrom - firstHour) / HOUR_MS) * 6000 + ((now - minuteDataFrom) / MINUTE_MS) * REQUESTS;
    const badRequests = badHours * 120 + countBad(minuteDataFrom, now) * 5;
    expect(occurrences.compliance).toBeCloseTo(1 - badRequests / requests, 12);
    // Before minute detail (3 days and 2 hours) only the rows closing an hour are written.
    const detailFrom = ceilHour(now - 3 * DAY_MS - 2 * HOUR_MS);
    expect(
      a
        .filter((row) => row.minute.getTime() < detailFrom)
        .every((row) => (row.minute.getTime() + MINUTE_MS) % HOUR_MS === 0),
    ).toBe(true);
    expect(a[0]!.minute.getTime()).toBe(firstHour + HOUR_MS - MINUTE_MS);

    // Idempotent: another run of the job and the evaluation changes nothing.
    const before = await seriesRows(backfilled);
    await repairAll(now);
    await evaluation.evaluate(new Date(now));
    expect(await seriesRows(backfilled)).toEqual(before);
  });

  it('catches up every minute of a three-hour outage, oldest first, in bounded chunks', async () => {
    const t1 = now - 200 * MINUTE_MS;
    await seedMinutes('payments', t1 - 30 * MINUTE_MS, now);
    const id = await create({ name: 'payments', services: ['payments'] });
    await evaluation.evaluate(new Date(t1));
    await repairAll(t1);
    for (let at = t1; at <= t1 + 10 * MINUTE_MS; at += MINUTE_MS) await evaluation.evaluate(new Date(at));
    // The controller is down for three hours; the first run after it evaluates the recent minutes.
    const run = await evaluation.evaluate(new Date(now));
    expect(run!.fromMinute.getTime()).toBeLessThanOrEqual(now - 5 * MINUTE_MS);
    const during = await statusOf(id);
    expect(during.coverage.catchingUpFrom).toBe(new Date(t1 + 10 * MINUTE_MS).toISOString());
    const gapBad = countBad(t1 + 10 * MINUTE_MS, now - 5 * MINUTE_MS);
    expect(gapBad).toBeGreaterThan(2);
    // The gap is not counted yet (and not counted good for ever: it is being caught up); what came
    // before it, backfilled from the first traffic, is.
    expect(during.budget.consumedFraction).toBeCloseTo(
      (countBad(t1 - 30 * MINUTE_MS, t1 + 10 * MINUTE_MS) + countBad(now - 5 * MINUTE_MS, now)) / 43.2,
      9,
    );

    // One chunk at a time, oldest first.
    expect(await series.catchUpChunk(now)).toBe(true);
    expect(await series.catchUpChunk(now)).toBe(false);
    await repairAll(now);
    await evaluation.evaluate(new Date(now));
    const after = await statusOf(id);
    expect(after.coverage).toMatchObject({
      catchingUpFrom: null,
      backfilling: false,
      evaluatedFrom: new Date(floorHour(t1 - 30 * MINUTE_MS)).toISOString(),
    });
    expect(after.budget.consumedFraction).toBeCloseTo(countBad(t1 - 30 * MINUTE_MS, now) / 43.2, 9);
    // Every minute has its row, and the running totals add up row by row.
    const rows = await seriesRows(id);
    const minutes = rows.map((row) => row.minute.getTime()).filter((minute) => minute >= t1 - 30 * MINUTE_MS);
    expect(minutes).toEqual(
      Array.from({ length: 230 }, (_, index) => t1 - 30 * MINUTE_MS + index * MINUTE_MS),
    );
    for (let index = 1; index < rows.length; index++) {
      expect(BigInt(rows[index]!.cb) - BigInt(rows[index - 1]!.cb)).toBe(rows[index]!.bad_slice ? 1n : 0n);
      expect(BigInt(rows[index]!.cr) - BigInt(rows[index - 1]!.cr)).toBe(BigInt(rows[index]!.requests));
    }
  });

  it('counts a telemetry batch two hours late exactly once, even when it is sent again', async () => {
    const ingest = moduleRef.get(TelemetryIngestService);
    const clock = minuteStart(Date.now());
    await seedMinutes('search', clock - 3 * HOUR_MS, clock);
    const id = await create({ name: 'search', services: ['search'] });
    await evaluation.evaluate(new Date(clock));
    await repairAll(clock);
    await evaluation.evaluate(new Date(clock));
    const baseline = await statusOf(id);
    const baselineBad = countBad(clock - 3 * HOUR_MS, clock);
    expect(baseline.budget.consumedFraction).toBeCloseTo(baselineBad / 43.2, 9);

    // A good minute two hours back gets a late batch with 60 % errors: that minute turns bad.
    let late = clock - 120 * MINUTE_MS;
    while (badMinute(late)) late -= MINUTE_MS;
    const batch: TelemetryBatch__Output = {
      batchId: 'late-search',
      items: [
        {
          minuteUnixMs: late,
          sourceCluster: '',
          latencyPacked: Buffer.alloc(0),
          sourceNamespace: 'shop',
          sourceService: 'web',
          destinationNamespace: 'shop',
          destinationService: 'search',
          requests: 150,
          errors: 150,
          latency: sketchOf(Array.from({ length: 150 }, () => 20)),
        },
      ],
    };
    expect(await ingest.ingest(tenantId, east.id, batch)).toEqual({ duplicate: false, accepted: 1 });
    expect(
      (await sql.query(`SELECT minute FROM telemetry_late_minutes WHERE tenant_id = $1`, [tenantId])).rows,
    ).toEqual([{ minute: new Date(late) }]);
    const lastBefore = (await seriesRows(id)).at(-1)!;

    await repairAll(clock);
    await evaluation.evaluate(new Date(clock));
    const counted = await statusOf(id);
    expect(counted.budget.consumedFraction).toBeCloseTo((baselineBad + 1) / 43.2, 9);
    const rows = await seriesRows(id);
    const lastAfter = rows.at(-1)!;
    expect(BigInt(lastAfter.cb) - BigInt(lastBefore.cb)).toBe(1n);
    expect(BigInt(lastAfter.cr) - BigInt(lastBefore.cr)).toBe(150n);
    expect(rows.find((row) => row.minute.getTime() === late)).toMatchObject({
      requests: 250,
      bad_requests: 150,
      bad_slice: true,
    });
    expect((await sql.query(`SELECT count(*)::int AS n FROM telemetry_late_minutes`)).rows).toEqual([
      { n: 0 },
    ]);

    // The agent resends the batch (after a reconnect): a duplicate, counted nothing more.
    expect(await ingest.ingest(tenantId, east.id, batch)).toEqual({ duplicate: true, accepted: 0 });
    expect((await sql.query(`SELECT count(*)::int AS n FROM telemetry_late_minutes`)).rows).toEqual([
      { n: 0 },
    ]);
    await repairAll(clock);
    await evaluation.evaluate(new Date(clock));
    expect(await seriesRows(id)).toEqual(rows);
    // Recounting the same minute (a mark consumed twice) is idempotent too.
    await sql.query(`INSERT INTO telemetry_late_minutes (tenant_id, minute) VALUES ($1, $2)`, [
      tenantId,
      new Date(late),
    ]);
    await repairAll(clock);
    await evaluation.evaluate(new Date(clock));
    expect(await seriesRows(id)).toEqual(rows);
    expect((await statusOf(id)).budget.consumedFraction).toBeCloseTo((baselineBad + 1) / 43.2, 9);
  });
});
