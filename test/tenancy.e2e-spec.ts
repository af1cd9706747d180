import { Client } from 'pg';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createTenant, createToken, type TestTenant } from './support/tenants';

describe('tenants, API tokens, roles and isolation', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenantA: TestTenant;
  let tenantB: TestTenant;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    tenantA = await createTenant(controller, 'tenant-a');
    tenantB = await createTenant(controller, 'tenant-b');
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  it('lets only the platform operator create tenants', async () => {
    expect((await controller.request('POST', '/v1/tenants', { body: { name: 'x1' } })).status).toBe(401);
    expect(
      (await controller.request('POST', '/v1/tenants', { token: tenantA.adminToken, body: { name: 'x1' } }))
        .status,
    ).toBe(403);
    const duplicate = await controller.request('POST', '/v1/tenants', {
      token: controller.operatorToken,
      body: { name: 'tenant-a' },
    });
    expect(duplicate.status).toBe(409);
    const invalid = await controller.request('POST', '/v1/tenants', {
      token: controller.operatorToken,
      body: { name: 'Not Valid!' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([expect.objectContaining({ field: 'name' })]);
  });

  it('stores tokens hashed and shows only their prefix', async () => {
    const created = await createToken(controller, tenantA, 'viewer');
    expect(created.token.startsWith(`${created.prefix}_`)).toBe(true);
    const listed = await controller.request('GET', `/v1/tokens/${created.id}`, { token: tenantA.adminToken });
    expect(listed.json).toMatchObject({ id: created.id, prefix: created.prefix, role: 'viewer' });
    expect(listed.text).not.toContain(created.token);
  });

  it('enforces roles: viewers read, editors cannot manage tokens, admins can', async () => {
    const viewer = await createToken(controller, tenantA, 'viewer');
    const editor = await createToken(controller, tenantA, 'editor');
    expect((await controller.request('GET', '/v1/tenant', { token: viewer.token })).json).toMatchObject({
      id: tenantA.id,
    });
    expect((await controller.request('GET', '/v1/tokens', { token: viewer.token })).status).toBe(403);
    const byEditor = await controller.request('POST', '/v1/tokens', {
      token: editor.token,
      body: { name: 'x', role: 'admin' },
    });
    expect(byEditor.status).toBe(403);
    expect(byEditor.json.message).toMatch(/needs the admin role/);
    expect((await controller.request('GET', '/v1/tenants', { token: tenantA.adminToken })).status).toBe(403);
  });

  it('refuses a revoked token on the very next request', async () => {
    const token = await createToken(controller, tenantA, 'viewer');
    expect((await controller.request('GET', '/v1/tenant', { token: token.token })).status).toBe(200);
    const revoked = await controller.request('DELETE', `/v1/tokens/${token.id}`, {
      token: tenantA.adminToken,
    });
    expect(revoked.json.revokedAt).toBeTruthy();
    const after = await controller.request('GET', '/v1/tenant', { token: token.token });
    expect(after.status).toBe(401);
    expect(after.json.message).toMatch(/revoked or expired/);
  });

  it('refuses an expired token', async () => {
    const expiresAt = new Date(Date.now() + 1500).toISOString();
    const token = await createToken(controller, tenantA, 'viewer', { expiresAt });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect((await controller.request('GET', '/v1/tenant', { token: token.token })).status).toBe(401);
    const past = await controller.request('POST', '/v1/tokens', {
      token: tenantA.adminToken,
      body: { name: 'old', role: 'viewer', expiresAt: '2001-01-01T00:00:00Z' },
    });
    expect(past.status).toBe(400);
    expect(past.json.errors).toEqual([{ field: 'expiresAt', message: 'must be in the future' }]);
  });

  it('pages through tokens with a cursor and validates limit and cursor', async () => {
    const tenant = await createTenant(controller, 'paging');
    for (let i = 0; i < 4; i++) await createToken(controller, tenant, 'viewer');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=2&cursor=${cursor}` : '?limit=2';
      const page = await controller.request('GET', `/v1/tokens${query}`, { token: tenant.adminToken });
      expect(page.status).toBe(200);
      expect(page.json.items!.length).toBeLessThanOrEqual(2);
      seen.push(...(page.json.items as { id: string }[]).map((t) => t.id));
      cursor = page.json.nextCursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
    expect((await controller.request('GET', '/v1/tokens?limit=0', { token: tenant.adminToken })).status).toBe(
      400,
    );
    expect(
      (await controller.request('GET', '/v1/tokens?limit=101', { token: tenant.adminToken })).status,
    ).toBe(400);
    expect(
      (await controller.request('GET', '/v1/tokens?cursor=garbage', { token: tenant.adminToken })).status,
    ).toBe(400);
  });

  it('records every change in the audit log, readable by admins only', async () => {
    const tenant = await createTenant(controller, 'audited');
    const token = await createToken(controller, tenant, 'editor');
    await controller.request('DELETE', `/v1/tokens/${token.id}`, { token: tenant.adminToken });
    const events = await controller.request('GET', '/v1/audit-events', { token: tenant.adminToken });
    const actions = (events.json.items as { action: string }[]).map((e) => e.action);
    expect(actions).toEqual(['tenant.create', 'token.create', 'token.revoke']);
    const revoke = (events.json.items as Record<string, unknown>[])[2];
    expect(revoke).toMatchObject({
      actor: { name: 'initial-admin' },
      resourceType: 'token',
      resourceId: token.id,
      before: { revokedAt: null },
      after: { revokedAt: expect.any(String) },
    });
    expect(JSON.stringify(events.json)).not.toContain(token.token);
    const viewer = await createToken(controller, tenant, 'viewer');
    expect((await controller.request('GET', '/v1/audit-events', { token: viewer.token })).status).toBe(403);
  });

  /**
   * Walks every route of the OpenAPI document that takes an id, with tenant B's admin token and
   * tenant A's ids, and requires 404 (not 403: ids must not leak). A new route whose resource the
   * test does not know fails the test, so isolation cannot be forgotten.
   */
  it("never shows or changes one tenant's objects through another tenant's token", async () => {
    const clusterOfA = await controller.request('POST', '/v1/clusters', {
      token: tenantA.adminToken,
      body: { name: 'a-cluster' },
    });
    const idsOfA: Record<string, string> = {
      tokens: (await createToken(controller, tenantA, 'viewer')).id,
      clusters: (clusterOfA.json.cluster as { id: string }).id,
      'global-namespaces': (
        await controller.request('POST', '/v1/global-namespaces', {
          token: tenantA.adminToken,
          body: {
            name: 'a-gns',
            domain: 'a.lattice.local',
            matchConditions: [
              { cluster: { type: 'PREFIX', value: 'a' }, namespace: { type: 'EXACT', value: 'shop' } },
            ],
          },
        })
      ).json.id as string,
    };
    idsOfA.webhooks = (
      await controller.request('POST', '/v1/webhooks', {
        token: tenantA.adminToken,
        body: { name: 'a-hook', url: 'http://127.0.0.1:9/hook' },
      })
    ).json.id as string;
    // Operator routes (/v1/tenants/{id}/...) refuse every tenant token with 403 before the id is read.
    idsOfA.tenants = tenantA.id;
    // An SLO needs a member service, which needs an agent's inventory: stored directly instead.
    idsOfA.slos = await insertSlo(database.url, tenantA.id, idsOfA['global-namespaces']!);
    const document = (await controller.request('GET', '/openapi.json')).json as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    let walked = 0;
    for (const [route, operations] of Object.entries(document.paths)) {
      if (!route.includes('{')) continue;
      const resource = route.split('/')[2]!;
      // By-name routes take kinds and names, not ids: their isolation is walked in cli.e2e-spec.ts.
      // The schemas are public and describe the format, nothing of a tenant.
      if (resource === 'declarative' || resource === 'schemas') continue;
      const id = idsOfA[resource];
      if (!id) throw new Error(`no tenant-A object for ${route}: add one to this test`);
      for (const method of Object.keys(operations)) {
        const response = await controller.request(method.toUpperCase(), route.replace(/\{[^}]+\}/g, id), {
          token: tenantB.adminToken,
          body: ['post', 'put', 'patch'].includes(method) ? {} : undefined,
          headers: { 'if-match': '"1"' },
        });
        const expected = resource === 'tenants' ? 403 : 404;
        expect({ route, method, status: response.status }).toEqual({ route, method, status: expected });
        walked++;
      }
    }
    expect(walked).toBeGreaterThan(0);
    // A's token still works, untouched by B's attempts.
    const stillThere = await controller.request('GET', `/v1/tokens/${idsOfA.tokens}`, {
      token: tenantA.adminToken,
    });
    expect(stillThere.json.revokedAt).toBeNull();
  });

  it('rate-limits per token with 429 and Retry-After, across replicas', async () => {
    const shared = {
      databaseUrl: database.url,
      operatorToken: controller.operatorToken,
      masterKey: controller.masterKey,
      redisPrefix: `rl-${Date.now()}`,
      env: { LATTICE_RATE_LIMIT_PER_MINUTE: '5' },
    };
    const replica1 = new ControllerProcess(shared);
    const replica2 = new ControllerProcess(shared);
    await Promise.all([replica1.start(), replica2.start()]);
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i++) {
        const replica = i % 2 === 0 ? replica1 : replica2;
        const response = await replica.request('GET', '/v1/tenant', { token: tenantA.adminToken });
        statuses.push(response.status);
        if (response.status === 429) expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
      // Another token has its own budget.
      expect((await replica1.request('GET', '/v1/tenant', { token: tenantB.adminToken })).status).toBe(200);
    } finally {
      await Promise.all([replica1.stop(), replica2.stop()]);
    }
  });
});

async function insertSlo(databaseUrl: string, tenantId: string, gnsId: string): Promise<string> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const result = await client.query(
      `INSERT INTO slos (id, tenant_id, gns_id, name, services, indicators, target_percent, "window", budgeting, type, updated_at)
       VALUES (gen_random_uuid(), $1, $2, 'a-slo', ARRAY['cart'], $3, 99.9, '30d', 'TIME_SLICES', 'MONITORED', now()) RETURNING id`,
      [tenantId, gnsId, JSON.stringify([{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }])],
    );
    return result.rows[0].id as string;
  } finally {
    await client.end();
  }
}
