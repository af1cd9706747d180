import { randomUUID } from 'node:crypto';
import type { ServiceError } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { createCsr } from '@lattice/pki';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { agentClient } from '../support/grpc-agent-client';
import { createCluster, createTenant, type TestTenant } from '../support/tenants';

/**
 * Issue 17, finding 5 (errors) and the request id of finding 11, replayed against the real
 * controller: the GraphQL fuzz cases that answered 500 INTERNAL (an inline DateTime of the wrong
 * type reached the resolvers as null; Slo.history leaked "Cannot read properties of null (reading
 * 'getTime')") now answer 400 BAD_USER_INPUT; no error carries a raw JavaScript message; every
 * error names the request id of the X-Request-Id header; audit events record the request that made
 * the change; a gRPC refusal carries a request id.
 */

const WRONG_LITERALS = [
  '123',
  'FOO',
  '[1, 2]',
  'true',
  '{}',
  '1.5',
  '""',
  '"2026-01-01"',
  '"yesterday"',
  'null',
];
const WRONG_VARIABLES: unknown[] = [123, 'FOO', [1, 2], true, {}, 1.5, '', '2026-01-01', 'yesterday'];
const TO = '"2026-01-01T01:00:00Z"';
const RAW_JS_MESSAGE =
  /Cannot read properties|is not a function|undefined|TypeError|ReferenceError|at \w+ \(/;

interface GraphQLBody {
  data?: unknown;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

describe('security: GraphQL errors and request ids', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let gnsId: string;
  const absentId = randomUUID();
  /** Every GraphQL error message answered in this file. */
  const messages: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_RATE_LIMIT_PER_MINUTE: '1000000' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'errors');
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    expect(gns.status).toBe(201);
    gnsId = (gns.json as { id: string }).id;
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  async function graphql(query: string, variables?: Record<string, unknown>, requestId?: string) {
    const response = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: { query, variables },
      ...(requestId ? { headers: { 'x-request-id': requestId } } : {}),
    });
    const body = response.json as GraphQLBody;
    messages.push(...(body.errors ?? []).map((error) => error.message));
    return { status: response.status, requestIdHeader: response.headers.get('x-request-id'), body };
  }

  /** Each DateTime argument of the schema, with `FROM` where the value under test goes. */
  const operations: Record<string, string> = {
    serviceMetrics: `{ serviceMetrics(gnsId: "GNS", service: "cart", from: FROM, to: ${TO}, step: 300) { timestamp } }`,
    topology: `{ topology(gnsId: "GNS", from: FROM, to: ${TO}) { nodes { id } } }`,
    topServices: `{ topServices(gnsId: "GNS", from: FROM, to: ${TO}, by: ERROR_RATE) { service } }`,
    'Slo.history': `{ slo(id: "${absentId}") { id history(from: FROM, to: ${TO}, step: 300) { timestamp } } }`,
  };

  it('refuses every wrong inline DateTime literal with 400 BAD_USER_INPUT, never a 500', async () => {
    const answers: string[] = [];
    for (const [operation, template] of Object.entries(operations)) {
      for (const literal of WRONG_LITERALS) {
        const query = template.replace('GNS', gnsId).replace('FROM', literal);
        const { status, requestIdHeader, body } = await graphql(query);
        const error = body.errors?.[0];
        answers.push(
          `${operation} ${literal}: ${status} ${String(error?.extensions?.code)} ` +
            `${error?.extensions?.requestId === requestIdHeader && requestIdHeader ? 'id' : 'NO-ID'} ` +
            `${/^DateTime must be an RFC 3339 date-time string/.test(error?.message ?? '') ? 'named' : `"${error?.message}"`}`,
        );
      }
    }
    expect(answers).toEqual(
      Object.keys(operations).flatMap((operation) =>
        WRONG_LITERALS.map((literal) =>
          // `null` for a non-null argument is graphql-js's own refusal (also a 400).
          literal === 'null'
            ? `${operation} ${literal}: 400 GRAPHQL_VALIDATION_FAILED id "Expected value of type "DateTime!", found null."`
            : `${operation} ${literal}: 400 BAD_USER_INPUT id named`,
        ),
      ),
    );
  });

  it('refuses every wrong DateTime variable with 400 BAD_USER_INPUT', async () => {
    const answers: string[] = [];
    for (const value of WRONG_VARIABLES) {
      const { status, requestIdHeader, body } = await graphql(
        `query($gns: ID!, $from: DateTime!) { topology(gnsId: $gns, from: $from, to: ${TO}) { nodes { id } } }`,
        { gns: gnsId, from: value },
      );
      const error = body.errors?.[0];
      answers.push(
        `${JSON.stringify(value)}: ${status} ${String(error?.extensions?.code)} ${error?.extensions?.requestId === requestIdHeader ? 'id' : 'NO-ID'}`,
      );
    }
    expect(answers).toEqual(
      WRONG_VARIABLES.map((value) => `${JSON.stringify(value)}: 400 BAD_USER_INPUT id`),
    );
  });

  it('still answers a correct DateTime', async () => {
    const { status, body } = await graphql(
      `{ topology(gnsId: "${gnsId}", from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00+00:00") { nodes { id } } }`,
    );
    expect(status).toBe(200);
    expect(body).toEqual({ data: { topology: { nodes: [] } } });
  });

  it("names the request in every GraphQL error, the caller's X-Request-Id when it sent one", async () => {
    const notFound = await graphql(`{ slo(id: "${absentId}") { id } }`, undefined, 'caller-req-17');
    expect(notFound.requestIdHeader).toBe('caller-req-17');
    expect(notFound.body.errors?.[0]?.extensions).toMatchObject({
      code: 'NOT_FOUND',
      requestId: 'caller-req-17',
    });
    const unauthenticated = await controller.request('POST', '/graphql', {
      body: { query: '{ clusters { nodes { id } } }' },
    });
    const error = (unauthenticated.json as GraphQLBody).errors?.[0];
    expect(error?.extensions).toMatchObject({
      code: 'UNAUTHENTICATED',
      requestId: unauthenticated.headers.get('x-request-id'),
    });
    expect(error?.extensions?.requestId).toMatch(/^[\w-]{8,}$/);
  });

  it('left no raw JavaScript message in any answer or TypeError in the log', () => {
    expect(messages.length).toBeGreaterThan(40);
    expect(messages.filter((message) => RAW_JS_MESSAGE.test(message))).toEqual([]);
    expect(controller.logs).not.toMatch(/Cannot read properties of null/);
  });

  it('names the request in REST errors too', async () => {
    const response = await controller.request('GET', `/v1/slos/${absentId}`, {
      token: tenant.adminToken,
      headers: { 'x-request-id': 'rest-req-17' },
    });
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ error: 'NOT_FOUND', requestId: 'rest-req-17' });
    expect(response.headers.get('x-request-id')).toBe('rest-req-17');
  });

  it('records the request id of the REST or GraphQL request that made a change in its audit event', async () => {
    const cluster = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'east', eastWestAddress: '10.0.0.1' },
      headers: { 'x-request-id': 'audit-rest-17' },
    });
    expect(cluster.status).toBe(201);
    const clusterId = (cluster.json as { cluster: { id: string } }).cluster.id;
    const policy = await graphql(
      `
        mutation ($gns: ID!) {
          setSecurityPolicy(gnsId: $gns, spec: { defaultAction: "ALLOW" }) {
            version
          }
        }
      `,
      { gns: gnsId },
      'audit-graphql-17',
    );
    expect(policy.body.errors).toBeUndefined();
    const events = await controller.request('GET', '/v1/audit-events?limit=100', {
      token: tenant.adminToken,
    });
    expect(events.status).toBe(200);
    const items = events.json.items as {
      action: string;
      resourceType: string;
      resourceId: string;
      requestId: string | null;
    }[];
    expect(items.find((event) => event.resourceId === clusterId)?.requestId).toBe('audit-rest-17');
    expect(items.find((event) => event.resourceType.includes('policy'))?.requestId).toBe('audit-graphql-17');
    // Every event made through the API names its request (GNS creation included).
    expect(items.filter((event) => !event.requestId)).toEqual([]);
  });

  it('answers a refused gRPC call with a request id in the x-request-id trailer, logged with the refusal', async () => {
    const registered = await createCluster(controller, tenant.adminToken, 'west', '10.0.0.2');
    const client = agentClient(controller.grpcAddress, registered.controllerCaPem);
    const { csrPem } = await createCsr({ commonName: 'west', rsaBits: 2048 });
    const error = await new Promise<ServiceError>((resolve, reject) =>
      client.Register(
        { bootstrapToken: 'lbt_not-a-real-token', clusterName: 'west', csrPem, agentVersion: 'test' },
        (failure) => (failure ? resolve(failure) : reject(new Error('a fake bootstrap token was accepted'))),
      ),
    );
    client.close();
    expect(error.code).not.toBe(GrpcStatus.INTERNAL);
    const [requestId] = error.metadata.get('x-request-id');
    expect(String(requestId)).toMatch(/^[0-9a-f-]{36}$/);
    // The log line and the gRPC answer travel on different pipes: wait for the line to arrive.
    const logged = `request id ${String(requestId)}`;
    for (const deadline = Date.now() + 10_000; !controller.logs.includes(logged) && Date.now() < deadline;)
      await new Promise((resolve) => setTimeout(resolve, 50));
    expect(controller.logs).toContain(logged);
  });
});
