import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { ControllerProcess } from '../support/controller-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { createTenant, type TestTenant } from '../support/tenants';

/**
 * Replays issue 17's findings #9 (webhook private-network guard) and #11 (exposure: introspection
 * and GraphiQL, /metrics on the API port, gRPC on every interface, __proto__ body keys) against the
 * real controller with HOST=127.0.0.1 and private webhook targets refused (the production default).
 */
describe('security: exposure (issue 17 #9, #11)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let receiver: http.Server;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = http.createServer((request, response) => {
      received.push(request.url ?? '');
      response.writeHead(200).end('ok');
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: {
        LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'false',
        LATTICE_WEBHOOK_MAX_ATTEMPTS: '8',
        LATTICE_WEBHOOK_BACKOFF_SECONDS: '1',
      },
    });
    await controller.start();
    tenant = await createTenant(controller, 'exposure');
  }, 120_000);

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
    await new Promise((resolve) => receiver?.close(resolve));
  });

  describe('#9 webhook targets', () => {
    it.each([
      ['http://127.0.0.1:9/hook', /127\.0\.0\.1 is in the loopback range/],
      ['http://[::a00:1]/hook', /IPv4-compatible \(::\/96\) range embedding 10\.0\.0\.1/],
      ['http://[::1.2.3.4]/hook', /embedding 1\.2\.3\.4/],
      [
        'http://[64:ff9b::a9fe:a9fe]/hook',
        /NAT64 \(64:ff9b::\/96\) range embedding 169\.254\.169\.254 \(link-local\)/,
      ],
      ['http://[2002:a00:1::1]/hook', /6to4 \(2002::\/16\) range embedding 10\.0\.0\.1/],
      ['http://[::ffff:192.168.0.1]/hook', /IPv4-mapped .* embedding 192\.168\.0\.1/],
      ['http://[fd12::1]/hook', /unique-local/],
      ['http://localhost:9/hook', /^refused: localhost: (127\.0\.0\.1|::1) is in the loopback range/],
      [
        'https://no-such-host.invalid/hook',
        /^no-such-host\.invalid (does not resolve|did not resolve within)/,
      ],
    ])('refuses %s at creation with 400 naming the reason', async (url, reason) => {
      const response = await controller.request('POST', '/v1/webhooks', {
        token: tenant.adminToken,
        body: { name: 'private', url },
      });
      expect(response.status).toBe(400);
      const fields = (response.json as { errors?: { field: string; message: string }[] }).errors ?? [];
      expect(fields).toEqual([{ field: 'url', message: expect.stringMatching(reason) }]);
    });

    it('fails a delivery at once, with its reason, when the name now resolves to a private address', async () => {
      // Created on a public literal (never delivered to), then re-pointed the way DNS rebinding would.
      const created = await controller.request('POST', '/v1/webhooks', {
        token: tenant.adminToken,
        body: { name: 'rebound', url: 'https://8.8.8.8/hook' },
      });
      expect(created.status).toBe(201);
      const id = created.json.id as string;
      const port = (receiver.address() as AddressInfo).port;
      const sql = new Client({ connectionString: database.url });
      await sql.connect();
      try {
        await sql.query('UPDATE webhook_endpoints SET url = $1 WHERE id = $2', [
          `http://localhost:${port}/rebound`,
          id,
        ]);
      } finally {
        await sql.end();
      }
      const test = await controller.request('POST', `/v1/webhooks/${id}/test`, { token: tenant.adminToken });
      expect(test.status).toBeLessThan(300);

      let delivery: Record<string, unknown> | undefined;
      for (let i = 0; i < 100 && delivery?.status !== 'FAILED'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        const page = await controller.request('GET', `/v1/webhooks/${id}/deliveries`, {
          token: tenant.adminToken,
        });
        delivery = (page.json.items as Record<string, unknown>[])[0];
      }
      expect(delivery).toMatchObject({
        status: 'FAILED',
        attempts: 1,
        responseCode: null,
        lastError: expect.stringMatching(/^refused: localhost: (127\.0\.0\.1|::1) is in the loopback range/),
      });
      // Still failed, once, after the first retry would have run (backoff 1 s).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const later = await controller.request('GET', `/v1/webhooks/${id}/deliveries`, {
        token: tenant.adminToken,
      });
      expect((later.json.items as Record<string, unknown>[])[0]).toMatchObject({
        status: 'FAILED',
        attempts: 1,
      });
      expect(received).toEqual([]);
    }, 30_000);
  });

  describe('#11a introspection and GraphiQL', () => {
    const graphql = (query: string, token?: string) =>
      fetch(`${controller.baseUrl}/graphql`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query }),
      }).then(async (response) => ({
        status: response.status,
        body: (await response.json()) as Record<string, unknown>,
      }));

    it('refuses introspection without a token (401) and with a bad one, and answers it with one', async () => {
      for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Query") { name } }']) {
        const anonymous = await graphql(query);
        expect(anonymous.status).toBe(401);
        expect(JSON.stringify(anonymous.body)).not.toContain('"queryType":{"name"');
        const forged = await graphql(query, 'lat_not-a-real-token-0000000000000000');
        expect(forged.status).toBe(401);
      }
      const allowed = await graphql('{ __schema { queryType { name } } }', tenant.adminToken);
      expect(allowed.status).toBe(200);
      expect(allowed.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
    });

    it('serves GraphiQL and its assets from the controller, with no external URL', async () => {
      const page = await fetch(`${controller.baseUrl}/graphiql`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toContain('text/html');
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      const html = await page.text();
      expect(html).not.toMatch(/https?:\/\//);
      const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]!);
      expect(assets).toEqual(
        expect.arrayContaining([
          '/graphiql/assets/graphiql.min.css',
          '/graphiql/assets/react.production.min.js',
          '/graphiql/assets/react-dom.production.min.js',
          '/graphiql/assets/graphiql.min.js',
          '/graphiql/assets/start.js',
        ]),
      );
      for (const asset of assets) {
        const response = await fetch(`${controller.baseUrl}${asset}`);
        expect([asset, response.status]).toEqual([asset, 200]);
        const text = await response.text();
        expect(text.length).toBeGreaterThan(asset.endsWith('start.js') ? 100 : 10_000);
      }
      const start = await (await fetch(`${controller.baseUrl}/graphiql/assets/start.js`)).text();
      expect(start).toContain('sessionStorage');
      expect(start).toContain("'Bearer '");
      expect((await fetch(`${controller.baseUrl}/graphiql/assets/..%2Fpackage.json`)).status).toBe(404);
      // Apollo's CDN landing page is off.
      const landing = await fetch(`${controller.baseUrl}/graphql`, { headers: { accept: 'text/html' } });
      expect(await landing.text()).not.toMatch(/cdn|unpkg|jsdelivr/i);
    });
  });

  describe('#11b metrics', () => {
    it('answers 404 for /metrics on the API port and serves metrics on METRICS_PORT', async () => {
      expect((await controller.request('GET', '/metrics')).status).toBe(404);
      const metrics = await fetch(controller.metricsUrl);
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toContain('lattice_http_request_duration_seconds');
      expect((await fetch(`http://127.0.0.1:${controller.metricsPort}/v1/clusters`)).status).toBe(404);
    });
  });

  describe('#11c gRPC bind address', () => {
    it('listens for agents on the configured HOST (127.0.0.1) only, not on every interface', () => {
      // Read from the kernel's socket table: no traffic to any non-loopback address is needed.
      if (!fs.existsSync('/proc/net/tcp')) {
        console.warn('skipped: /proc/net/tcp is not available to read listening sockets');
        return;
      }
      const portHex = controller.grpcPort.toString(16).toUpperCase().padStart(4, '0');
      const listening = ['/proc/net/tcp', '/proc/net/tcp6']
        .filter((file) => fs.existsSync(file))
        .flatMap((file) => fs.readFileSync(file, 'utf8').split('\n').slice(1))
        .map((line) => line.trim().split(/\s+/))
        .filter((columns) => columns[3] === '0A' && columns[1]?.endsWith(`:${portHex}`))
        .map((columns) => columns[1]!.split(':')[0]!);
      // 0100007F is 127.0.0.1 in the kernel's little-endian hex.
      expect(listening).toEqual(['0100007F']);
    });
  });

  describe('#11d prototype keys in bodies', () => {
    it.each([
      ['{"name":"x","url":"https://8.8.8.8/h","__proto__":{"enabled":false}}', 'body.__proto__', '__proto__'],
      [
        '{"name":"x","url":"https://8.8.8.8/h","constructor":{"prototype":{"a":1}}}',
        'body.constructor',
        'constructor',
      ],
      [
        '{"name":"x","url":"https://8.8.8.8/h","eventTypes":[{"prototype":1}]}',
        'body.eventTypes[0].prototype',
        'prototype',
      ],
    ])('refuses %s with 400 naming the key path', async (body, path, key) => {
      const response = await fetch(`${controller.baseUrl}/v1/webhooks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.adminToken}`, 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(400);
      expect(JSON.stringify(await response.json())).toContain(`${path}: the key \\"${key}\\" is not allowed`);
    });
  });
});
