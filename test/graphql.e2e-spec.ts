import { readFileSync } from 'node:fs';
import path from 'node:path';
import { diff } from '@graphql-inspector/core';
import {
  buildClientSchema,
  buildSchema,
  getIntrospectionQuery,
  printSchema,
  type IntrospectionQuery,
} from 'graphql';
import { Client } from 'pg';
import { floorHour } from '@lattice/domain';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import {
  HOUR,
  MINUTE,
  evenLatencies,
  exactQuantile,
  seedCluster,
  seedGlobalNamespace,
  seedMinuteRows,
} from './support/telemetry';
import { createTenant, createToken, type TestTenant } from './support/tenants';

interface GraphQLResult {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * The GraphQL API of the real controller process. Telemetry and clusters are seeded straight into
 * the test's database (the agent path has its own suite); numbers are checked within the sketch's 1 %.
 */
describe('GraphQL API (e2e)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let sql: Client;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let viewerA: string;
  let viewerB: string;
  let gnsA: string;
  let gnsB: string;
  const base = floorHour(Date.now()) - 2 * HOUR;
  const latencies = evenLatencies(200, 5, 400);

  const graphql = async (
    target: ControllerProcess,
    query: string,
    token?: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult> => {
    const response = await target.request('POST', '/graphql', { token, body: { query, variables } });
    return { status: response.status, ...(response.json as Omit<GraphQLResult, 'status'>) };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    tenantA = await createTenant(controller, 'tenant-a');
    tenantB = await createTenant(controller, 'tenant-b');
    viewerA = (await createToken(controller, tenantA, 'viewer')).token;
    viewerB = (await createToken(controller, tenantB, 'viewer')).token;
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const now = new Date();
    const eastA = await seedCluster(sql, tenantA.id, 'east', {
      firstConnectedAt: now,
      connectionId: 'r1',
      lastSeenAt: now,
      agentVersion: '0.1.0',
    });
    const westA = await seedCluster(sql, tenantA.id, 'west');
    const eastB = await seedCluster(sql, tenantB.id, 'east');
    gnsA = await seedGlobalNamespace(sql, tenantA.id, 'shop', [
      { cluster: 'east', namespace: 'shop' },
      { cluster: 'west', namespace: 'shop' },
    ]);
    gnsB = await seedGlobalNamespace(sql, tenantB.id, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
    const minutes = Array.from({ length: 30 }, (_, index) => base + index * MINUTE);
    await seedMinuteRows(sql, [
      ...minutes.map((at) => ({
        tenantId: tenantA.id,
        clusterId: eastA.id,
        at,
        sourceService: 'frontend',
        destinationService: 'cart',
        requests: 200,
        errors: 10,
        latencies,
      })),
      ...minutes.map((at) => ({
        tenantId: tenantA.id,
        clusterId: westA.id,
        at,
        sourceService: 'frontend',
        destinationService: 'cart',
        requests: 100,
        errors: 0,
        latencies: Array<number>(100).fill(50),
      })),
      ...minutes.map((at) => ({
        tenantId: tenantA.id,
        clusterId: eastA.id,
        at,
        sourceService: 'cart',
        destinationService: 'payments',
        requests: 60,
        errors: 30,
        latencies: Array<number>(60).fill(900),
      })),
      ...minutes.map((at) => ({
        tenantId: tenantB.id,
        clusterId: eastB.id,
        at,
        sourceService: 'frontend',
        destinationService: 'cart',
        requests: 1,
        errors: 1,
        latencies: [7],
      })),
    ]);
  });

  afterAll(async () => {
    await sql?.end();
    await controller?.stop();
    await database?.drop();
  });

  const window = () => ({
    from: new Date(base).toISOString(),
    to: new Date(base + 30 * MINUTE).toISOString(),
  });

  it('answers serviceMetrics for the caller tenant within the sketch error', async () => {
    const result = await graphql(
      controller,
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 600) { timestamp requests requestRate errorRate p50 p90 p99 } }',
      viewerA,
      { gns: gnsA, ...window() },
    );
    expect(result.errors).toBeUndefined();
    const points = result.data?.serviceMetrics as {
      requests: number;
      requestRate: number;
      errorRate: number;
      p99: number;
      timestamp: string;
    }[];
    expect(points).toHaveLength(3);
    for (const point of points) {
      expect(point.requests).toBe(3_000); // 10 minutes of (200 east + 100 west)
      expect(point.requestRate).toBeCloseTo(3_000 / 600, 9);
      expect(point.errorRate).toBeCloseTo(100 / 3_000, 9);
    }
    // p99 of all cart requests: 2,000 even latencies from east and 1,000 of 50 ms from west, per point.
    const all = [...Array.from({ length: 10 }, () => latencies).flat(), ...Array<number>(1_000).fill(50)];
    const p99 = points[0]?.p99 ?? 0;
    expect(Math.abs(p99 - exactQuantile(all, 0.99))).toBeLessThanOrEqual(0.01 * exactQuantile(all, 0.99));
  });

  it('answers the topology and the top services', async () => {
    const result = await graphql(
      controller,
      `
        query ($gns: ID!, $from: DateTime!, $to: DateTime!) {
          topology(gnsId: $gns, from: $from, to: $to) {
            nodes {
              id
              clusterName
              service
              requestRate
              errorRate
              p99
            }
            edges {
              sourceId
              destinationId
              requestRate
              errorRate
              p99
            }
          }
          topServices(gnsId: $gns, from: $from, to: $to, by: ERROR_RATE, first: 5) {
            service
            errorRate
            p99
          }
        }
      `,
      viewerA,
      { gns: gnsA, ...window() },
    );
    expect(result.errors).toBeUndefined();
    const topology = result.data?.topology as {
      nodes: { id: string; clusterName: string; service: string; requestRate: number; p99: number | null }[];
      edges: { sourceId: string; destinationId: string; errorRate: number; p99: number }[];
    };
    expect(topology.nodes.map((node) => `${node.clusterName}/${node.service}`).sort()).toEqual([
      'east/cart',
      'east/frontend',
      'east/payments',
      'west/cart',
      'west/frontend',
    ]);
    const payments = topology.nodes.find((node) => node.service === 'payments');
    expect(payments?.requestRate).toBeCloseTo(60 / 60, 9);
    expect(Math.abs((payments?.p99 ?? 0) - 900)).toBeLessThanOrEqual(9);
    const toPayments = topology.edges.find((edge) => edge.destinationId === payments?.id);
    expect(toPayments?.errorRate).toBeCloseTo(0.5, 9);
    expect(result.data?.topServices).toEqual([
      { service: 'payments', errorRate: 0.5, p99: expect.closeTo(900, -1) },
      { service: 'cart', errorRate: expect.closeTo(100 / 3_000, 9), p99: expect.any(Number) },
    ]);
  });

  it("shows tenant B none of tenant A's telemetry, clusters or Global Namespaces", async () => {
    const foreign = await graphql(
      controller,
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { topology(gnsId: $gns, from: $from, to: $to) { nodes { id } } }',
      viewerB,
      { gns: gnsA, ...window() },
    );
    expect(foreign.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const own = await graphql(
      controller,
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 1800) { requests } topServices(gnsId: $gns, from: $from, to: $to, by: LATENCY_P99) { service } }',
      viewerB,
      { gns: gnsB, ...window() },
    );
    expect(own.data).toEqual({ serviceMetrics: [{ requests: 30 }], topServices: [{ service: 'cart' }] });
    const listed = await graphql(
      controller,
      '{ clusters { nodes { name status } } globalNamespaces { nodes { id } } }',
      viewerB,
    );
    expect(listed.data).toEqual({
      clusters: { nodes: [{ name: 'east', status: 'PENDING' }] },
      globalNamespaces: { nodes: [{ id: gnsB }] },
    });
    const clustersOfA = await graphql(
      controller,
      '{ clusters { nodes { name status agentVersion } } }',
      viewerA,
    );
    expect(clustersOfA.data).toEqual({
      clusters: {
        nodes: [
          { name: 'east', status: 'CONNECTED', agentVersion: '0.1.0' },
          { name: 'west', status: 'PENDING', agentVersion: null },
        ],
      },
    });
  });

  it('refuses a request without a token, without a stack trace', async () => {
    const result = await graphql(controller, '{ clusters { nodes { id } } }');
    expect(result.data).toBeNull();
    expect(result.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(JSON.stringify(result.errors)).not.toMatch(/stacktrace|at .*\.js:\d+/);
  });

  it('refuses abusive queries with clear errors before resolving anything', async () => {
    const deep = await graphql(
      controller,
      '{ clusters { nodes { id } } __type(name: "Cluster") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }',
      viewerA,
    );
    expect(deep.errors?.[0]).toMatchObject({
      message: 'query depth 10 exceeds the limit of 8',
      extensions: { code: 'QUERY_TOO_DEEP' },
    });

    const fields = 'nodes { id name status lastSeenAt agentVersion desiredVersion appliedVersion createdAt }';
    const costly = await graphql(
      controller,
      `{ a: clusters(first: 100) { ${fields} } b: clusters(first: 100) { ${fields} } }`,
      viewerA,
    );
    expect(costly.errors?.[0]?.message).toMatch(/^query cost \d+ exceeds the limit of 1000/);

    const aliases = Array.from(
      { length: 50 },
      (_, index) => `c${index}: clusters(first: 1) { nodes { id } }`,
    ).join(' ');
    const aliased = await graphql(controller, `{ ${aliases} }`, viewerA);
    expect(aliased.errors?.[0]).toMatchObject({
      message: 'query uses 50 aliases, more than the limit of 30',
      extensions: { code: 'TOO_MANY_ALIASES' },
    });

    const tooMany = await graphql(controller, '{ globalNamespaces(first: 1000) { nodes { id } } }', viewerA);
    expect(tooMany.errors?.[0]).toMatchObject({
      message: 'first: must be between 1 and 100, got 1000',
      extensions: { code: 'VALIDATION' },
    });
  });

  it('serves exactly the committed schema (apps/controller/schema.gql), descriptions included', async () => {
    const result = await graphql(
      controller,
      getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }),
      viewerA,
    );
    expect(result.errors).toBeUndefined();
    // Printed and parsed again, so both sides carry directives (@specifiedBy) the same way.
    const served = buildSchema(printSchema(buildClientSchema(result.data as unknown as IntrospectionQuery)));
    const committed = buildSchema(
      readFileSync(path.join(__dirname, '../apps/controller/schema.gql'), 'utf8'),
    );
    const changes = await diff(committed, served);
    expect(changes.map((change) => `${change.path ?? ''}: ${change.message}`)).toEqual([]);
  });

  it('allows or refuses introspection as LATTICE_GRAPHQL_INTROSPECTION says', async () => {
    const introspect = '{ __schema { queryType { name } } }';
    expect((await graphql(controller, introspect, viewerA)).data).toEqual({
      __schema: { queryType: { name: 'Query' } },
    });
    const closed = new ControllerProcess({
      databaseUrl: database.url,
      redisPrefix: controller.redisPrefix,
      operatorToken: controller.operatorToken,
      masterKey: controller.masterKey,
      env: { LATTICE_GRAPHQL_INTROSPECTION: 'false' },
    });
    await closed.start();
    try {
      const refused = await graphql(closed, introspect, viewerA);
      expect(refused.errors?.[0]?.message).toMatch(/introspection is not allowed/i);
      // Ordinary queries still work there.
      expect((await graphql(closed, '{ clusters { nodes { name } } }', viewerA)).data).toEqual({
        clusters: { nodes: [{ name: 'east' }, { name: 'west' }] },
      });
    } finally {
      await closed.stop();
    }
  });
});
