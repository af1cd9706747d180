import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../apps/controller/src/platform/bootstrap/local-resources.util';
import { createTestDatabase, type TestDatabase } from './support/database';
import { TEST_REDIS_URL } from './support/test-env';

type Json = Record<string, unknown>;

/** `npm run demo` (scripts/demo.mjs, on the built dist/) against the test PostgreSQL and Redis. */
class Demo {
  output = '';
  private child?: ChildProcess;

  constructor(private readonly env: Record<string, string>) {}

  async start(): Promise<string> {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'scripts/demo.mjs')], {
      cwd: projectRoot(),
      env: { PATH: process.env.PATH ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 150_000;
    while (!this.output.includes('Lattice demo is ready')) {
      if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}:\n${this.output}`);
      if (Date.now() > deadline) throw new Error(`the demo did not get ready:\n${this.output}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return this.output;
  }

  /** Ctrl-C, as a user would; resolves with the exit code. */
  async interrupt(): Promise<number | null> {
    const child = this.child;
    if (!child || child.exitCode !== null) return child?.exitCode ?? null;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    return exited;
  }
}

describe('npm run demo', () => {
  let database: TestDatabase;
  let dataDir: string;
  let env: Record<string, string>;
  let base: string;
  const demos: Demo[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-demo-'));
    const port = await freePort();
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      LATTICE_REDIS_PREFIX: `lattice-demo-${randomBytes(4).toString('hex')}`,
      LATTICE_DATA_DIR: dataDir,
      PORT: String(port),
      GRPC_PORT: String(await freePort()),
      LATTICE_MASTER_KEY: randomBytes(32).toString('base64'),
      LATTICE_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
      LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
      LOG_LEVEL: 'warn',
    };
    base = `http://127.0.0.1:${port}`;
  });

  afterAll(async () => {
    for (const demo of demos) await demo.interrupt();
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const get = async (route: string, token: string) => {
    const response = await fetch(`${base}${route}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: response.status, json: (await response.json()) as Json & { items?: Json[] } };
  };

  it('runs three clusters with a Global Namespace and SLOs, prints where to look, stops on Ctrl-C and resumes', async () => {
    const first = new Demo(env);
    demos.push(first);
    const banner = await first.start();
    const token = /Tenant token\s+(\S+)/.exec(banner)?.[1] ?? '';
    expect(token).toMatch(/^lat_/);
    for (const hint of [`${base}/docs`, `${base}/graphql`, path.join(dataDir, 'demo', 'manifests')])
      expect(banner).toContain(hint);

    const clusters = await get('/v1/clusters', token);
    expect(clusters.json.items!.map((c) => [c.name, c.status]).sort()).toEqual([
      ['east', 'CONNECTED'],
      ['edge', 'CONNECTED'],
      ['west', 'CONNECTED'],
    ]);
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'state.json'), 'utf8')) as {
      gnsId: string;
      slos: Record<string, string>;
    };
    const services = await get(`/v1/global-namespaces/${state.gnsId}/services`, token);
    expect(services.json.items!.map((s) => s.name).sort()).toEqual([
      'bookinfo-gateway',
      'details',
      'productpage',
      'ratings',
      'reviews',
    ]);
    expect(Object.keys(state.slos).sort()).toEqual(['productpage-experience', 'ratings-availability']);
    for (const id of Object.values(state.slos)) expect((await get(`/v1/slos/${id}`, token)).status).toBe(200);

    // Each cluster has the GNS rendered: e.g. edge reaches productpage (in east) through a ServiceEntry.
    const manifests = (cluster: string) => fs.readdirSync(path.join(dataDir, 'demo', 'manifests', cluster));
    for (const cluster of ['east', 'west', 'edge']) {
      expect(manifests(cluster).some((file) => /^serviceentry\..*productpage/.test(file))).toBe(true);
      expect(manifests(cluster).some((file) => /^serviceentry\..*ratings/.test(file))).toBe(true);
    }

    // The printed GraphQL request works as pasted.
    const printed = /-d '(\{"query".*\})'/.exec(banner)?.[1];
    expect(printed).toBeDefined();
    const graphql = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: printed,
    });
    const result = (await graphql.json()) as { data?: Json; errors?: unknown[] };
    expect(result.errors).toBeUndefined();
    expect(result.data).toHaveProperty('topology');

    expect(await first.interrupt()).toBe(0);
    await expect(fetch(`${base}/readyz`)).rejects.toThrow();
    for (const cluster of ['east', 'west', 'edge']) {
      expect(fs.readFileSync(path.join(dataDir, 'demo', `agent-${cluster}.log`), 'utf8')).toContain(
        'shutting down',
      );
    }

    // A second run reuses the tenant, clusters, agent identities, GNS and SLOs.
    const second = new Demo(env);
    demos.push(second);
    const again = await second.start();
    expect(/Tenant token\s+(\S+)/.exec(again)?.[1]).toBe(token);
    expect(again).toContain(state.gnsId);
    const after = await get('/v1/clusters', token);
    expect(after.json.items!.map((c) => [c.name, c.status, c.id]).sort()).toEqual(
      clusters.json.items!.map((c) => [c.name, 'CONNECTED', c.id]).sort(),
    );
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'state.json'), 'utf8')).slos).toEqual(
      state.slos,
    );
    expect(await second.interrupt()).toBe(0);
  });
});
