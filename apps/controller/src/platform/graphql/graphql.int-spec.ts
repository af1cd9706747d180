import { Logger } from '@nestjs/common';
import request from 'supertest';
import { ClustersService } from '../../features/clusters/clusters.service';
import { GraphQLTestApp, type GraphQLResponse } from '../../../../../test/support/graphql-app';
import { seedGlobalNamespace } from '../../../../../test/support/telemetry';

/**
 * The GraphQL wiring in-process: authentication, error shapes, paging arguments, query limits and
 * introspection. What each feature answers is tested next to its resolver.
 */
describe('GraphQL API', () => {
  let harness: GraphQLTestApp;
  let tokenA: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    tokenA = (await harness.seedTenant('tenant-a')).token;
  });

  afterAll(async () => {
    await harness?.close();
  });

  const graphql = (query: string, options?: { token?: string; variables?: Record<string, unknown> }) =>
    harness.graphql(query, options);

  it('refuses a request without a token', async () => {
    const { body } = await graphql('{ clusters { nodes { id } } }');
    expect(body.data).toBeNull();
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(body.errors?.[0]?.extensions).not.toHaveProperty('stacktrace');
  });

  it('refuses invalid arguments with an error naming the argument', async () => {
    const tooMany = await graphql('{ clusters(first: 1000) { nodes { id } } }', { token: tokenA });
    expect(tooMany.body.errors?.[0]).toMatchObject({
      message: 'first: must be between 1 and 100, got 1000',
      extensions: { code: 'VALIDATION', errors: [{ field: 'first' }] },
    });
  });

  it('refuses an over-deep query, a too costly one and one with too many aliases before any resolver runs', async () => {
    const tooDeep = await graphql(
      '{ clusters { nodes { id } } __type(name: "Cluster") { fields { type { ofType { ofType { ofType { ofType { ofType { ofType { name } } } } } } } } } }',
      { token: tokenA },
    );
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.errors?.[0]).toMatchObject({
      message: 'query depth 10 exceeds the limit of 8',
      extensions: { code: 'QUERY_TOO_DEEP' },
    });

    const fields = 'nodes { id name status lastSeenAt agentVersion desiredVersion appliedVersion createdAt }';
    const tooCostly = await graphql(
      `{ a: clusters(first: 100) { ${fields} } b: clusters(first: 100) { ${fields} } }`,
      { token: tokenA },
    );
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

/**
 * GraphQL requests are counted once, by the GraphQL edge before the document is read
 * (test/security/graphql-edge.e2e-spec.ts); the REST throttler, a guard that also runs on every
 * resolver and field resolver, must not count them again.
 */
describe('GraphQL and the REST rate limit', () => {
  let harness: GraphQLTestApp;
  let token: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start({ LATTICE_RATE_LIMIT_PER_MINUTE: 3 });
    const tenant = await harness.seedTenant('tenant-a');
    token = tenant.token;
    for (const name of ['one', 'two', 'three', 'four'])
      await seedGlobalNamespace(harness.sql, tenant.tenantId, name, []);
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('does not charge GraphQL queries, root or field resolvers, to the REST budget', async () => {
    const query = '{ globalNamespaces { nodes { name services { name } } } clusters { nodes { id } } }';
    for (let call = 1; call <= 5; call++) {
      const { body } = await harness.graphql(query, { token });
      expect(body.errors).toBeUndefined();
      expect(body.data?.globalNamespaces).toMatchObject({
        nodes: [{ services: [] }, { services: [] }, { services: [] }, { services: [] }],
      });
    }
    // The REST budget (3) is whole: three calls pass, the fourth is refused.
    for (let call = 1; call <= 3; call++) {
      expect((await harness.rest('get', '/v1/global-namespaces', token)).status).toBe(200);
    }
    expect((await harness.rest('get', '/v1/global-namespaces', token)).status).toBe(429);
  });
});

/**
 * Error formatting: a wrong DateTime is the client's mistake (400 BAD_USER_INPUT, before any
 * resolver), an unexpected failure is an opaque INTERNAL, and every error names the request.
 */
describe('GraphQL errors', () => {
  let harness: GraphQLTestApp;
  let token: string;
  let gnsId: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const tenant = await harness.seedTenant('tenant-a');
    token = tenant.token;
    gnsId = await seedGlobalNamespace(harness.sql, tenant.tenantId, 'shop', []);
  });

  afterAll(async () => {
    await harness?.close();
  });

  async function post(
    query: string,
    variables?: Record<string, unknown>,
    requestId?: string,
  ): Promise<{ status: number; requestIdHeader: string; body: GraphQLResponse }> {
    const call = request(harness.app.getHttpServer())
      .post('/graphql')
      .set('content-type', 'application/json')
      .set('authorization', `Bearer ${token}`);
    if (requestId) call.set('x-request-id', requestId);
    const response = await call.send({ query, variables });
    return {
      status: response.status,
      requestIdHeader: String(response.headers['x-request-id']),
      body: response.body as GraphQLResponse,
    };
  }

  it.each(['123', 'FOO', '[1, 2]', 'true', '{}', '"2026-01-01"', '"not a date"'])(
    'refuses the inline DateTime %s with 400 BAD_USER_INPUT and the request id',
    async (literal) => {
      const { status, requestIdHeader, body } = await post(
        `query($gns: ID!) { serviceMetrics(gnsId: $gns, service: "cart", from: ${literal}, to: "2026-01-01T01:00:00Z", step: 60) { timestamp } }`,
        { gns: gnsId },
      );
      expect(status).toBe(400);
      expect(body.errors).toHaveLength(1);
      expect(body.errors?.[0]?.message).toMatch(/^DateTime must be an RFC 3339 date-time string/);
      expect(body.errors?.[0]?.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: requestIdHeader });
    },
  );

  it.each([123, 'FOO', [1, 2], true, {}, '2026-01-01'])(
    'refuses the DateTime variable %j with 400 BAD_USER_INPUT',
    async (from) => {
      const { status, requestIdHeader, body } = await post(
        'query($gns: ID!, $from: DateTime!) { topology(gnsId: $gns, from: $from, to: "2026-01-01T01:00:00Z") { nodes { id } } }',
        { gns: gnsId, from },
      );
      expect(status).toBe(400);
      expect(body.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        requestId: requestIdHeader,
      });
      expect(body.errors?.[0]?.message).toMatch(/DateTime must be an RFC 3339 date-time string/);
    },
  );

  it("carries the caller's X-Request-Id on a domain error", async () => {
    const { requestIdHeader, body } = await post(
      '{ clusters(first: 1000) { nodes { id } } }',
      undefined,
      'my-req-1',
    );
    expect(requestIdHeader).toBe('my-req-1');
    expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'VALIDATION', requestId: 'my-req-1' });
  });

  it('answers an unexpected resolver failure as INTERNAL with a fixed message and logs the real error', async () => {
    const failure = jest
      .spyOn(ClustersService.prototype, 'list')
      .mockRejectedValue(new TypeError("Cannot read properties of null (reading 'getTime')"));
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const { requestIdHeader, body } = await post('{ clusters { nodes { id } } }');
      expect(body.errors).toEqual([
        expect.objectContaining({
          message: `internal error (request id ${requestIdHeader})`,
          extensions: { code: 'INTERNAL', statusCode: 500, requestId: requestIdHeader },
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('Cannot read properties');
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({ requestId: requestIdHeader, err: expect.any(TypeError) }),
        'unexpected error',
      );
    } finally {
      failure.mockRestore();
      logged.mockRestore();
    }
  });
});
