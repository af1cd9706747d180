import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  addressKey,
  blockedCaller,
  credentialKey,
  EdgeBlocklist,
  shieldHttpServer,
  type ShedReason,
} from './edge-shield.util';

describe('EdgeBlocklist', () => {
  it('answers the seconds left until a block ends, and forgets it then', () => {
    const blocklist = new EdgeBlocklist();
    blocklist.remember('k', 10, 1_000);
    expect(blocklist.secondsLeft('k', 1_000)).toBe(10);
    expect(blocklist.secondsLeft('k', 10_500)).toBe(1);
    expect(blocklist.secondsLeft('k', 11_000)).toBe(0);
    expect(blocklist.size).toBe(0);
    expect(blocklist.secondsLeft('never', 1_000)).toBe(0);
  });

  it('never shortens a block', () => {
    const blocklist = new EdgeBlocklist();
    blocklist.remember('k', 60, 0);
    blocklist.remember('k', 5, 0);
    expect(blocklist.secondsLeft('k', 0)).toBe(60);
  });

  it('stays bounded: ended blocks go first, then the oldest live one', () => {
    const blocklist = new EdgeBlocklist(2);
    blocklist.remember('ended', 1, 0);
    blocklist.remember('live', 60, 0);
    blocklist.remember('new', 60, 5_000);
    expect(blocklist.size).toBe(2);
    expect(blocklist.secondsLeft('live', 5_000)).toBe(55);
    blocklist.remember('newer', 60, 6_000);
    expect(blocklist.size).toBe(2);
    expect(blocklist.secondsLeft('live', 6_000)).toBe(0);
    expect(blocklist.secondsLeft('newer', 6_000)).toBe(60);
  });
});

describe('blockedCaller', () => {
  it('refuses a blocked credential, and a blocked address unless its credential is vouched for', () => {
    const blocklist = new EdgeBlocklist();
    const address = () => '10.0.0.1';
    expect(blockedCaller(blocklist, 'Bearer a', address)).toBeUndefined();
    blocklist.remember(credentialKey('Bearer spent')!, 20);
    expect(blockedCaller(blocklist, 'Bearer spent', address)).toMatchObject({
      reason: 'credential',
      seconds: 20,
    });
    blocklist.remember(addressKey('10.0.0.1'), 30);
    expect(blockedCaller(blocklist, undefined, address)).toMatchObject({ reason: 'address', seconds: 30 });
    expect(blockedCaller(blocklist, 'Bearer a', address)).toMatchObject({ reason: 'address' });
    blocklist.vouch(credentialKey('Bearer a')!);
    expect(blockedCaller(blocklist, 'Bearer a', address)).toBeUndefined();
    expect(blockedCaller(blocklist, 'Bearer b', () => '10.0.0.2')).toBeUndefined();
  });

  it('forgets a vouch after ten minutes', () => {
    const blocklist = new EdgeBlocklist();
    blocklist.vouch('credential:x', 0);
    expect(blocklist.isVouched('credential:x', 599_999)).toBe(true);
    expect(blocklist.isVouched('credential:x', 600_000)).toBe(false);
  });
});

describe('credentialKey', () => {
  it('is one key per token whatever the spelling of the scheme, and none without a token', () => {
    const key = credentialKey('Bearer abc');
    expect(key).toMatch(/^credential:[0-9a-f]{32}$/);
    expect(credentialKey('bEaReR   abc ')).toBe(key);
    expect(credentialKey('Bearer abd')).not.toBe(key);
    expect(credentialKey(undefined)).toBeUndefined();
    expect(credentialKey('   ')).toBeUndefined();
  });
});

describe('shieldHttpServer', () => {
  let server: http.Server;
  let port: number;
  let served: string[];
  let shed: ShedReason[];
  const blocklist = new EdgeBlocklist();

  const start = async (connectionsPerSecond: number) => {
    served = [];
    shed = [];
    server = http.createServer((request, response) => {
      served.push(`${request.method} ${request.url}`);
      request.resume();
      request.on('end', () => response.end('served'));
    });
    shieldHttpServer(server, {
      blocklist,
      paths: ['/graphql'],
      maxBodyBytes: 1_000,
      tooLargeMessage: 'too large',
      clientAddress: (request) => request.socket.remoteAddress,
      connectionsPerSecond,
      onShed: (reason) => shed.push(reason),
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  };

  afterEach(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const send = (
    path: string,
    headers: Record<string, string> = {},
    localAddress = '127.0.0.1',
    body = '{}',
  ) =>
    new Promise<{ status?: number; headers?: http.IncomingHttpHeaders; body: string; error?: string }>(
      (resolve) => {
        const request = http.request(
          { host: '127.0.0.1', port, path, method: 'POST', headers, localAddress, agent: false },
          (response) => {
            let body = '';
            response.on('data', (chunk: Buffer) => (body += chunk.toString()));
            response.on('end', () =>
              resolve({ status: response.statusCode, headers: response.headers, body }),
            );
          },
        );
        request.on('error', (error) => resolve({ body: '', error: error.message }));
        request.end(body);
      },
    );

  it('answers a blocked credential 429 with Connection: close before the server sees it', async () => {
    await start(0);
    blocklist.remember(credentialKey('Bearer spent')!, 30);
    const answer = await send('/graphql', { authorization: 'bearer  spent', 'x-request-id': 'req-1' });
    expect(answer.status).toBe(429);
    expect(answer.headers).toMatchObject({
      connection: 'close',
      'retry-after': '30',
      'x-request-id': 'req-1',
    });
    expect(JSON.parse(answer.body)).toMatchObject({
      statusCode: 429,
      error: 'RATE_LIMITED',
      requestId: 'req-1',
      data: null,
      errors: [{ extensions: { code: 'RATE_LIMITED', requestId: 'req-1' } }],
    });
    expect(served).toEqual([]);
    expect(shed).toEqual(['credential']);
  });

  it('passes other credentials, other paths and query strings of other paths through', async () => {
    await start(0);
    blocklist.remember(credentialKey('Bearer spent')!, 30);
    expect((await send('/graphql?x=1', { authorization: 'Bearer fine' })).body).toBe('served');
    expect((await send('/graphqlx', { authorization: 'Bearer spent' })).body).toBe('served');
    expect((await send('/v1/tenant', { authorization: 'Bearer spent' })).body).toBe('served');
    expect((await send('/graphql/', { authorization: 'Bearer spent' })).status).toBe(429);
    expect((await send('/graphql?query=x', { authorization: 'Bearer spent' })).status).toBe(429);
    expect(served).toEqual(['POST /graphql?x=1', 'POST /graphqlx', 'POST /v1/tenant']);
  });

  it('sheds a blocked address, except credentials vouched for; other addresses pass', async () => {
    await start(0);
    blocklist.remember(addressKey('127.0.0.2'), 30);
    blocklist.vouch(credentialKey('Bearer in-use')!);
    const anonymous = await send('/graphql', {}, '127.0.0.2');
    expect(anonymous.status).toBe(429);
    expect(anonymous.body).toMatch(/without a valid credential from this address/);
    expect((await send('/graphql', { authorization: 'Bearer made-up' }, '127.0.0.2')).status).toBe(429);
    expect((await send('/graphql', { authorization: 'Bearer in-use' }, '127.0.0.2')).body).toBe('served');
    expect((await send('/graphql', {}, '127.0.0.3')).body).toBe('served');
    expect(shed).toEqual(['address', 'address']);
  });

  it('refuses a declared body over the limit with 413 before reading it, whoever sends it', async () => {
    await start(0);
    const answer = await send('/graphql', { authorization: 'Bearer fine' }, '127.0.0.1', 'x'.repeat(5_000));
    // The client may see the answer or, having more to send, a reset; never the server's handler.
    if (answer.status !== undefined) {
      expect(answer.status).toBe(413);
      expect(JSON.parse(answer.body)).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', message: 'too large' });
    }
    expect((await send('/graphql', {}, '127.0.0.1', 'x'.repeat(1_000))).body).toBe('served');
    expect(served).toEqual(['POST /graphql']);
    expect(shed).toEqual(['too-large']);
  });

  it('closes connections past the per-address rate as they are accepted, not other addresses', async () => {
    await start(2);
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => send('/healthz', {}, '127.0.0.6')));
    const refused = outcomes.filter((outcome) => outcome.error).length;
    // At most two one-second windows' worth get in, even if the burst straddles a second.
    expect(refused).toBeGreaterThanOrEqual(6);
    expect(shed.filter((reason) => reason === 'connections')).toHaveLength(refused);
    expect((await send('/healthz', {}, '127.0.0.7')).body).toBe('served');
  });
});
