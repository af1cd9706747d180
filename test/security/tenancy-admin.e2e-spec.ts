import http from 'node:http';
import { Client } from 'pg';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { eventually } from '../support/grpc-agent-client';
import { createCluster, createTenant, createToken, type TestTenant } from '../support/tenants';

type Json = Record<string, unknown>;

/**
 * Replays findings 8 and 10 of the security review (issue 17) against the real controller:
 * 8. an admin could revoke the tenant's last admin token, and the operator could not recover it;
 * 10. the ETag was the configuration version alone, so a conditional GET answered 304 while the
 *     live part of the answer (cluster status, SLO evaluation) had changed.
 */
describe('security: the last admin token and recovery; ETags of live representations', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let sql: Client;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_SLO_EVALUATION_INTERVAL_SECONDS: '1' },
    });
    await controller.start();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
  });

  afterAll(async () => {
    await sql?.end();
    await controller?.stop();
    await database?.drop();
  });

  const tokenIdOf = async (tenant: TestTenant, name: string): Promise<string> => {
    const listed = await controller.request('GET', '/v1/tokens?limit=100', { token: tenant.adminToken });
    const match = (listed.json.items as { id: string; name: string }[]).find((token) => token.name === name);
    if (!match) throw new Error(`no token named ${name}`);
    return match.id;
  };
  const revoke = (token: string, id: string) => controller.request('DELETE', `/v1/tokens/${id}`, { token });
  const works = async (token: string) =>
    (await controller.request('GET', '/v1/tokens', { token })).status === 200;

  describe('finding 8: the last admin token', () => {
    it('refuses to revoke the last active admin token with 409 naming the reason', async () => {
      const tenant = await createTenant(controller, 'last-admin');
      const initialId = await tokenIdOf(tenant, 'initial-admin');
      const refused = await revoke(tenant.adminToken, initialId);
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({
        error: 'CONFLICT',
        message: expect.stringMatching(/last active admin token.*create another admin token first/),
      });
      expect(await works(tenant.adminToken)).toBe(true);

      // With a second admin, the first can go; the second then is the last one.
      const second = await createToken(controller, tenant, 'admin');
      expect((await revoke(second.token, initialId)).status).toBe(200);
      expect(await works(tenant.adminToken)).toBe(false);
      expect((await revoke(second.token, second.id)).status).toBe(409);
      expect(await works(second.token)).toBe(true);
    });

    it('leaves exactly one admin when two admins revoke each other at the same moment (5 rounds)', async () => {
      const tenant = await createTenant(controller, 'duel');
      let survivor = { id: await tokenIdOf(tenant, 'initial-admin'), token: tenant.adminToken };
      for (let round = 0; round < 5; round++) {
        const challenger = await createToken(controller, { ...tenant, adminToken: survivor.token }, 'admin');
        const [first, second] = await Promise.all([
          revoke(survivor.token, challenger.id),
          revoke(challenger.token, survivor.id),
        ]);
        // The loser is refused as the last admin (409) or, when the winner's revocation committed
        // before its own request authenticated, as a revoked token (401).
        const statuses = [first.status, second.status].sort();
        expect(statuses[0]).toBe(200);
        expect([401, 409]).toContain(statuses[1]);
        const alive = [await works(survivor.token), await works(challenger.token)];
        expect(alive.filter(Boolean)).toHaveLength(1);
        survivor = alive[0] ? survivor : { id: challenger.id, token: challenger.token };
      }
    });

    it('lets the operator issue a recovery admin token to a tenant locked out by expiry, audited', async () => {
      const tenant = await createTenant(controller, 'locked-out');
      const shortLived = await createToken(controller, tenant, 'admin', {
        expiresAt: new Date(Date.now() + 1_500).toISOString(),
      });
      expect((await revoke(shortLived.token, await tokenIdOf(tenant, 'initial-admin'))).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await works(shortLived.token)).toBe(false); // no admin token left: locked out

      const route = `/v1/tenants/${tenant.id}/recovery-tokens`;
      expect((await controller.request('POST', route)).status).toBe(401);
      const other = await createTenant(controller, 'bystander');
      expect((await controller.request('POST', route, { token: other.adminToken })).status).toBe(403);
      const unknown = await controller.request(
        'POST',
        '/v1/tenants/00000000-0000-4000-8000-000000000000/recovery-tokens',
        {
          token: controller.operatorToken,
        },
      );
      expect(unknown.status).toBe(404);
      expect(
        (
          await controller.request('POST', '/v1/tenants/not-an-id/recovery-tokens', {
            token: controller.operatorToken,
          })
        ).status,
      ).toBe(404);
      const badBody = await controller.request('POST', route, {
        token: controller.operatorToken,
        body: { expiresAt: '2001-01-01T00:00:00Z', role: 'viewer' },
      });
      expect(badBody.status).toBe(400);

      const recovered = await controller.request('POST', route, { token: controller.operatorToken });
      expect(recovered.status).toBe(201);
      const recovery = recovered.json as {
        id: string;
        token: string;
        role: string;
        name: string;
        expiresAt: string;
      };
      expect(recovery).toMatchObject({ role: 'admin', name: 'recovery-admin' });
      expect(Date.parse(recovery.expiresAt)).toBeGreaterThan(Date.now() + 23 * 3_600_000);
      expect(await works(recovery.token)).toBe(true);

      // The tenant takes over again: its own admin token, then the recovery token revoked.
      const own = await createToken(controller, { ...tenant, adminToken: recovery.token }, 'admin');
      expect((await revoke(own.token, recovery.id)).status).toBe(200);
      expect(await works(own.token)).toBe(true);

      const events = await controller.request('GET', `/v1/audit-events?resourceId=${recovery.id}`, {
        token: own.token,
      });
      expect(events.json.items).toEqual([
        expect.objectContaining({
          action: 'token.recovery',
          actor: expect.objectContaining({ name: 'platform-operator' }),
          resourceType: 'token',
        }),
        expect.objectContaining({ action: 'token.revoke' }),
      ]);
      expect(events.text).not.toContain(recovery.token);
    });
  });

  describe('finding 10: conditional GET', () => {
    let tenant: TestTenant;

    beforeAll(async () => {
      tenant = await createTenant(controller, 'etags');
    });

    /**
     * A GET as curl or a proxy sends it. Not fetch: with If-None-Match it adds `Cache-Control:
     * no-cache`, which (rightly) makes the server answer 200 whatever the ETag.
     */
    const get = (route: string, etag?: string) =>
      new Promise<{ status: number; etag: string; text: string; json: Json }>((resolve, reject) => {
        const headers: http.OutgoingHttpHeaders = { authorization: `Bearer ${tenant.adminToken}` };
        if (etag) headers['if-none-match'] = etag;
        http
          .get(`${controller.baseUrl}${route}`, { headers, timeout: 10_000 }, (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
            response.on('end', () =>
              resolve({
                status: response.statusCode ?? 0,
                etag: String(response.headers.etag ?? ''),
                text,
                json: text ? (JSON.parse(text) as Json) : {},
              }),
            );
          })
          .on('error', reject);
      });

    it('answers 304 only while the cluster representation is unchanged; If-Match still guards writes', async () => {
      const cluster = await createCluster(controller, tenant.adminToken, 'east', '198.51.100.7');
      const route = `/v1/clusters/${cluster.id}`;
      const first = await get(route);
      const etag = first.etag;
      expect(etag).toMatch(/^"1-[\w-]+"$/);
      const unchanged = await get(route, etag);
      expect(unchanged.status).toBe(304);
      expect(unchanged.text).toBe('');

      // The agent is seen (live state, no new configuration version): the old ETag no longer matches.
      await sql.query('UPDATE clusters SET last_seen_at = now() WHERE id = $1', [cluster.id]);
      const changed = await get(route, etag);
      expect(changed.status).toBe(200);
      expect(changed.json.lastSeenAt).not.toBeNull();
      expect(changed.json.version).toBe(1);
      const nextEtag = changed.etag;
      expect(nextEtag).toMatch(/^"1-[\w-]+"$/);
      expect(nextEtag).not.toBe(etag);
      expect((await get(route, nextEtag)).status).toBe(304);

      // Writes compare the version: a status change does not make the edit stale, another edit does.
      const put = (ifMatch?: string) =>
        controller.request('PUT', route, {
          token: tenant.adminToken,
          body: { labels: { region: 'eu' } },
          headers: ifMatch ? { 'if-match': ifMatch } : {},
        });
      expect((await put()).status).toBe(428);
      const updated = await put(etag);
      expect(updated.status).toBe(200);
      expect(updated.headers.get('etag')).toMatch(/^"2-[\w-]+"$/);
      expect((await put(nextEtag)).status).toBe(412);
      expect((await put('"1"')).status).toBe(412);
      expect((await put('"2"')).status).toBe(200);
      expect((await put('"3-not/a/hash"')).status).toBe(400);
      expect((await get(route, nextEtag)).status).toBe(200);
    });

    it("answers 200 with a new ETag once an SLO's evaluation moved on (the replayed finding)", async () => {
      // A cluster whose inventory (as its agent would report it) holds the SLO's service.
      const cluster = await createCluster(controller, tenant.adminToken, 'slo-east', '198.51.100.8');
      const inventory = {
        namespaces: [{ name: 'shop', labels: {} }],
        services: [{ namespace: 'shop', name: 'checkout', labels: {}, ports: [{ port: 8080 }] }],
      };
      await sql.query(
        'UPDATE clusters SET inventory = $2::jsonb, inventory_updated_at = now() WHERE id = $1',
        [cluster.id, JSON.stringify(inventory)],
      );
      const gns = await controller.request('POST', '/v1/global-namespaces', {
        token: tenant.adminToken,
        body: {
          name: 'shop',
          domain: 'shop.lattice.local',
          matchConditions: [
            { cluster: { type: 'EXACT', value: 'slo-east' }, namespace: { type: 'EXACT', value: 'shop' } },
          ],
        },
      });
      expect(gns.status).toBe(201);
      const created = await controller.request('POST', '/v1/slos', {
        token: tenant.adminToken,
        body: {
          name: 'checkout-availability',
          gnsId: (gns.json as { id: string }).id,
          services: ['checkout'],
          indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
          targetPercent: 99.9,
          window: '30d',
          type: 'ACTIONABLE',
        },
      });
      if (created.status !== 201) throw new Error(`creating the SLO: ${created.status} ${created.text}`);
      const route = `/v1/slos/${(created.json as { id: string }).id}`;
      const statusOf = (body: Json) => body.status as { evaluatedAt: string } | null;

      // The first evaluation fills in `status` (null before) without a new version.
      const evaluated = await eventually(
        () => get(route),
        (response) => statusOf(response.json) !== null,
        30_000,
      );
      const etag = evaluated.etag;
      expect(etag).not.toBe(created.headers.get('etag'));
      expect(etag).toMatch(/^"1-/);
      expect((await get(route, created.headers.get('etag')!)).status).toBe(200);

      // The next minute's evaluation changes evaluatedAt (and the budget), still at version 1.
      const before = statusOf(evaluated.json)!.evaluatedAt;
      await eventually(
        () => get(route),
        (response) => statusOf(response.json)!.evaluatedAt !== before,
        75_000,
      );
      const conditional = await get(route, etag);
      expect(conditional.status).toBe(200);
      expect(statusOf(conditional.json)!.evaluatedAt).not.toBe(before);
      expect(conditional.json.version).toBe(1);
      expect(conditional.etag).not.toBe(etag);
      expect(conditional.etag).toMatch(/^"1-/);
    }, 150_000);
  });
});
