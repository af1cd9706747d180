import http from 'node:http';
import net from 'node:net';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, createToken, type TestTenant } from '../support/tenants';

const LIMIT = 5;
const CONNECTIONS_PER_SECOND = 50;
const QUERY = JSON.stringify({ query: '{ __typename }' });

/**
 * Issue 17 #1, the abuse target: a caller the controller already found over budget is shed by
 * the HTTP server itself (before Express, without reading the body), and only that caller.
 * Clients are told apart by their loopback source address (127.0.0.2, .3, .4 — Linux routes all
 * of 127/8 to lo), as the per-address limits see them in production (`trust proxy` off).
 */
describe('security: shedding abusive clients at the HTTP server (issue 17 #1)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let port: number;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: {
        LATTICE_RATE_LIMIT_PER_MINUTE: String(LIMIT),
        LATTICE_AUTH_FAILURES_PER_MINUTE: String(LIMIT),
        LATTICE_CONNECTIONS_PER_SECOND_PER_IP: String(CONNECTIONS_PER_SECOND),
      },
    });
    await controller.start();
    tenant = await createTenant(controller, 'shed');
    port = Number(new URL(controller.baseUrl).port);
  }, 120_000);

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  /** One request on its own connection from `localAddress`. */
  const post = (localAddress: string, token?: string, body = QUERY) =>
    new Promise<{ status: number; headers: http.IncomingHttpHeaders; json: Record<string, unknown> }>(
      (resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port,
            path: '/graphql',
            method: 'POST',
            localAddress,
            agent: false,
            headers: {
              'content-type': 'application/json',
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () =>
              resolve({ status: response.statusCode!, headers: response.headers, json: JSON.parse(text) }),
            );
          },
        );
        request.on('error', reject);
        request.end(body);
      },
    );

  /**
   * Declares a body (60 KB: under the GraphQL byte limit) but sends none of it, then waits: a server
   * that reads bodies would wait for it; a shedding one answers and closes at once.
   */
  const declareHugeBody = (localAddress: string, token?: string, length = 60_000) =>
    new Promise<{ head: string; closedAfterMs: number }>((resolve, reject) => {
      const started = Date.now();
      const socket = net.connect({ host: '127.0.0.1', port, localAddress });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('error', reject);
      const waited = setTimeout(() => socket.destroy(new Error('the server waited for the body')), 5_000);
      socket.on('close', () => {
        clearTimeout(waited);
        resolve({ head: text, closedAfterMs: Date.now() - started });
      });
      socket.write(
        [
          'POST /graphql HTTP/1.1',
          'Host: 127.0.0.1',
          'Content-Type: application/json',
          `Content-Length: ${length}`,
          ...(token ? [`Authorization: Bearer ${token}`] : []),
          '',
          '',
        ].join('\r\n'),
      );
    });

  const shedCount = async (reason: string): Promise<number> => {
    const text = await (await fetch(controller.metricsUrl)).text();
    const match = new RegExp(`^lattice_http_shed_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
    return match ? Number(match[1]) : 0;
  };

  it('sheds a credential over its budget before Express, without reading its body', async () => {
    const { token } = await createToken(controller, tenant, 'viewer');
    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await post('127.0.0.2', token)).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(200), 429]);

    const before = await shedCount('credential');
    const answer = await declareHugeBody('127.0.0.2', token);
    expect(answer.head).toMatch(/^HTTP\/1\.1 429 /);
    expect(answer.head).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer.head).toMatch(/\r\nretry-after: \d+\r\n/i);
    expect(answer.head).toMatch(/\r\nx-request-id: [\w-]+\r\n/i);
    expect(answer.head).toMatch(/"error":"RATE_LIMITED"/);
    expect(answer.closedAfterMs).toBeLessThan(2_000);
    expect(await shedCount('credential')).toBe(before + 1);

    // Every spelling of the token is the same credential.
    const lower = await new Promise<string>((resolve) => {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2' });
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\nAuthorization: bEaReR   ${token}\r\n\r\n`,
      );
    });
    expect(lower).toMatch(/^HTTP\/1\.1 429 /);
  });

  it('does not slow or refuse other credentials from the same address', async () => {
    const { token } = await createToken(controller, tenant, 'viewer');
    const answer = await post('127.0.0.2', token);
    expect(answer.status).toBe(200);
    expect(answer.json).toMatchObject({ data: { __typename: 'Query' } });
  });

  it('sheds an address over its failed-authentication budget, made-up tokens from it too, but not tokens in use', async () => {
    // A user behind the same address whose token is in use (it authenticated before the block).
    const { token } = await createToken(controller, tenant, 'viewer');
    expect((await post('127.0.0.3', token)).status).toBe(200);

    const statuses: number[] = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push((await post('127.0.0.3')).status);
    expect(statuses).toEqual([...Array(LIMIT).fill(401), 429]);

    const before = await shedCount('address');
    const shed = await declareHugeBody('127.0.0.3');
    expect(shed.head).toMatch(/^HTTP\/1\.1 429 /);
    expect(shed.head).toMatch(/without a valid credential from this address/);
    // Made-up tokens from the blocked address are refused without a lookup.
    const fake = await post('127.0.0.3', `lat_00000000_${'A'.repeat(32)}`);
    expect(fake.status).toBe(429);
    expect(await shedCount('address')).toBe(before + 2);

    // The token in use is still served from that address.
    expect((await post('127.0.0.3', token)).status).toBe(200);
    // Another address without a token is told what is wrong, not rate limited.
    const other = await post('127.0.0.5');
    expect(other.status).toBe(401);
    expect(other.json).toMatchObject({ error: 'UNAUTHENTICATED' });
  });

  it('refuses a declared body over the GraphQL byte limit with 413 before authenticating or reading it', async () => {
    const before = await shedCount('too-large');
    const answer = await declareHugeBody('127.0.0.6', undefined, 1_000_000);
    expect(answer.head).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer.head).toMatch(/\r\nconnection: close\r\n/i);
    expect(answer.head).toMatch(/"error":"PAYLOAD_TOO_LARGE"/);
    expect(answer.head).toMatch(/limited to 65536 bytes/);
    expect(await shedCount('too-large')).toBe(before + 1);
  });

  it('closes connections past the per-address connection rate as they are accepted, for that address only', async () => {
    const before = await shedCount('connections');
    const attempts = 3 * CONNECTIONS_PER_SECOND;
    const outcomes = await Promise.all(
      Array.from(
        { length: attempts },
        () =>
          new Promise<'served' | 'closed'>((resolve) => {
            const request = http.get(
              { host: '127.0.0.1', port, path: '/healthz', localAddress: '127.0.0.4', agent: false },
              (response) => {
                response.resume();
                response.on('end', () => resolve('served'));
              },
            );
            request.on('error', () => resolve('closed'));
          }),
      ),
    );
    const closed = outcomes.filter((outcome) => outcome === 'closed').length;
    // At most two one-second windows' worth are admitted, even when the burst straddles a second.
    expect(closed).toBeGreaterThanOrEqual(attempts - 2 * CONNECTIONS_PER_SECOND);
    expect((await shedCount('connections')) - before).toBe(closed);
    const healthz = await fetch(`${controller.baseUrl}/healthz`);
    expect(healthz.status).toBe(200);
  });
});
