import { randomBytes } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { agentClient } from '../support/grpc-agent-client';
import { createCluster, createTenant, createToken, type TestTenant } from '../support/tenants';

/**
 * Replays issue 17 finding #4: the per-token limit bypassed by spelling variants of the
 * Authorization header, fake tokens never limited (each a database lookup), gRPC Register
 * unlimited. Small limits keep the test fast; every loop is bounded.
 */
const LIMITS = {
  LATTICE_RATE_LIMIT_PER_MINUTE: '10',
  LATTICE_AUTH_FAILURES_PER_MINUTE: '20',
  LATTICE_AUTH_NEGATIVE_CACHE_SECONDS: '60',
  LATTICE_REGISTER_PER_MINUTE_PER_PEER: '30',
  LATTICE_REGISTER_PER_MINUTE_PER_CLUSTER: '3',
  // Requests name their client with X-Forwarded-For from loopback, so one test process can be
  // several clients (and proves the setting is applied).
  LATTICE_TRUST_PROXY: 'loopback',
  // The debug line "API token lookup" is the evidence of each database lookup.
  LOG_LEVEL: 'debug',
};

const fakeToken = () => `lat_${randomBytes(4).toString('hex')}_${randomBytes(24).toString('base64url')}`;

describe('security: rate limits (issue 17 #4)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let caPem: string;
  const lookups = () => controller.logs.split('"API token lookup"').length - 1;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url, env: LIMITS });
    await controller.start();
    tenant = await createTenant(controller, 'limits');
    caPem = (await createCluster(controller, tenant.adminToken, 'alpha', '10.0.0.1')).controllerCaPem;
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  it('counts every spelling of one token against one budget (the token id, not the header)', async () => {
    const { token } = await createToken(controller, tenant, 'viewer');
    const as = (authorization: string, client = '192.0.2.10') =>
      controller.request('GET', '/v1/tenant', {
        headers: { authorization, 'x-forwarded-for': client },
      });

    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await as(`Bearer ${token}`)).status);
    expect(statuses).toEqual([...Array(10).fill(200), 429]);

    for (const variant of [`bearer ${token}`, `BEARER ${token}`, `Bearer  ${token}`, `bEaReR   ${token}`]) {
      for (let i = 0; i < 5; i++) {
        const response = await as(variant, `192.0.2.${11 + i}`);
        expect({ variant, status: response.status }).toEqual({ variant, status: 429 });
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
    }
    // A tab is not the 1*SP RFC 9110 allows: refused with a message that says so.
    const tab = await as(`Bearer\t${token}`);
    expect(tab.status).toBe(401);
    expect(tab.json.message).toContain('separate the scheme and the token with spaces, not tabs');
    // Another token keeps its own budget.
    expect((await as(`Bearer ${tenant.adminToken}`)).status).toBe(200);
  });

  it('answers a flood of 700 fake tokens with 429 after the per-IP budget, with bounded database lookups', async () => {
    const attacker = '198.51.100.7';
    const before = lookups();
    const statuses: number[] = [];
    let retryAfter = 0;
    const BATCH = 10;
    for (let sent = 0; sent < 700; sent += BATCH) {
      const responses = await Promise.all(
        Array.from({ length: BATCH }, () =>
          controller.request('GET', '/v1/tenant', {
            headers: { authorization: `Bearer ${fakeToken()}`, 'x-forwarded-for': attacker },
          }),
        ),
      );
      for (const response of responses) {
        statuses.push(response.status);
        if (response.status === 429) {
          retryAfter = Number(response.headers.get('retry-after'));
          expect(response.json.message).toMatch(/too many requests with missing or invalid credentials/);
        }
      }
    }
    const unauthorized = statuses.filter((s) => s === 401).length;
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
    // 20 failures per minute, plus at most one batch racing past the check.
    expect(unauthorized).toBeGreaterThanOrEqual(20);
    expect(unauthorized).toBeLessThanOrEqual(20 + BATCH);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(700 - 20 - BATCH);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    // Only the requests that got a 401 cost a lookup; the 429s never reached the database.
    expect(lookups() - before).toBeLessThanOrEqual(unauthorized);
    expect(lookups() - before).toBeLessThanOrEqual(20 + BATCH);

    // Missing credentials count too; other clients are not affected.
    expect(
      (await controller.request('GET', '/v1/tenant', { headers: { 'x-forwarded-for': attacker } })).status,
    ).toBe(429);
    const bystander = await controller.request('GET', '/v1/tenant', {
      headers: { authorization: `Bearer ${tenant.adminToken}`, 'x-forwarded-for': '203.0.113.9' },
    });
    expect(bystander.status).toBe(200);
  });

  it('remembers a refused token for a while: repeating it costs one database lookup', async () => {
    const token = fakeToken();
    const before = lookups();
    for (let i = 0; i < 5; i++) {
      const response = await controller.request('GET', '/v1/tenant', {
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '203.0.113.50' },
      });
      expect(response.status).toBe(401);
      expect(response.json.message).toBe('the API token is unknown, revoked or expired');
    }
    expect(lookups() - before).toBe(1);
  });

  describe('gRPC Register', () => {
    const register = (client: ReturnType<typeof agentClient>, clusterName: string) =>
      new Promise<grpc.ServiceError | undefined>((resolve) =>
        client.Register(
          {
            bootstrapToken: `lbt_${randomBytes(16).toString('hex')}`,
            clusterName,
            csrPem: 'x',
            agentVersion: 'test',
          },
          (error) => resolve(error ?? undefined),
        ),
      );
    let client: ReturnType<typeof agentClient>;

    beforeAll(() => {
      client = agentClient(controller.grpcAddress, caPem);
    });
    afterAll(() => client?.close());

    it('limits Register per cluster name, answering RESOURCE_EXHAUSTED with a retry hint', async () => {
      const errors: (grpc.ServiceError | undefined)[] = [];
      for (let i = 0; i < 5; i++) errors.push(await register(client, 'beta'));
      const codes = errors.map((e) => e?.code);
      expect(codes.slice(0, 3).every((code) => code !== grpc.status.RESOURCE_EXHAUSTED)).toBe(true);
      expect(codes.slice(3)).toEqual([grpc.status.RESOURCE_EXHAUSTED, grpc.status.RESOURCE_EXHAUSTED]);
      expect(errors[3]!.details).toMatch(/^too many Register calls for this cluster name; retry in \d+ s$/);
      expect(Number(errors[3]!.metadata.get('retry-after')[0])).toBeGreaterThan(0);
      // Another name is still looked at (and refused for its guessed token, not for the limit).
      expect((await register(client, 'gamma'))?.code).not.toBe(grpc.status.RESOURCE_EXHAUSTED);
    });

    it('limits a flood of 300 guessed tokens per peer address', async () => {
      // 6 calls of the previous test already counted against this peer's 30.
      const errors = await Promise.all(Array.from({ length: 300 }, (_, i) => register(client, `flood-${i}`)));
      const exhausted = errors.filter((e) => e?.code === grpc.status.RESOURCE_EXHAUSTED);
      expect(exhausted).toHaveLength(300 - 24);
      expect(exhausted[0]!.details).toMatch(/^too many Register calls from this address; retry in \d+ s$/);
      expect(errors.filter((e) => e === undefined)).toEqual([]);
    });
  });
});
