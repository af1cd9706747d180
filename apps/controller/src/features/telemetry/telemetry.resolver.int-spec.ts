import { floorHour } from '@lattice/domain';
import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import {
  HOUR,
  MINUTE,
  seedCluster,
  seedGlobalNamespace,
  seedMinuteRows,
} from '../../../../../test/support/telemetry';

/** Telemetry through GraphQL in-process (the e2e suite covers topology and top services end to end). */
describe('telemetry resolver', () => {
  let harness: GraphQLTestApp;
  let tokenA: string;
  let gnsA: string;
  const base = floorHour(Date.now()) - 2 * HOUR;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const a = await harness.seedTenant('tenant-a');
    tokenA = a.token;
    const now = new Date();
    const east = await seedCluster(harness.sql, a.tenantId, 'east', {
      firstConnectedAt: now,
      connectionId: 'replica-1',
      lastSeenAt: now,
      agentVersion: '1.2.3',
    });
    gnsA = await seedGlobalNamespace(harness.sql, a.tenantId, 'shop', [
      { cluster: 'east', namespace: 'shop' },
    ]);
    await seedMinuteRows(
      harness.sql,
      Array.from({ length: 5 }, (_, index) => ({
        tenantId: a.tenantId,
        clusterId: east.id,
        at: base + index * MINUTE,
        sourceService: 'frontend',
        destinationService: 'cart',
        requests: 120,
        errors: 6,
        latencies: [10, 20, 30, 40],
      })),
    );
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('answers serviceMetrics', async () => {
    const { body } = await harness.graphql(
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 300) { timestamp requestRate errorRate p50 p99 } }',
      {
        token: tokenA,
        variables: {
          gns: gnsA,
          from: new Date(base).toISOString(),
          to: new Date(base + 10 * MINUTE).toISOString(),
        },
      },
    );
    expect(body.errors).toBeUndefined();
    const points = body.data?.serviceMetrics as {
      timestamp: string;
      requestRate: number;
      errorRate: number | null;
      p50: number;
      p99: number;
    }[];
    expect(points.map((point) => point.timestamp)).toEqual([
      new Date(base).toISOString(),
      new Date(base + 5 * MINUTE).toISOString(),
    ]);
    expect(points[0]?.requestRate).toBeCloseTo(600 / 300, 9);
    expect(points[0]?.errorRate).toBeCloseTo(0.05, 9);
    expect(Math.abs((points[0]?.p50 ?? 0) - 20)).toBeLessThanOrEqual(0.2);
    expect(points[1]).toMatchObject({ requestRate: 0, errorRate: null, p99: null });
  });

  it('refuses a step that is not whole minutes, naming the argument', async () => {
    const badStep = await harness.graphql(
      `{ serviceMetrics(gnsId: "${gnsA}", service: "cart", from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", step: 90) { timestamp } }`,
      { token: tokenA },
    );
    expect(badStep.body.errors?.[0]?.message).toMatch(/^step: must be a whole number of minutes/);
  });

  // The null-date TypeErrors of issue 19 (a resolver reached with from/to null or an Invalid Date):
  // every way of passing no date or a bad one is refused before the resolver, as a client error.
  const SERIES = (args: string) =>
    `serviceMetrics(gnsId: $gns, service: "cart", ${args}, step: 60) { timestamp }`;
  it.each([
    [
      'a null variable',
      'query($gns: ID!, $from: DateTime!) { ' + SERIES('from: $from, to: "2026-01-01T01:00:00Z"') + ' }',
      { from: null },
    ],
    [
      'an omitted variable',
      'query($gns: ID!, $from: DateTime!) { ' + SERIES('from: $from, to: "2026-01-01T01:00:00Z"') + ' }',
      {},
    ],
    [
      'a non-ISO variable',
      'query($gns: ID!, $from: DateTime!) { ' + SERIES('from: $from, to: "2026-01-01T01:00:00Z"') + ' }',
      { from: '1700000000000' },
    ],
    [
      'a nullable variable without a value',
      'query($gns: ID!, $from: DateTime) { ' + SERIES('from: $from, to: "2026-01-01T01:00:00Z"') + ' }',
      {},
    ],
    [
      'a bad variable default',
      'query($gns: ID!, $from: DateTime! = "yesterday") { ' +
        SERIES('from: $from, to: "2026-01-01T01:00:00Z"') +
        ' }',
      {},
    ],
    ['an inline null', 'query($gns: ID!) { ' + SERIES('from: null, to: "2026-01-01T01:00:00Z"') + ' }', {}],
    ['an omitted argument', 'query($gns: ID!) { ' + SERIES('to: "2026-01-01T01:00:00Z"') + ' }', {}],
    ['an inline number', 'query($gns: ID!) { ' + SERIES('from: 0, to: "2026-01-01T01:00:00Z"') + ' }', {}],
    [
      'a null topology bound',
      'query($gns: ID!, $to: DateTime!) { topology(gnsId: $gns, from: "2026-01-01T00:00:00Z", to: $to) { nodes { id } } }',
      { to: null },
    ],
  ])(
    'refuses %s for a date as a client error, never reaching the resolver',
    async (_name, query, variables) => {
      const { status, body } = await harness.graphql(query, {
        token: tokenA,
        variables: { gns: gnsA, ...variables },
      });
      expect(status).toBe(400);
      expect(body.data ?? null).toBeNull();
      expect(body.errors?.length).toBeGreaterThan(0);
      for (const error of body.errors ?? []) {
        expect(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']).toContain(error.extensions?.['code']);
        expect(error.message).not.toMatch(/TypeError|Cannot read|getTime/);
      }
    },
  );

  it('gives a bucket still in progress the rate of its reported minutes, not of its full length', async () => {
    // Requests in each of the last two complete minutes; a 5-minute bucket that reaches past now.
    const nowMinute = Math.floor(Date.now() / MINUTE) * MINUTE;
    const bucketStart = nowMinute - 2 * MINUTE;
    const fresh = await harness.seedTenant('tenant-now');
    const cluster = await seedCluster(harness.sql, fresh.tenantId, 'east', {
      firstConnectedAt: new Date(),
      connectionId: 'replica-1',
      lastSeenAt: new Date(),
      agentVersion: '1.2.3',
    });
    const gns = await seedGlobalNamespace(harness.sql, fresh.tenantId, 'shop', [
      { cluster: 'east', namespace: 'shop' },
    ]);
    await seedMinuteRows(
      harness.sql,
      [0, 1].map((index) => ({
        tenantId: fresh.tenantId,
        clusterId: cluster.id,
        at: bucketStart + index * MINUTE,
        sourceService: 'frontend',
        destinationService: 'cart',
        requests: 60,
        errors: 0,
        latencies: [10],
      })),
    );
    const { body } = await harness.graphql(
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 300) { requestRate } }',
      {
        token: fresh.token,
        variables: {
          gns,
          from: new Date(bucketStart).toISOString(),
          to: new Date(bucketStart + 5 * MINUTE).toISOString(),
        },
      },
    );
    expect(body.errors).toBeUndefined();
    const [point] = body.data?.serviceMetrics as { requestRate: number }[];
    // 120 requests over the 2 (or, if the clock turned a minute meanwhile, 3) reported minutes:
    // 1 or 0.67 per second, never 120 / 300 s = 0.4.
    expect([1, 120 / 180].some((rate) => Math.abs((point?.requestRate ?? 0) - rate) < 1e-9)).toBe(true);
  });
});
