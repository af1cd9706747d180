import { Test, type TestingModule } from '@nestjs/testing';
import { Client } from 'pg';
import { DomainError, floorHour, type SketchJSON } from '@lattice/domain';
import type { TelemetryBatch__Output, TelemetryItem__Output } from '@lattice/proto';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { platformModules } from '../../../../../test/support/platform-modules';
import { eventually } from '../../../../../test/support/grpc-agent-client';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import {
  evenLatencies,
  exactQuantile,
  HOUR,
  MINUTE,
  seedCluster,
  seedGlobalNamespace,
  sketchOf,
  type SeededCluster,
} from '../../../../../test/support/telemetry';
import { TelemetryIngestService } from './telemetry-ingest.service';
import { ROLLUP_DELAY_MS, TelemetryMaintenanceService } from './telemetry-maintenance.service';
import { TelemetryQueryService } from './telemetry-query.service';
import { TelemetryModule } from './telemetry.module';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryScopeRepository } from './telemetry-scope.repository';

/**
 * Ingest, rollups, retention and queries (TelemetryIngestService, TelemetryMaintenanceService,
 * TelemetryQueryService with their real repositories and stores) against real PostgreSQL and Redis. Time is the real clock
 * (the ingest refuses minutes outside retention); the data sits in whole hours a few hours back.
 */
describe('telemetry storage', () => {
  let database: TestDatabase;
  let moduleRef: TestingModule;
  let sql: Client;
  let ingest: TelemetryIngestService;
  let maintenance: TelemetryMaintenanceService;
  let query: TelemetryQueryService;
  let tenantA: string;
  let tenantB: string;
  let east: SeededCluster;
  let west: SeededCluster;
  let eastOfB: SeededCluster;
  let gnsA: string;
  let gnsB: string;
  /** Start of the hour three hours ago: completed, and rolled up by a rollup run now. */
  const base = floorHour(Date.now()) - 3 * HOUR;
  /** A rollup "now" that is certainly past the rollup delay of base + 3 h, whenever the test runs. */
  const rollupNow = new Date(base + 3 * HOUR + ROLLUP_DELAY_MS);
  const cartLatencies = evenLatencies(100, 1, 100);

  const item = (
    overrides: Partial<TelemetryItem__Output> & { latencies?: number[] } = {},
  ): TelemetryItem__Output => {
    const { latencies, ...rest } = overrides;
    return {
      minuteUnixMs: base,
      sourceCluster: '',
      sourceNamespace: 'shop',
      sourceService: 'frontend',
      destinationNamespace: 'shop',
      destinationService: 'cart',
      requests: 100,
      errors: 5,
      latency: sketchOf(latencies ?? cartLatencies),
      latencyPacked: Buffer.alloc(0),
      ...rest,
    };
  };
  const batch = (batchId: string, items: TelemetryItem__Output[]): TelemetryBatch__Output => ({
    batchId,
    items,
  });
  const count = async (table: string) =>
    Number((await sql.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);

  beforeAll(async () => {
    database = await createTestDatabase();
    // The telemetry module alone, on its own database: no other feature is involved.
    moduleRef = await Test.createTestingModule({
      imports: [...platformModules(testRuntimeConfig(database.url)), TelemetryModule],
    }).compile();
    ingest = moduleRef.get(TelemetryIngestService);
    maintenance = moduleRef.get(TelemetryMaintenanceService);
    query = moduleRef.get(TelemetryQueryService);
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    tenantA = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'tenant-a') RETURNING id`)
    ).rows[0].id;
    tenantB = (
      await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), 'tenant-b') RETURNING id`)
    ).rows[0].id;
    east = await seedCluster(sql, tenantA, 'east');
    west = await seedCluster(sql, tenantA, 'west');
    eastOfB = await seedCluster(sql, tenantB, 'east');
    gnsA = await seedGlobalNamespace(sql, tenantA, 'shop', [
      { cluster: 'east', namespace: 'shop' },
      { cluster: 'west', namespace: 'shop' },
    ]);
    gnsB = await seedGlobalNamespace(sql, tenantB, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
  });

  afterAll(async () => {
    await sql?.end();
    await moduleRef?.close();
    await database?.drop();
  });

  describe('ingest', () => {
    it('stores a batch of minutes and counts a replayed batch once', async () => {
      const minutes = Array.from({ length: 60 }, (_, index) => item({ minuteUnixMs: base + index * MINUTE }));
      expect(await ingest.ingest(tenantA, east.id, batch('east-1', minutes))).toEqual({
        duplicate: false,
        accepted: 60,
      });
      expect(await ingest.ingest(tenantA, east.id, batch('east-1', minutes))).toEqual({
        duplicate: true,
        accepted: 0,
      });
      expect(await count('telemetry_minutes')).toBe(60);
      // The same batch id from another cluster is another batch.
      const westMinutes = minutes.map((minute) => ({ ...minute, requests: 50, errors: 0 }));
      expect(await ingest.ingest(tenantA, west.id, batch('east-1', westMinutes))).toEqual({
        duplicate: false,
        accepted: 60,
      });
      expect(await count('telemetry_minutes')).toBe(120);
    });

    it('counts a batch sent twice at the same moment once', async () => {
      const twin = batch('twin', [item({ minuteUnixMs: base + HOUR, destinationService: 'twin-check' })]);
      const results = await Promise.all([
        ingest.ingest(tenantA, east.id, twin),
        ingest.ingest(tenantA, east.id, twin),
      ]);
      expect(results.map((result) => result.duplicate).sort()).toEqual([false, true]);
      const stored = await sql.query(
        `SELECT count(*) AS n FROM telemetry_minutes WHERE destination_service = 'twin-check'`,
      );
      expect(Number(stored.rows[0].n)).toBe(1);
    });

    it('stores many batches of two tenants together (group commit) with exact counts, each id once, late minutes marked', async () => {
      // One already stored, twins inside the group, two tenants, COPY-special characters in a name.
      // Two hours before the other tests' data, so their queries do not see it.
      const at = base - 2 * HOUR;
      await ingest.ingest(
        tenantA,
        east.id,
        batch('group-0', [item({ minuteUnixMs: at, destinationService: 'group-check' })]),
      );
      const groupItems = (service: string, count: number) =>
        Array.from({ length: count }, (_, index) =>
          item({ minuteUnixMs: at + index * MINUTE, destinationService: service, requests: 7, errors: 1 }),
        );
      const results = await Promise.all([
        ingest.ingest(tenantA, east.id, batch('group-0', groupItems('group-check', 3))),
        ingest.ingest(tenantA, east.id, batch('group-1', groupItems('group-check', 4))),
        ingest.ingest(tenantA, east.id, batch('group-1', groupItems('group-check', 4))),
        ingest.ingest(tenantA, west.id, batch('group-1', groupItems('group-check', 2))),
        ingest.ingest(tenantB, eastOfB.id, batch('group-2', groupItems('tab\there\\and\nline', 5))),
      ]);
      expect(results).toEqual([
        { duplicate: true, accepted: 0 },
        { duplicate: false, accepted: 4 },
        { duplicate: true, accepted: 0 },
        { duplicate: false, accepted: 2 },
        { duplicate: false, accepted: 5 },
      ]);
      const counts = await sql.query(
        `SELECT tenant_id::text AS tenant, count(*)::int AS n, sum(requests)::int AS requests
         FROM telemetry_minutes WHERE destination_service IN ('group-check', 'tab\there\\and\nline') GROUP BY 1 ORDER BY 1`,
      );
      expect(Object.fromEntries(counts.rows.map((row) => [row.tenant, [row.n, row.requests]]))).toEqual({
        [tenantA]: [1 + 4 + 2, 100 + 6 * 7],
        [tenantB]: [5, 35],
      });
      const names = await sql.query(
        `SELECT DISTINCT destination_service FROM telemetry_minutes WHERE tenant_id = $1 AND destination_service LIKE 'tab%'`,
        [tenantB],
      );
      expect(names.rows).toEqual([{ destination_service: 'tab\there\\and\nline' }]);
      // Hours back, so past the SLO evaluation's recompute span: every minute of tenant B is marked.
      const late = await sql.query(
        `SELECT count(*)::int AS n FROM telemetry_late_minutes WHERE tenant_id = $1 AND minute >= $2 AND minute < $3`,
        [tenantB, new Date(at), new Date(at + 5 * MINUTE)],
      );
      expect(late.rows[0].n).toBe(5);
    });

    it('stores a large batch in chunks', async () => {
      const services = Array.from({ length: 2_500 }, (_, index) =>
        item({
          minuteUnixMs: base + HOUR + 5 * MINUTE,
          sourceService: `load-${index}`,
          destinationService: 'bulk',
          requests: 1,
          errors: 0,
          latencies: [10],
        }),
      );
      expect(await ingest.ingest(tenantA, east.id, batch('bulk', services))).toEqual({
        duplicate: false,
        accepted: 2_500,
      });
      const stored = await sql.query(
        `SELECT count(*) AS n FROM telemetry_minutes WHERE destination_service = 'bulk'`,
      );
      expect(Number(stored.rows[0].n)).toBe(2_500);
    });

    it.each([
      [
        'errors above requests',
        { requests: 3, errors: 4 },
        /items\[1\]\.errors 4 errors is more than the 3 requests/,
      ],
      [
        'a minute not on a minute boundary',
        { minuteUnixMs: base + 30_000 },
        /items\[1\]\.minuteUnixMs must be the start of a minute/,
      ],
      [
        'a minute older than retention',
        { minuteUnixMs: base - 8 * 24 * HOUR },
        /items\[1\]\.minuteUnixMs .* older than the 7-day minute retention/,
      ],
      [
        'a minute in the future',
        { minuteUnixMs: floorHour(Date.now()) + 2 * HOUR },
        /items\[1\]\.minuteUnixMs .* is in the future/,
      ],
      [
        'an empty destination service',
        { destinationService: '' },
        /items\[1\]\.destinationService must not be empty/,
      ],
      [
        'a malformed sketch',
        { latency: { ...sketchOf([1]), counts: [-1] } as SketchJSON },
        /items\[1\]\.latency Invalid latency sketch: counts\[0\]/,
      ],
      [
        'a sketch of another accuracy',
        { latency: { ...sketchOf([1]), relativeAccuracy: 0.02 } as SketchJSON },
        /items\[1\]\.latency relativeAccuracy must be 0.01/,
      ],
    ])(
      'refuses a batch with %s, naming the item and field, and stores nothing',
      async (_name, bad, message) => {
        const before = await count('telemetry_minutes');
        const good = item({ minuteUnixMs: base + 2 * HOUR, destinationService: 'refused' });
        const refused = ingest.ingest(
          tenantA,
          east.id,
          batch('bad-batch', [good, item({ ...good, ...bad })]),
        );
        await expect(refused).rejects.toThrow(DomainError);
        await expect(refused).rejects.toMatchObject({
          code: 'VALIDATION',
          message: expect.stringMatching(message),
        });
        expect(await count('telemetry_minutes')).toBe(before);
        // The batch id was not used up: the agent may fix and resend under the same id.
        expect(
          (await sql.query(`SELECT 1 FROM telemetry_batches WHERE batch_id = 'bad-batch'`)).rowCount,
        ).toBe(0);
      },
    );
  });

  describe('queries', () => {
    beforeAll(async () => {
      // Not in the GNS: another namespace of a member cluster, a reserved namespace, another tenant.
      await ingest.ingest(
        tenantA,
        east.id,
        batch('noise-a', [
          item({ minuteUnixMs: base, destinationNamespace: 'other', requests: 1000, errors: 1000 }),
          item({ minuteUnixMs: base, destinationNamespace: 'kube-system', requests: 1000, errors: 1000 }),
        ]),
      );
      await ingest.ingest(
        tenantB,
        eastOfB.id,
        batch('noise-b', [item({ minuteUnixMs: base, requests: 7, errors: 7, latencies: [5000] })]),
      );
    });

    it('answers a per-minute series from the GNS member clusters only', async () => {
      const points = await query.serviceMetrics(
        tenantA,
        gnsA,
        'cart',
        new Date(base),
        new Date(base + 10 * MINUTE),
        60,
      );
      expect(points).toHaveLength(10);
      for (const [index, point] of points.entries()) {
        expect(point.timestamp.getTime()).toBe(base + index * MINUTE);
        expect(point.requests).toBe(150); // east 100 + west 50
        expect(point.requestRate).toBeCloseTo(150 / 60, 9);
        expect(point.errorRate).toBeCloseTo(5 / 150, 9);
        expectWithinSketchError(point.p50, exactQuantile(cartLatencies, 0.5));
        expectWithinSketchError(point.p99, exactQuantile(cartLatencies, 0.99));
      }
    });

    it('answers a coarser step by merging minutes', async () => {
      const [hour] = await query.serviceMetrics(
        tenantA,
        gnsA,
        'cart',
        new Date(base),
        new Date(base + HOUR),
        3600,
      );
      expect(hour).toMatchObject({ requests: 9_000, errors: 300 });
      expect(hour?.requestRate).toBeCloseTo(9_000 / 3_600, 9);
      expectWithinSketchError(hour?.p90 ?? null, exactQuantile(cartLatencies, 0.9));
    });

    it('keeps tenants apart', async () => {
      const [pointOfB] = await query.serviceMetrics(
        tenantB,
        gnsB,
        'cart',
        new Date(base),
        new Date(base + MINUTE),
        60,
      );
      expect(pointOfB).toMatchObject({ requests: 7, errors: 7 });
      await expect(
        query.serviceMetrics(tenantB, gnsA, 'cart', new Date(base), new Date(base + MINUTE), 60),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('answers again from its cache while the telemetry is unchanged, and with a new batch once recomputed', async () => {
      const at = base + 2 * HOUR + 7 * MINUTE;
      const [from, to] = [new Date(at), new Date(at + 2 * MINUTE)];
      const cached = (service: string, requests: number) =>
        item({ minuteUnixMs: at, destinationService: service, requests, errors: 0 });
      await ingest.ingest(tenantB, eastOfB.id, batch('cache-1', [cached('cached', 10)]));
      const first = await query.serviceMetrics(tenantB, gnsB, 'cached', from, to, 60);
      expect(first.map((point) => point.requests)).toEqual([10, 0]);
      // The same answer object: nothing was recomputed.
      expect(await query.serviceMetrics(tenantB, gnsB, 'cached', from, to, 60)).toBe(first);
      const topology = await query.topology(tenantB, gnsB, from, to);
      expect(await query.topology(tenantB, gnsB, from, to)).toBe(topology);

      // A batch for the same (old) minutes: the cached answers are recomputed in the background and
      // replaced (the old ones are served meanwhile, for at most LATTICE_TELEMETRY_QUERY_STALENESS_MS).
      await ingest.ingest(
        tenantB,
        eastOfB.id,
        batch('cache-2', [{ ...cached('cached', 4), minuteUnixMs: at + MINUTE }]),
      );
      const series = async () =>
        (await query.serviceMetrics(tenantB, gnsB, 'cached', from, to, 60)).map((point) => point.requests);
      const cachedRequests = async () =>
        (await query.topology(tenantB, gnsB, from, to)).nodes.find((node) => node.service === 'cached')
          ?.requests;
      expect(await eventually(series, (requests) => requests[1] === 4)).toEqual([10, 4]);
      expect(await eventually(cachedRequests, (requests) => requests === 14)).toBe(14);
      // A resent batch changes nothing, and the answer stays the same.
      await ingest.ingest(
        tenantB,
        eastOfB.id,
        batch('cache-2', [{ ...cached('cached', 4), minuteUnixMs: at + MINUTE }]),
      );
      expect(await series()).toEqual([10, 4]);
    });

    it('reads the GNS facts of queries issued together in one batch (DataLoader), each answer as alone', async () => {
      const scopes = moduleRef.get(TelemetryScopeRepository);
      const from = new Date(base);
      const to = new Date(base + HOUR);
      const alone = {
        cart: await query.serviceMetrics(tenantA, gnsA, 'cart', from, to, 3600),
        topology: await query.topology(tenantA, gnsA, from, to),
        other: await query.topology(tenantB, gnsB, from, to),
      };
      const loadMany = jest.spyOn(scopes, 'loadMany');
      try {
        const together = await Promise.all([
          query.serviceMetrics(tenantA, gnsA, 'cart', from, to, 3600),
          query.topology(tenantA, gnsA, from, to),
          query.topology(tenantB, gnsB, from, to),
          // Tenant A asking for tenant B's GNS gets not found, even in the same batch.
          query.topology(tenantA, gnsB, from, to).catch((error: unknown) => error),
        ]);
        expect(loadMany).toHaveBeenCalledTimes(1);
        expect(loadMany.mock.calls[0]?.[0]).toHaveLength(4);
        expect(together.slice(0, 3)).toEqual([alone.cart, alone.topology, alone.other]);
        expect(together[3]).toBeInstanceOf(DomainError);
      } finally {
        loadMany.mockRestore();
      }
    });

    it('builds the topology with one node per service and cluster', async () => {
      const topology = await query.topology(tenantA, gnsA, new Date(base), new Date(base + HOUR));
      const cartIn = (cluster: string) =>
        topology.nodes.find(
          (node) => node.clusterName === cluster && node.namespace === 'shop' && node.service === 'cart',
        );
      const cartEast = cartIn('east');
      const cartWest = cartIn('west');
      expect(cartEast).toMatchObject({ member: true, requests: 6_000, errors: 300 });
      expect(cartWest).toMatchObject({ member: true, requests: 3_000, errors: 0 });
      // Calls from a member to namespaces outside the GNS show, with their callees marked as outsiders.
      const outsiders = topology.nodes.filter((node) => !node.member);
      expect(outsiders.map((node) => node.namespace).sort()).toEqual(['kube-system', 'other']);
      const edge = topology.edges.find((candidate) => candidate.destinationId === cartEast?.id);
      expect(edge?.sourceId).toBe(`${east.id}/shop/frontend`);
      expect(edge?.requestRate).toBeCloseTo(6_000 / 3_600, 9);
      expectWithinSketchError(edge?.p99 ?? null, exactQuantile(cartLatencies, 0.99));
    });

    it('ranks services by error rate', async () => {
      const top = await query.topServices(
        tenantA,
        gnsA,
        new Date(base),
        new Date(base + 2 * HOUR),
        'ERROR_RATE',
        2,
      );
      // twin-check: 5 of 100 failed; cart: 300 of 9,000; the namespace "other" (all failed) is outside the GNS.
      expect(top.map((service) => [service.service, service.errorRate])).toEqual([
        ['twin-check', 0.05],
        ['cart', 300 / 9_000],
      ]);
    });

    describe('across clusters (each request reported by the cluster it was received in)', () => {
      const at = () => base + HOUR + 40 * MINUTE;
      const call = (
        sourceCluster: string,
        sourceService: string,
        destinationService: string,
        requests: number,
      ) =>
        item({
          minuteUnixMs: at(),
          sourceCluster,
          sourceService,
          destinationService,
          requests,
          errors: 0,
          latencies: Array<number>(requests).fill(20),
        });
      let north: SeededCluster;

      beforeAll(async () => {
        // productpage (east) calls reviews in east and west; reviews in both call ratings, which runs in west;
        // reviews in east also calls ledger, in a cluster outside the GNS.
        north = await seedCluster(sql, tenantA, 'north');
        await ingest.ingest(tenantA, east.id, batch('xc-east', [call('east', 'productpage', 'reviews', 27)]));
        await ingest.ingest(
          tenantA,
          west.id,
          batch('xc-west', [
            call('east', 'productpage', 'reviews', 13),
            call('east', 'reviews', 'ratings', 13),
            call('west', 'reviews', 'ratings', 14),
          ]),
        );
        await ingest.ingest(tenantA, north.id, batch('xc-north', [call('east', 'reviews', 'ledger', 5)]));
      });

      it('sums a service running in two clusters once per request', async () => {
        const [hour] = await query.serviceMetrics(
          tenantA,
          gnsA,
          'reviews',
          new Date(base + HOUR),
          new Date(base + 2 * HOUR),
          3600,
        );
        expect(hour).toMatchObject({ requests: 40 });
        const [ratings] = await query.serviceMetrics(
          tenantA,
          gnsA,
          'ratings',
          new Date(base + HOUR),
          new Date(base + 2 * HOUR),
          3600,
        );
        expect(ratings).toMatchObject({ requests: 27 });
      });

      it('places callers in their own cluster and destinations where they run', async () => {
        const topology = await query.topology(
          tenantA,
          gnsA,
          new Date(base + HOUR),
          new Date(base + 2 * HOUR),
        );
        const placed = topology.nodes
          .filter((node) => ['productpage', 'reviews', 'ratings', 'ledger'].includes(node.service))
          .map((node) => [`${node.clusterName}/${node.service}`, node.requests, node.member]);
        expect(placed.sort()).toEqual([
          ['east/productpage', 0, true],
          ['east/reviews', 27, true],
          ['north/ledger', 5, false],
          ['west/ratings', 27, true],
          ['west/reviews', 13, true],
        ]);
        const edge = (from: string, to: string) =>
          topology.edges.find((candidate) => candidate.sourceId === from && candidate.destinationId === to);
        expect(edge(`${east.id}/shop/reviews`, `${west.id}/shop/ratings`)).toMatchObject({
          requests: 13,
          clusterId: west.id,
        });
        expect(edge(`${west.id}/shop/reviews`, `${west.id}/shop/ratings`)).toMatchObject({
          requests: 14,
          clusterId: west.id,
        });
        expect(edge(`${east.id}/shop/reviews`, `${north.id}/shop/ledger`)).toMatchObject({
          requests: 5,
          clusterId: north.id,
        });
      });
    });

    it('refuses bad ranges with clear messages', async () => {
      const tooLong = query.serviceMetrics(
        tenantA,
        gnsA,
        'cart',
        new Date(base),
        new Date(base + 32 * 24 * HOUR),
        3600,
      );
      await expect(tooLong).rejects.toMatchObject({
        code: 'VALIDATION',
        message: expect.stringContaining('to: must be at most 31 days after from'),
      });
      const tooManyPoints = query.serviceMetrics(
        tenantA,
        gnsA,
        'cart',
        new Date(base),
        new Date(base + 2 * 24 * HOUR),
        60,
      );
      await expect(tooManyPoints).rejects.toMatchObject({
        message: expect.stringContaining('more than 1440'),
      });
    });
  });

  describe('rollups and retention', () => {
    it('rolls completed hours up idempotently, and queries answer the same from hours', async () => {
      const from = new Date(base);
      const to = new Date(base + 2 * HOUR);
      const fromMinutes = {
        hourly: await query.serviceMetrics(tenantA, gnsA, 'cart', from, to, 3600),
        topology: await query.topology(tenantA, gnsA, from, to),
        top: await query.topServices(tenantA, gnsA, from, to, 'LATENCY_P99', 10),
      };
      const first = await maintenance.rollUp(rollupNow);
      expect(first.rolledUpUntil).toBeGreaterThanOrEqual(base + 3 * HOUR);
      const hoursAfterFirst = (await sql.query(`SELECT * FROM telemetry_hours ORDER BY id`)).rows.map(
        withoutId,
      );
      await maintenance.rollUp(rollupNow);
      const hoursAfterSecond = (await sql.query(`SELECT * FROM telemetry_hours ORDER BY id`)).rows.map(
        withoutId,
      );
      expect(hoursAfterSecond).toEqual(hoursAfterFirst);
      const cartEastHour = await sql.query(
        `SELECT requests, errors FROM telemetry_hours WHERE cluster_id = $1 AND destination_service = 'cart' AND destination_namespace = 'shop' AND hour = $2`,
        [east.id, new Date(base)],
      );
      expect(cartEastHour.rows).toEqual([{ requests: '6000', errors: '300' }]);

      // Hide the minutes: the answers now can only come from the hour rows.
      await sql.query(
        `CREATE TABLE hidden_minutes AS SELECT * FROM telemetry_minutes WHERE minute >= $1 AND minute < $2`,
        [from, to],
      );
      await sql.query(`DELETE FROM telemetry_minutes WHERE minute >= $1 AND minute < $2`, [from, to]);
      try {
        expect(await query.serviceMetrics(tenantA, gnsA, 'cart', from, to, 3600)).toEqual(fromMinutes.hourly);
        expect(await query.topology(tenantA, gnsA, from, to)).toEqual(fromMinutes.topology);
        expect(await query.topServices(tenantA, gnsA, from, to, 'LATENCY_P99', 10)).toEqual(fromMinutes.top);
      } finally {
        await sql.query(`INSERT INTO telemetry_minutes SELECT * FROM hidden_minutes`);
        await sql.query(`DROP TABLE hidden_minutes`);
      }
    });

    it('recomputes an hour that received minutes after its rollup', async () => {
      await maintenance.rollUp(rollupNow);
      await ingest.ingest(
        tenantA,
        east.id,
        batch('late', [
          item({ minuteUnixMs: base + 30 * MINUTE, destinationService: 'late', requests: 9, errors: 1 }),
        ]),
      );
      await maintenance.rollUp(rollupNow);
      const late = await sql.query(
        `SELECT requests, errors FROM telemetry_hours WHERE destination_service = 'late'`,
      );
      expect(late.rows).toEqual([{ requests: '9', errors: '1' }]);
    });

    it('drops whole partitions past retention, deletes expired default-partition rows and batch ids, and nothing else', async () => {
      const now = Date.now();
      const day = 24 * HOUR;
      const repository = moduleRef.get(TelemetryRepository);
      // Partitions for an expired day (9 days back) and an expired month (about 5 months back).
      await repository.ensurePartitions('telemetry_minutes', now - 10 * day, now);
      await repository.ensurePartitions('telemetry_hours', now - 160 * day, now);
      const minutePartitionsBefore = await repository.partitions('telemetry_minutes');
      const expiredDay = `telemetry_minutes_p${new Date(now - 9 * day).toISOString().slice(0, 10).replaceAll('-', '')}`;
      const expiredMonth = `telemetry_hours_p${new Date(now - 150 * day).toISOString().slice(0, 7).replace('-', '')}`;
      expect(minutePartitionsBefore).toContain(expiredDay);
      await sql.query(
        `INSERT INTO telemetry_minutes (tenant_id, cluster_id, minute, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
         VALUES ($1, $2, $3, 'shop', 'a', 'shop', 'expired', 1, 0, '{}'), ($1, $2, $4, 'shop', 'a', 'shop', 'kept', 1, 0, '{}')`,
        [tenantA, east.id, new Date(now - 9 * day), new Date(now - 7 * day + HOUR)],
      );
      await sql.query(
        `INSERT INTO telemetry_hours (tenant_id, cluster_id, hour, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
         VALUES ($1, $2, $3, 'shop', 'a', 'shop', 'expired', 1, 0, '{}'), ($1, $2, $4, 'shop', 'a', 'shop', 'kept', 1, 0, '{}')`,
        [tenantA, east.id, new Date(floorHour(now - 150 * day)), new Date(floorHour(now - 89 * day))],
      );
      // Far older than any partition: written to the default partitions, deleted from there.
      await sql.query(
        `INSERT INTO telemetry_minutes (tenant_id, cluster_id, minute, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
         VALUES ($1, $2, $3, 'shop', 'a', 'shop', 'expired', 1, 0, '{}')`,
        [tenantA, east.id, new Date(now - 60 * day)],
      );
      await sql.query(
        `INSERT INTO telemetry_hours (tenant_id, cluster_id, hour, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
         VALUES ($1, $2, $3, 'shop', 'a', 'shop', 'expired', 1, 0, '{}')`,
        [tenantA, east.id, new Date(floorHour(now - 900 * day))],
      );
      expect(await count('telemetry_minutes_default')).toBe(1);
      expect(await count('telemetry_hours_default')).toBe(1);
      await sql.query(
        `INSERT INTO telemetry_batches (cluster_id, batch_id, tenant_id, item_count, received_at) VALUES ($1, 'old', $2, 1, $3), ($1, 'recent', $2, 1, $4)`,
        [east.id, tenantA, new Date(now - 7 * day - HOUR), new Date(now - 7 * day + HOUR)],
      );
      const minutesBefore = await count('telemetry_minutes');
      const hoursBefore = await count('telemetry_hours');
      const result = await maintenance.applyRetention(new Date(now));
      expect(result.minutePartitions).toContain(expiredDay);
      expect(result.hourPartitions).toContain(expiredMonth);
      expect(result).toMatchObject({ minutes: 1, hours: 1, batches: 1 });
      expect(await count('telemetry_minutes')).toBe(minutesBefore - 2);
      expect(await count('telemetry_hours')).toBe(hoursBefore - 2);
      // Every dropped partition ended before the cutoff; the ones left did not.
      const left = await repository.partitions('telemetry_minutes');
      expect(left).not.toContain(expiredDay);
      expect(left.length + result.minutePartitions.length).toBe(minutePartitionsBefore.length);
      const services = await sql.query(
        `SELECT DISTINCT destination_service FROM telemetry_minutes WHERE destination_service IN ('expired', 'kept')
         UNION SELECT DISTINCT destination_service FROM telemetry_hours WHERE destination_service IN ('expired', 'kept')`,
      );
      expect(services.rows).toEqual([{ destination_service: 'kept' }]);
      const batches = await sql.query(
        `SELECT batch_id FROM telemetry_batches WHERE batch_id IN ('old', 'recent')`,
      );
      expect(batches.rows).toEqual([{ batch_id: 'recent' }]);
    });

    it('creates partitions ahead, and moves rows that went to the default partition into a new one', async () => {
      const repository = moduleRef.get(TelemetryRepository);
      const day = 24 * HOUR;
      // A day far ahead with no partition yet: its row goes to the default partition...
      const future = floorHour(Date.now()) + 20 * day;
      const partition = `telemetry_minutes_p${new Date(future).toISOString().slice(0, 10).replaceAll('-', '')}`;
      expect(await repository.partitions('telemetry_minutes')).not.toContain(partition);
      await sql.query(
        `INSERT INTO telemetry_minutes (tenant_id, cluster_id, minute, source_namespace, source_service, destination_namespace, destination_service, requests, errors, sketch)
         VALUES ($1, $2, $3, 'shop', 'a', 'shop', 'early', 1, 0, '{}')`,
        [tenantB, eastOfB.id, new Date(future)],
      );
      const where = async () =>
        (
          await sql.query(
            `SELECT tableoid::regclass::text AS part FROM telemetry_minutes WHERE destination_service = 'early'`,
          )
        ).rows;
      expect(await where()).toEqual([{ part: 'telemetry_minutes_default' }]);
      // ...and moves into it when the partition is created; creating again creates nothing.
      expect(await repository.ensurePartitions('telemetry_minutes', future, future + 1)).toBe(1);
      expect(await repository.ensurePartitions('telemetry_minutes', future, future + 1)).toBe(0);
      expect(await where()).toEqual([{ part: partition }]);
      // The job keeps the next days created; idempotent.
      const ahead = await maintenance.ensurePartitions(new Date());
      expect(ahead.minutePartitions).toBeGreaterThanOrEqual(0);
      const names = await repository.partitions('telemetry_minutes');
      for (let offset = 0; offset <= 3; offset++) {
        expect(names).toContain(
          `telemetry_minutes_p${new Date(Date.now() + offset * day).toISOString().slice(0, 10).replaceAll('-', '')}`,
        );
      }
      expect(await maintenance.ensurePartitions(new Date())).toEqual({
        minutePartitions: 0,
        hourPartitions: 0,
      });
      await sql.query(`DELETE FROM telemetry_minutes WHERE destination_service = 'early'`);
    });

    it('keys every telemetry table by tenant id first (ready to distribute by tenant)', async () => {
      const keys = await sql.query<{ table: string; key: string; columns: string[] }>(`
        SELECT t.relname AS table, i.relname AS key,
               array(SELECT a.attname FROM unnest(x.indkey) WITH ORDINALITY AS k(attnum, n)
                     JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum ORDER BY k.n)::text[] AS columns
        FROM pg_index x JOIN pg_class t ON t.oid = x.indrelid JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace
        WHERE (x.indisprimary OR x.indisunique) AND t.relname LIKE 'telemetry%' AND n.nspname = current_schema()
          AND NOT t.relispartition`);
      const tables = new Set(keys.rows.map((row) => row.table));
      expect([...tables].sort()).toEqual([
        'telemetry_batches',
        'telemetry_hours',
        'telemetry_late_minutes',
        'telemetry_minutes',
      ]);
      for (const row of keys.rows)
        expect({ key: row.key, first: row.columns[0] }).toEqual({ key: row.key, first: 'tenant_id' });
      const partitioned = await sql.query(
        `SELECT c.relname FROM pg_partitioned_table p JOIN pg_class c ON c.oid = p.partrelid
         JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() ORDER BY 1`,
      );
      expect(partitioned.rows.map((row) => row.relname)).toEqual(['telemetry_hours', 'telemetry_minutes']);
    });
  });
});

function expectWithinSketchError(actual: number | null, exact: number): void {
  expect(actual).not.toBeNull();
  expect(Math.abs((actual ?? 0) - exact)).toBeLessThanOrEqual(0.01 * exact + 1e-9);
}

function withoutId(row: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, ...rest } = row;
  return rest;
}
