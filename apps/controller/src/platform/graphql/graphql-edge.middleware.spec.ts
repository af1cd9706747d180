import type { NextFunction, Request, Response } from 'express';
import { DomainError } from '@lattice/domain';
import type { Principal } from '../auth/principal.util';
import { credentialKey as credentialKeyOf, EdgeBlocklist } from '../http/edge-shield.util';
import { graphqlEdge } from './graphql-edge.middleware';
import type { EdgeBudgetStore } from './graphql-edge.types';

const VIEWER: Principal = { kind: 'token', tenantId: 't', tokenId: 'k', tokenName: 'n', role: 'viewer' };

const credential = (token: string) => credentialKeyOf(`Bearer ${token}`)!;

/** `blocked`: every budget is spent; `blockedCredentials`: this replica already saw these blocked. */
function setUp(blocked = false, blockedCredentials: string[] = []) {
  const keys: string[] = [];
  const events: string[] = [];
  let lookups = 0;
  const blocklist = new EdgeBlocklist();
  for (const key of blockedCredentials) blocklist.remember(key, 17);
  const limits = new Map<string, number>();
  const storage = {
    increment: async (key: string, _ttl: number, limit: number, _block: number, name: string) => {
      keys.push(`${name}:${key}`);
      events.push('budget');
      limits.set(name, limit);
      return { totalHits: 1, timeToExpire: 60, isBlocked: blocked, timeToBlockExpire: blocked ? 42 : 0 };
    },
  } as unknown as EdgeBudgetStore;
  const authenticator = {
    authenticate: async (authorization: string | undefined) => {
      lookups++;
      events.push('lookup');
      await Promise.resolve();
      events.push('looked up');
      if (authorization !== 'Bearer good') throw new DomainError('UNAUTHENTICATED', 'no such token');
      return VIEWER;
    },
  };
  const edge = graphqlEdge(
    authenticator,
    storage,
    {
      maxBytes: 1024,
      maxTokens: 20,
      requestsPerMinute: 5,
      failedAuthenticationsPerMinute: 3,
    },
    blocklist,
  );
  const call = (query: string | undefined, authorization?: string) =>
    new Promise<{
      status?: number;
      body?: Record<string, unknown>;
      headers: Record<string, string>;
      req: Request;
    }>((resolve) => {
      const headers: Record<string, string> = {};
      const answer: { status?: number; body?: Record<string, unknown> } = {};
      const req = {
        method: 'GET',
        query: query === undefined ? {} : { query },
        headers: authorization ? { authorization } : {},
        ip: '127.0.0.1',
      } as unknown as Request;
      const res = {
        setHeader: (name: string, value: string) => (headers[name] = value),
        status(code: number) {
          answer.status = code;
          return this;
        },
        json(body: Record<string, unknown>) {
          resolve({ ...answer, body, headers, req });
        },
      } as unknown as Response;
      const next: NextFunction = () => resolve({ headers, req });
      edge(req, res, next);
    });
  return { call, keys, events, limits, blocklist, lookups: () => lookups };
}

describe('graphqlEdge', () => {
  it('leaves the GraphiQL page (GET without a query) alone', async () => {
    const { call, keys } = setUp();
    expect((await call(undefined)).status).toBeUndefined();
    expect(keys).toEqual([]);
  });

  it('refuses a caller without a valid token with 401, counted per client IP', async () => {
    const { call, keys, limits } = setUp();
    const answer = await call('{ a }');
    expect(answer.status).toBe(401);
    expect(answer.body).toMatchObject({ error: 'UNAUTHENTICATED', data: null });
    expect(keys).toEqual(['graphql-anonymous:ip:127.0.0.1']);
    expect(limits.get('graphql-anonymous')).toBe(3);
  });

  it('answers 429 with Retry-After past the budget, for tokens and for refused credentials', async () => {
    const { call } = setUp(true);
    const authenticated = await call('{ a }', 'Bearer good');
    expect(authenticated.status).toBe(429);
    expect(authenticated.headers['Retry-After']).toBe('42');
    expect((await call('{ a }', 'Bearer bad')).status).toBe(429);
  });

  it('refuses a credential already over budget before looking its token up, whatever the scheme spelling', async () => {
    const { call, keys, lookups } = setUp(false, [credential('good')]);
    for (const header of ['Bearer good', 'bearer   good']) {
      const answer = await call('{ a }', header);
      expect(answer.status).toBe(429);
      expect(answer.headers['Retry-After']).toBe('17');
    }
    expect(lookups()).toBe(0);
    expect(keys).toEqual([]);
  });

  it('puts a credential found over budget on the shared blocklist: repeats cost no lookup and no Redis round trip', async () => {
    const { call, keys, lookups, blocklist } = setUp(true);
    for (let i = 0; i < 5; i++) expect((await call('{ a }', 'Bearer good')).status).toBe(429);
    expect(lookups()).toBe(1);
    expect(keys).toEqual([`graphql:${credential('good')}`]);
    expect(blocklist.secondsLeft(credential('good'))).toBe(42);
  });

  it('puts a client address over its failed-authentication budget on the shared blocklist', async () => {
    const { call, keys, blocklist } = setUp(true);
    for (let i = 0; i < 3; i++) expect((await call('{ a }')).status).toBe(429);
    expect(keys).toEqual(['graphql-anonymous:ip:127.0.0.1']);
    expect(blocklist.secondsLeft('ip:127.0.0.1')).toBe(42);
  });

  it('refuses made-up tokens from a blocked address without a lookup, but looks up a token in use', async () => {
    const { call, lookups, blocklist } = setUp();
    expect((await call('{ a }', 'Bearer good')).status).toBeUndefined(); // in use: vouched for
    blocklist.remember('ip:127.0.0.1', 30);
    expect((await call('{ a }', 'Bearer made-up')).status).toBe(429);
    expect(lookups()).toBe(1);
    expect((await call('{ a }', 'Bearer good')).status).toBeUndefined();
    expect(lookups()).toBe(2);
  });

  it('takes from the budget of a credential in use while its token is looked up, of others only after', async () => {
    const { call, events } = setUp();
    expect((await call('{ a }', 'Bearer good')).status).toBeUndefined();
    expect(events).toEqual(['lookup', 'looked up', 'budget']);
    events.length = 0;
    expect((await call('{ a }', 'Bearer good')).status).toBeUndefined();
    expect(events).toEqual(['budget', 'lookup', 'looked up']);
  });

  it('passes a bounded document on with the principal, and refuses an oversized one', async () => {
    const { call, keys } = setUp();
    const passed = await call('{ a }', 'Bearer good');
    expect(passed.status).toBeUndefined();
    expect((passed.req as Request & { principal?: Principal }).principal).toEqual(VIEWER);
    expect(keys).toEqual([`graphql:${credential('good')}`]);
    const refused = await call(`{ ${'a '.repeat(30)}}`, 'Bearer good');
    expect(refused.status).toBe(400);
    expect(String(refused.body?.message)).toMatch(/more than 20 tokens/);
  });
});
