import { describeKubernetesFailure, InventorySyncTracker } from './inventory-sync.util';

describe('InventorySyncTracker', () => {
  let clock: number;
  const tracker = (random = () => 0.999) =>
    new InventorySyncTracker(['namespaces', 'services'], () => clock, random, {
      baseMs: 1_000,
      capMs: 8_000,
      resetAfterMs: 0,
    });
  const forbidden = { reason: 'Forbidden', message: 'services is forbidden' };

  beforeEach(() => {
    clock = 1_000;
  });

  it('is Unknown and not ready until every resource was listed once, then True', () => {
    const sync = tracker();
    expect(sync.condition).toEqual({
      status: 'Unknown',
      reason: 'Syncing',
      message: 'waiting for the first list of namespaces, services',
      lastTransitionMs: 1_000,
    });
    clock = 2_000;
    expect(sync.succeeded('namespaces')).toBe(true);
    expect(sync.ready).toBe(false);
    expect(sync.condition).toMatchObject({ status: 'Unknown', lastTransitionMs: 1_000 });
    clock = 3_000;
    sync.succeeded('services');
    expect(sync.ready).toBe(true);
    expect(sync.condition).toEqual({
      status: 'True',
      reason: 'Synced',
      message: 'listed and watching namespaces, services',
      lastTransitionMs: 3_000,
    });
    expect(sync.succeeded('services')).toBe(false);
  });

  it('a failure before the first sync keeps the inventory unreported and says so', () => {
    const sync = tracker();
    sync.succeeded('namespaces');
    sync.failed('services', forbidden);
    expect(sync.ready).toBe(false);
    expect(sync.condition).toMatchObject({
      status: 'False',
      reason: 'Forbidden',
      message:
        'services: services is forbidden; retrying with backoff, no inventory is reported until every resource was read once',
    });
  });

  it('a failure after the sync goes False (keeping the last good inventory) and heals to True', () => {
    const sync = tracker();
    sync.succeeded('namespaces');
    sync.succeeded('services');
    clock = 5_000;
    expect(sync.failed('services', forbidden).changed).toBe(true);
    expect(sync.ready).toBe(true);
    expect(sync.condition).toEqual({
      status: 'False',
      reason: 'Forbidden',
      message: 'services: services is forbidden; retrying with backoff, the last good inventory is kept',
      lastTransitionMs: 5_000,
    });
    // The same failure again changes nothing; a different reason changes the reason, not the time.
    clock = 6_000;
    expect(sync.failed('services', forbidden).changed).toBe(false);
    expect(sync.failed('services', { reason: 'ServerError', message: '503: overloaded' }).changed).toBe(true);
    expect(sync.condition).toMatchObject({ reason: 'ServerError', lastTransitionMs: 5_000 });
    // Two failing resources: the first names the reason, the message names both.
    sync.failed('namespaces', { reason: 'Timeout', message: 'slow' });
    expect(sync.condition.message).toMatch(/^namespaces \(and services\): slow;/);
    clock = 9_000;
    sync.succeeded('namespaces');
    sync.succeeded('services');
    expect(sync.condition).toMatchObject({ status: 'True', reason: 'Synced', lastTransitionMs: 9_000 });
  });

  it('backs off per resource with full jitter, capped, and a success resets it', () => {
    const sync = tracker();
    const delays = Array.from({ length: 6 }, () => sync.failed('services', forbidden).retryInMs);
    expect(delays).toEqual([999, 1_998, 3_996, 7_992, 7_992, 7_992]);
    // Other resources have their own attempt count.
    expect(sync.failed('namespaces', forbidden).retryInMs).toBe(999);
    sync.succeeded('services');
    expect(sync.failed('services', forbidden).retryInMs).toBe(999);
    // Jitter: anywhere in [0, ceiling).
    expect(tracker(() => 0).failed('services', forbidden).retryInMs).toBe(0);
  });

  it('refuses a resource it does not track', () => {
    expect(() => tracker().succeeded('secrets')).toThrow('unknown inventory resource secrets');
  });
});

describe('describeKubernetesFailure', () => {
  const status = (code: number, reason: string, message: string) =>
    Object.assign(new Error(`HTTP-Code: ${code}\nMessage: x`), {
      code,
      body: JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message }),
    });

  it.each([
    [
      status(403, 'Forbidden', 'services is forbidden: User "u" cannot list resource "services"'),
      'Forbidden',
      'services is forbidden: User "u" cannot list resource "services"',
    ],
    [status(401, 'Unauthorized', 'Unauthorized'), 'Unauthorized', 'Unauthorized'],
    [
      status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request'),
      'ServerError',
      '503: the server is currently unable to handle the request',
    ],
    [status(500, 'InternalError', 'boom'), 'ServerError', '500: boom'],
    [status(429, 'TooManyRequests', 'slow down'), 'TooManyRequests', 'slow down'],
    [
      status(504, 'Timeout', 'the server was unable to return a response in the time allotted'),
      'Timeout',
      'the server was unable to return a response in the time allotted',
    ],
    [
      status(404, 'NotFound', 'the server could not find the requested resource'),
      'NotFound',
      'the API server does not serve it (404): the server could not find the requested resource',
    ],
  ])('reads the API Status of %#', (error, reason, message) => {
    expect(describeKubernetesFailure(error)).toEqual({ reason, message });
  });

  it('reads a refused watch (statusCode, no body) and client-side timeouts', () => {
    expect(describeKubernetesFailure(Object.assign(new Error('Forbidden'), { statusCode: 403 }))).toEqual({
      reason: 'Forbidden',
      message: '403 Forbidden',
    });
    expect(
      describeKubernetesFailure(Object.assign(new Error('Service Unavailable'), { statusCode: 503 })),
    ).toEqual({ reason: 'ServerError', message: '503 Service Unavailable' });
    const timeout = Object.assign(new Error('the list did not answer within 5 s'), { name: 'TimeoutError' });
    expect(describeKubernetesFailure(timeout)).toEqual({
      reason: 'Timeout',
      message: 'no answer from the API server in time: the list did not answer within 5 s',
    });
  });

  it('names network and TLS failures', () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    expect(describeKubernetesFailure(refused)).toEqual({
      reason: 'Unreachable',
      message: 'cannot reach the API server (ECONNREFUSED): connect ECONNREFUSED 127.0.0.1:1',
    });
    const tls = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'SELF_SIGNED_CERT_IN_CHAIN', message: 'self-signed certificate in certificate chain' },
    });
    expect(describeKubernetesFailure(tls).reason).toBe('TLSError');
    expect(describeKubernetesFailure('odd')).toEqual({ reason: 'ListWatchFailed', message: 'odd' });
  });
});
