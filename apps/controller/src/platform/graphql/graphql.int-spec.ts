import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Client } from 'pg';
import request from 'supertest';
import { floorHour } from '@lattice/domain';
import { AppModule } from '../../app.module';
import { issueToken } from '../../features/auth/token-format.util';
import { createTestDatabase, type TestDatabase } from '../../../../../test/support/database';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { HOUR, MINUTE, seedCluster, seedGlobalNamespace, seedMinuteRows } from '../../../../../test/support/telemetry';

interface GraphQLResponse {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/** The GraphQL endpoint in-process: auth, tenant scoping, limits and error shapes. */
describe('GraphQL API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  let tokenA: string;
  let tokenB: string;
  let gnsA: string;
  const base = floorHour(Date.now()) - 2 * HOUR;

  const graphql = async (query: string, options: { token?: string; variables?: Record<string, unknown> } = {}) => {
    const call = request(app.getHttpServer()).post('/graphql').set('content-type', 'application/json');
    if (options.token) call.set('authorization', `Bearer ${options.token}`);
    const response = await call.send({ query, variables: options.variables });
    return { status: response.status, body: response.body as GraphQLResponse };
  };

  const seedTenant = async (name: string) => {
    const tenantId: string = (await sql.query(`INSERT INTO tenants (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`, [name])).rows[0].id;
    const issued = issueToken();
    await sql.query(`INSERT INTO api_tokens (id, tenant_id, name, prefix, hash, role) VALUES (gen_random_uuid(), $1, 'viewer', $2, $3, 'VIEWER')`, [
      tenantId,
      issued.prefix,
      issued.hash,
    ]);
    return { tenantId, token: issued.token };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(testRuntimeConfig(database.url))] }).compile();
    app = moduleRef.createNestApplication();
    await app.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    const a = await seedTenant('tenant-a');
    const b = await seedTenant('tenant-b');
    tokenA = a.token;
    tokenB = b.token;
    const now = new Date();
    const east = await seedCluster(sql, a.tenantId, 'east', { firstConnectedAt: now, connectionId: 'replica-1', lastSeenAt: now, agentVersion: '1.2.3' });
    await seedCluster(sql, a.tenantId, 'west');
    await seedCluster(sql, b.tenantId, 'b-only', { firstConnectedAt: new Date(now.getTime() - HOUR), lastSeenAt: new Date(now.getTime() - HOUR) });
    gnsA = await seedGlobalNamespace(sql, a.tenantId, 'shop', [{ cluster: 'east', namespace: 'shop' }]);
    await seedMinuteRows(
      sql,
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
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  it('refuses a request without a token', async () => {
    const { body } = await graphql('{ clusters { nodes { id } } }');
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');
  });

  it('lists the caller tenant clusters with their derived status', async () => {
    const { body } = await graphql('{ clusters(first: 10) { nodes { name status agentVersion desiredVersion appliedVersion lastNack { version } } pageInfo { hasNextPage } } }', {
      token: tokenA,
    });
    expect(body.errors).toBeUndefined();
    expect(body.data?.clusters).toEqual({
      nodes: [
        { name: 'east', status: 'CONNECTED', agentVersion: '1.2.3', desiredVersion: 3, appliedVersion: 2, lastNack: null },
        { name: 'west', status: 'PENDING', agentVersion: null, desiredVersion: 3, appliedVersion: 2, lastNack: null },
      ],
      pageInfo: { hasNextPage: false },
    });
    const ofB = await graphql('{ clusters { nodes { name status } } }', { token: tokenB });
    expect(ofB.body.data?.clusters).toEqual({ nodes: [{ name: 'b-only', status: 'DISCONNECTED' }] });
  });

  it('pages with first and after', async () => {
    const first = await graphql('{ clusters(first: 1) { nodes { name } pageInfo { endCursor hasNextPage } } }', { token: tokenA });
    const page = first.body.data?.clusters as { pageInfo: { endCursor: string; hasNextPage: boolean } };
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await graphql('query($after: String) { clusters(first: 1, after: $after) { nodes { name } } }', {
      token: tokenA,
      variables: { after: page.pageInfo.endCursor },
    });
    expect(second.body.data?.clusters).toEqual({ nodes: [{ name: 'west' }] });
  });

  it('shows a Global Namespace only to its tenant', async () => {
    const query = 'query($id: ID!) { globalNamespace(id: $id) { name domain matchConditions { cluster { type value } } } }';
    const own = await graphql(query, { token: tokenA, variables: { id: gnsA } });
    expect(own.body.data?.globalNamespace).toEqual({ name: 'shop', domain: 'shop.lattice.local', matchConditions: [{ cluster: { type: 'EXACT', value: 'east' } }] });
    const foreign = await graphql(query, { token: tokenB, variables: { id: gnsA } });
    expect(foreign.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const list = await graphql('{ globalNamespaces { nodes { id } } }', { token: tokenB });
    expect(list.body.data?.globalNamespaces).toEqual({ nodes: [] });
  });

  it('answers serviceMetrics', async () => {
    const { body } = await graphql(
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 300) { timestamp requestRate errorRate p50 p99 } }',
      { token: tokenA, variables: { gns: gnsA, from: new Date(base).toISOString(), to: new Date(base + 10 * MINUTE).toISOString() } },
    );
    expect(body.errors).toBeUndefined();
    const points = body.data?.serviceMetrics as { timestamp: string; requestRate: number; errorRate: number | null; p50: number; p99: number }[];
    expect(points.map((point) => point.timestamp)).toEqual([new Date(base).toISOString(), new Date(base + 5 * MINUTE).toISOString()]);
    expect(points[0]?.requestRate).toBeCloseTo(600 / 300, 9);
    expect(points[0]?.errorRate).toBeCloseTo(0.05, 9);
    expect(Math.abs((points[0]?.p50 ?? 0) - 20)).toBeLessThanOrEqual(0.2);
    expect(points[1]).toMatchObject({ requestRate: 0, errorRate: null, p99: null });
  });

  it('refuses invalid arguments with an error naming the argument', async () => {
    const tooMany = await graphql('{ clusters(first: 1000) { nodes { id } } }', { token: tokenA });
    expect(tooMany.body.errors?.[0]).toMatchObject({
      message: 'first: must be between 1 and 100, got 1000',
      extensions: { code: 'VALIDATION', errors: [{ field: 'first' }] },
    });
    const badStep = await graphql(
      `{ serviceMetrics(gnsId: "${gnsA}", service: "cart", from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", step: 90) { timestamp } }`,
      { token: tokenA },
    );
    expect(badStep.body.errors?.[0]?.message).toMatch(/^step: must be a whole number of minutes/);
  });

  it('refuses an over-deep query, a too costly one and one with too many aliases before any resolver runs', async () => {
    const tooDeep = await graphql(
      '{ clusters { nodes { id } } __type(name: "Cluster") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }',
      { token: tokenA },
    );
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]).toMatchObject({ message: 'query depth 10 exceeds the limit of 8', extensions: { code: 'QUERY_TOO_DEEP' } });

    const fields = 'nodes { id name status lastSeenAt agentVersion desiredVersion appliedVersion createdAt }';
    const tooCostly = await graphql(`{ a: clusters(first: 100) { ${fields} } b: clusters(first: 100) { ${fields} } }`, { token: tokenA });
    expect(tooCostly.body.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(tooCostly.body.errors?.[0]?.message).toMatch(/^query cost \d+ exceeds the limit of 1000/);

    const aliases = Array.from({ length: 50 }, (_, index) => `a${index}: __typename`).join(' ');
    const tooManyAliases = await graphql(`{ ${aliases} }`, { token: tokenA });
    expect(tooManyAliases.body.errors?.[0]).toMatchObject({
      message: 'query uses 50 aliases, more than the limit of 30',
      extensions: { code: 'TOO_MANY_ALIASES' },
    });
    expect(tooManyAliases.body.data).toBeUndefined();
  });

  it('allows the standard introspection query (introspection is on by default)', async () => {
    const { getIntrospectionQuery } = await import('graphql');
    const { body } = await graphql(getIntrospectionQuery(), { token: tokenA });
    expect(body.errors).toBeUndefined();
    expect(body.data).toHaveProperty('__schema');
  });
});
