import { randomUUID } from 'node:crypto';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, createToken } from '../support/tenants';

const RATE_LIMIT = 100;

/**
 * Replays issue 17 findings 1 and 6 against the real controller: /graphql authenticates,
 * rate-limits and bounds a document before Apollo parses it; time series are priced by points.
 */
describe('GraphQL edge (security e2e)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let viewer: string;
  let rateLimited: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: {
        LATTICE_RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
        LATTICE_AUTH_FAILURES_PER_MINUTE: String(RATE_LIMIT),
      },
    });
    await controller.start();
    const tenant = await createTenant(controller, 'edge');
    viewer = (await createToken(controller, tenant, 'viewer')).token;
    rateLimited = (await createToken(controller, tenant, 'viewer')).token;
  }, 120_000);

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  const manyOperations = (count: number) =>
    Array.from({ length: count }, (_, index) => `query q${index} { __typename }`).join('\n');

  it('refuses a huge many-operation document without a token, before parsing it (401)', async () => {
    const document = manyOperations(28_000).slice(0, 60_000);
    const started = Date.now();
    const response = await controller.request('POST', '/graphql', { body: { query: document } });
    expect(response.status).toBe(401);
    expect(response.json).toMatchObject({ error: 'UNAUTHENTICATED', statusCode: 401 });
    expect(typeof response.json.requestId).toBe('string');
    // Also a GraphQL response, for GraphQL clients.
    expect(response.json).toMatchObject({
      data: null,
      errors: [{ extensions: { code: 'UNAUTHENTICATED', requestId: response.json.requestId } }],
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('refuses a body over the GraphQL byte limit with 413, even with a token', async () => {
    const document = manyOperations(28_000); // ~754 KB, like the review's
    const response = await controller.request('POST', '/graphql', {
      token: viewer,
      body: { query: document },
    });
    expect(response.status).toBe(413);
    expect(response.json).toMatchObject({ error: 'PAYLOAD_TOO_LARGE' });
    expect(String(response.json.message)).toMatch(/65536 bytes/);
  });

  it('refuses documents over the token and operation limits, and batches, with 400', async () => {
    const tokens = await controller.request('POST', '/graphql', {
      token: viewer,
      body: { query: `{ ${'a '.repeat(6_000)}}` },
    });
    expect(tokens.status).toBe(400);
    expect(String(tokens.json.message)).toMatch(/more than 5000 tokens/);

    const operations = await controller.request('POST', '/graphql', {
      token: viewer,
      body: { query: manyOperations(11), operationName: 'q0' },
    });
    expect(operations.status).toBe(400);
    expect(String(operations.json.message)).toMatch(/11 operations; at most 10/);

    const batch = await controller.request('POST', '/graphql', {
      token: viewer,
      body: [{ query: '{ __typename }' }, { query: '{ __typename }' }],
    });
    expect(batch.status).toBe(400);
    expect(String(batch.json.message)).toMatch(/batched requests are not supported/);

    const get = await controller.request('GET', `/graphql?query=${encodeURIComponent(manyOperations(11))}`, {
      token: viewer,
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
  });

  it('still answers an ordinary query', async () => {
    const response = await controller.request('POST', '/graphql', {
      token: viewer,
      body: { query: '{ __typename }' },
    });
    expect(response.status).toBe(200);
    expect(response.json).toEqual({ data: { __typename: 'Query' } });
  });

  it("prices Slo.history by its points: a viewer's 12 x history at 1,440 points is refused, a dashboard passes", async () => {
    const history = (alias: string) =>
      `${alias}: slo(id: "${randomUUID()}") { history(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", step: 60) { timestamp sli budgetRemainingFraction } }`;
    const twelve = await controller.request('POST', '/graphql', {
      token: viewer,
      body: { query: `{ ${Array.from({ length: 12 }, (_, i) => history(`h${i}`)).join(' ')} }` },
    });
    const errors = (twelve.json as { errors?: { message: string; extensions?: { code?: string } }[] }).errors;
    expect(errors?.[0]?.extensions?.code).toBe('QUERY_TOO_COMPLEX');
    expect(errors?.[0]?.message).toMatch(/query cost \d+ exceeds the limit of 1000/);

    const dashboard = await controller.request('POST', '/graphql', {
      token: viewer,
      body: {
        query: `{ a: slo(id: "${randomUUID()}") { history(from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z", step: 300) { timestamp sli budgetRemainingFraction } } }`,
      },
    });
    const dashboardErrors = (dashboard.json as { errors?: { extensions?: { code?: string } }[] }).errors;
    // The SLO does not exist; what matters is that the cost model let the query through.
    expect(dashboardErrors?.map((error) => error.extensions?.code)).not.toContain('QUERY_TOO_COMPLEX');
  });

  it('rate-limits before parsing: unauthenticated floods and one token past its budget get 429', async () => {
    const statuses: number[] = [];
    for (let index = 0; index < RATE_LIMIT + 20; index++) {
      const response = await controller.request('POST', '/graphql', {
        token: index % 2 ? `lat_fake${index}` : undefined,
        body: { query: '{ __typename }' },
      });
      statuses.push(response.status);
    }
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((status) => status !== 401 && status !== 429)).toEqual([]);

    const answers: number[] = [];
    let retryAfter: string | null = null;
    for (let index = 0; index < RATE_LIMIT + 5; index++) {
      const response = await controller.request('POST', '/graphql', {
        token: rateLimited,
        body: { query: '{ __typename }' },
      });
      answers.push(response.status);
      if (response.status === 429) retryAfter = response.headers.get('retry-after');
    }
    expect(answers.filter((status) => status === 429).length).toBeGreaterThanOrEqual(5);
    expect(Number(retryAfter)).toBeGreaterThan(0);
  });
});
