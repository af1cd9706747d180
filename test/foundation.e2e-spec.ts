import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';

describe('controller process (foundation)', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;

  beforeAll(async () => {
    database = await createTestDatabase();
    // A drain delay long enough to watch readiness fail while the process still serves.
    controller = new ControllerProcess({ databaseUrl: database.url, env: { SHUTDOWN_DRAIN_MS: '2000' } });
    await controller.start();
  });

  afterAll(async () => {
    await controller?.stop();
    await database?.drop();
  });

  it('answers liveness and readiness with PostgreSQL and Redis reachable', async () => {
    expect((await controller.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
    const ready = await controller.request('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.json).toMatchObject({ status: 'ready', checks: { database: 'ok', redis: 'ok' } });
  });

  it('exposes Prometheus metrics on the management port (METRICS_PORT)', async () => {
    await controller.request('GET', '/healthz');
    const response = await fetch(controller.metricsUrl);
    const metrics = { status: response.status, headers: response.headers, text: await response.text() };
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain');
    expect(metrics.text).toContain('lattice_http_request_duration_seconds_bucket');
    expect(metrics.text).toContain('process_resident_memory_bytes');
  });

  it('answers an unknown route with a JSON 404 and a request id', async () => {
    const response = await controller.request('GET', '/no/such/route');
    expect(response.status).toBe(404);
    expect(response.json).toMatchObject({ statusCode: 404, message: 'Cannot GET /no/such/route' });
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('answers malformed JSON with a 400 and no stack trace', async () => {
    const response = await controller.request('POST', '/v1/tenants', {
      token: controller.operatorToken,
      body: '{"name": ',
    });
    expect(response.status).toBe(400);
    expect(response.json.statusCode).toBe(400);
    expect(response.text).not.toMatch(/at .*\.js:\d+/);
  });

  it('serves the OpenAPI document and its UI', async () => {
    const document = await controller.request('GET', '/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.json.paths as object)).toEqual(
      expect.arrayContaining(['/v1/tenants', '/v1/tokens/{id}']),
    );
    expect((await controller.request('GET', '/docs')).status).toBe(200);
  });

  it('shuts down gracefully on SIGTERM, and a restart keeps the data', async () => {
    const created = await controller.request('POST', '/v1/tenants', {
      token: controller.operatorToken,
      body: { name: 'survivor' },
    });
    expect(created.status).toBe(201);
    const stopped = controller.stop('SIGTERM');
    // During SHUTDOWN_DRAIN_MS readiness fails (load balancers move away) while requests are served.
    let readiness = await controller.request('GET', '/readyz');
    for (let tries = 0; readiness.status === 200 && tries < 20; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      readiness = await controller.request('GET', '/readyz');
    }
    expect(readiness.status).toBe(503);
    expect(readiness.json).toMatchObject({ checks: { shutdown: 'draining', database: 'ok', redis: 'ok' } });
    expect((await controller.request('GET', '/healthz')).status).toBe(200);
    expect(await stopped).toBe(0);
    await controller.start();
    const tenants = await controller.request('GET', '/v1/tenants', { token: controller.operatorToken });
    expect((tenants.json.items as { name: string }[]).map((t) => t.name)).toContain('survivor');
  });
});

describe('controller start-up configuration errors', () => {
  const start = (env: Record<string, string>) =>
    spawnSync(process.execPath, [path.join(projectRoot(), 'dist/apps/controller/src/main.js')], {
      env: { PATH: process.env.PATH ?? '', ...env },
      encoding: 'utf8',
      timeout: 30_000,
    });

  it('stops with one clear line per malformed variable', () => {
    const result = start({ PORT: 'http', DATABASE_URL: 'mysql://localhost/x', LATTICE_MASTER_KEY: 'short' });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/configuration error: PORT: .*got "http"/);
    expect(result.stderr).toMatch(/configuration error: DATABASE_URL: expected a URL like postgresql:/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('names a malformed master key', () => {
    const result = start({
      DATABASE_URL: 'postgresql://postgres@127.0.0.1:5432/postgres',
      REDIS_URL: 'redis://127.0.0.1:6379',
      LATTICE_MIGRATE_ON_START: 'false',
      LATTICE_OPERATOR_TOKEN: 'x'.repeat(40),
      LATTICE_MASTER_KEY: 'not-a-key',
      LATTICE_DATA_DIR: path.join(os.tmpdir(), 'lattice-config-test'),
    });
    expect(result.status).not.toBe(0);
    expect(result.stderr).toMatch(/LATTICE_MASTER_KEY must be 32 random bytes/);
  });
});
