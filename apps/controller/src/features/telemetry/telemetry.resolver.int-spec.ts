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
});
