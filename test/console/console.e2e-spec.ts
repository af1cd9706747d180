import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../../apps/controller/src/platform/bootstrap/local-resources.util';
import { AgentProcess } from '../support/agent-process';
import { createTestDatabase, type TestDatabase } from '../support/database';
import { TEST_REDIS_URL } from '../support/test-env';
import { launchChromium } from './browser';

/**
 * The web console in Debian's Chromium (playwright-core) against `npm run demo`: the real
 * controller with three clusters, real agents, synthetic traffic, a GNS and two SLOs. Screenshots
 * of the main pages go to docs/images/ (shown in the README).
 */
const IMAGES = path.join(projectRoot(), 'docs', 'images');

async function eventually<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}: ${String(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

describe('web console (Chromium against npm run demo)', () => {
  let database: TestDatabase;
  let dataDir: string;
  let demo: ChildProcess;
  let output = '';
  let base: string;
  let grpcPort: number;
  let token: string;
  let gnsId: string;
  let browser: Browser;
  let page: Page;
  const agents: AgentProcess[] = [];

  const api = async (method: string, route: string, body?: unknown, bearer = token) => {
    const response = await fetch(`${base}${route}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return {
      status: response.status,
      json: (await response.json().catch(() => null)) as Record<string, unknown>,
    };
  };
  const shot = async (name: string) => {
    fs.mkdirSync(IMAGES, { recursive: true });
    await page.screenshot({ path: path.join(IMAGES, `console-${name}.png`), fullPage: false });
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-console-'));
    const port = await freePort();
    grpcPort = await freePort();
    base = `http://127.0.0.1:${port}`;
    demo = spawn(process.execPath, [path.join(projectRoot(), 'scripts/demo.mjs')], {
      cwd: projectRoot(),
      env: {
        PATH: process.env.PATH ?? '',
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        LATTICE_REDIS_PREFIX: `lattice-console-${randomBytes(4).toString('hex')}`,
        LATTICE_DATA_DIR: dataDir,
        PORT: String(port),
        GRPC_PORT: String(grpcPort),
        METRICS_PORT: String(await freePort()),
        LATTICE_MASTER_KEY: randomBytes(32).toString('base64'),
        LATTICE_OPERATOR_TOKEN: randomBytes(24).toString('base64url'),
        LATTICE_CA_ROOT_KEY_ALGORITHM: 'RSA-2048',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    demo.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    demo.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await eventually('the demo to get ready', 180_000, async () => {
      if (demo.exitCode !== null) throw new Error(`the demo exited:\n${output}`);
      return output.includes('Lattice demo is ready') ? true : undefined;
    });
    token = /Tenant token\s+(\S+)/.exec(output)![1]!;
    gnsId = (
      JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'state.json'), 'utf8')) as { gnsId: string }
    ).gnsId;
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1400, height: 950 } });
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    for (const agent of agents) await agent.stop();
    if (demo && demo.exitCode === null) {
      const exited = new Promise((resolve) => demo.once('exit', resolve));
      demo.kill('SIGINT');
      await exited;
    }
    await database?.drop();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('is served at /console with SPA fallback, cache headers and a CSP, and a missing asset is a 404', async () => {
    const index = await fetch(`${base}/console/gns/anything`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await index.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${base}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${base}/console/assets/gone-1234.js`)).status).toBe(404);
    // Nothing in the page comes from another origin.
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('signs in with the one-click link from npm run demo, strips the token from the address bar and shows tenant and role', async () => {
    const link = /Web console\s+(\S+)/.exec(output)?.[1];
    expect(link).toBe(`${base}/console/#token=${token}`);
    await page.goto(link!);
    await page.getByTestId('role').waitFor();
    expect(page.url()).toBe(`${base}/console/`);
    expect(await page.evaluate(() => sessionStorage.getItem('lattice.console.token'))).toBe(token);
    expect(await page.getByTestId('role').textContent()).toBe('admin');
    expect(await page.getByTestId('tenant').textContent()).toMatch(/Tenant demo-/);
    await eventually('three connected clusters on the overview', 30_000, async () =>
      (await page.getByTestId('clusters-connected').textContent()) === '3' ? true : undefined,
    );
    await shot('overview');
  });

  it('shows the demo topology with its services and edges, and a service’s charts and SLOs', async () => {
    await page.goto(`${base}/console/gns/${gnsId}/topology`);
    const services = page.getByTestId('topology-services');
    // Telemetry arrives minute by minute: refresh until ratings has traffic and every service shows
    // (ratings' history, sent at once, comes in before the first live minute of the others).
    const names = ['productpage', 'details', 'reviews', 'ratings', 'bookinfo-gateway'];
    await eventually('every service, ratings with traffic, in the topology', 240_000, async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.waitForTimeout(1_000);
      const text = (await services.textContent()) ?? '';
      return /ratings\s*west\s*[1-9]|ratings\s*west\s*0\.[1-9]/.test(text) &&
        names.every((name) => text.includes(name))
        ? true
        : undefined;
    });
    const edges = (await page.getByTestId('topology-edges').textContent()) ?? '';
    expect(edges).toContain('bookinfo-gateway@edge → productpage@east');
    expect(edges).toContain('productpage@east → details@east');
    // The graph holds 3 clusters, 6 service nodes and the edges between them.
    const count = Number(await page.getByTestId('topology-graph').getAttribute('data-elements'));
    expect(count).toBeGreaterThanOrEqual(3 + 6 + 5);
    await shot('topology');

    await services.getByRole('button', { name: 'productpage' }).click();
    const panel = page.getByTestId('service-panel');
    await panel.waitFor();
    await panel.locator('.recharts-line').first().waitFor({ timeout: 30_000 });
    expect(await panel.locator('.recharts-line').count()).toBeGreaterThanOrEqual(5); // requests, errors, p50/p90/p99
    await panel.getByRole('link', { name: 'productpage-experience' }).waitFor();
    await panel.scrollIntoViewIfNeeded();
    await shot('service');
  }, 360_000);

  it('registers a cluster, shows its one-time token and install command, and waits until its agent connects', async () => {
    await page.goto(`${base}/console/clusters`);
    for (const name of ['east', 'west', 'edge'])
      expect(await page.getByTestId(`cluster-${name}`).textContent()).toContain('CONNECTED');
    await shot('clusters');
    await page.getByRole('button', { name: 'Register cluster' }).click();
    await page.getByLabel('Cluster name').fill('extra');
    await page.getByRole('button', { name: 'Register', exact: true }).click();
    const bootstrap = (await page.getByTestId('bootstrap-token').textContent())!.trim();
    expect(await page.getByTestId('install-command').textContent()).toContain('helm');
    await page.getByText('Waiting for the agent of extra to connect').waitFor();
    const clusters = await api('GET', '/v1/clusters');
    expect(
      (clusters.json.items as { name: string; status: string }[]).find((c) => c.name === 'extra')?.status,
    ).toBe('PENDING');
    // The agent verifies the controller with the CA the dialog shows (the demo's agents have the same file).
    const ca = fs.readFileSync(path.join(dataDir, 'demo', 'agents', 'east', 'ca.pem'), 'utf8');
    const agent = new AgentProcess('extra', {
      controllerAddress: () => `127.0.0.1:${grpcPort}`,
      caPem: ca,
      bootstrapToken: bootstrap,
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
          endpointGroups: [{ labels: { app: 'cart' }, ready: 1 }],
        },
      ],
    });
    agents.push(agent);
    agent.start();
    await page.getByTestId('agent-connected').waitFor({ timeout: 60_000 });
    await page.keyboard.press('Escape');
  });

  it('creates a Global Namespace with a live preview and shows its members', async () => {
    await page.goto(`${base}/console/gns/new`);
    await page.getByRole('textbox', { name: /^Name( \*)?$/ }).fill('shop');
    await page.getByLabel('Domain').fill('shop.lattice.local');
    await page.getByLabel('Cluster 1', { exact: true }).fill('extra');
    await page.getByLabel('Namespace 1', { exact: true }).fill('Shop');
    // Invalid input is explained before saving (the controller's own validation rules).
    await page.getByTestId('gns-preview').getByText('must be a valid namespace name').waitFor();
    await page.getByLabel('Namespace 1', { exact: true }).fill('shop');
    await page.getByTestId('gns-preview').getByText('Matching clusters: extra').waitFor();
    // A condition reaching into bookinfo shows the conflict with the older GNS.
    await page.getByRole('button', { name: 'Add match condition' }).click();
    await page.getByLabel('Cluster 2', { exact: true }).fill('east');
    await page.getByLabel('Namespace 2', { exact: true }).fill('bookinfo');
    await page
      .getByTestId('gns-preview')
      .getByText('east/bookinfo stays with the older Global Namespace bookinfo')
      .waitFor();
    await shot('gns-edit');
    await page.getByRole('button', { name: 'Remove match condition 2' }).click();
    await page.getByRole('button', { name: 'Create', exact: true }).click();
    const members = page.getByTestId('gns-members');
    await members.waitFor();
    await eventually('extra/shop as a member', 60_000, async () => {
      await page.reload();
      await members.waitFor();
      return ((await members.textContent()) ?? '').includes('extra/shop') ? true : undefined;
    });
    await page.getByText('cart.shop.lattice.local').waitFor();
  });

  it('changes a traffic policy through the dry-run diff of the rendered Istio objects per cluster', async () => {
    await page.goto(`${base}/console/gns/${gnsId}/policies`);
    await page.getByRole('textbox', { name: 'Policy' }).click();
    await page.getByRole('option', { name: /^reviews/ }).click();
    const spec = {
      subsets: ['v1', 'v2'].map((version) => ({ name: version, labels: { version } })),
      routes: [
        {
          destinations: [
            { subset: 'v1', weight: 90 },
            { subset: 'v2', weight: 10 },
          ],
        },
      ],
    };
    await page.getByLabel('Spec (JSON)').fill(JSON.stringify(spec, null, 2));
    const save = page.getByRole('button', { name: 'Save' });
    expect(await save.isDisabled()).toBe(true); // no save without a dry run
    await page.getByRole('button', { name: 'Preview changes (dry run)' }).click();
    const dryRun = page.getByTestId('dry-run');
    await dryRun.waitFor();
    for (const cluster of ['east', 'west', 'edge']) await dryRun.getByTestId(`dry-run-${cluster}`).waitFor();
    const diff = (await dryRun.textContent()) ?? '';
    expect(diff).toContain('VirtualService');
    expect(diff).toMatch(/\+\s+"weight": 90/);
    await dryRun.getByTestId('dry-run-east').scrollIntoViewIfNeeded();
    await shot('policy-dry-run');
    await save.click();
    await page.getByTestId('policy-saved').waitFor();
    const stored = await api('GET', `/v1/global-namespaces/${gnsId}/traffic-policies/reviews`);
    expect(stored.status).toBe(200);
    expect(JSON.stringify(stored.json)).toContain('"weight":90');
  });

  it('shows the burning SLO in WARNING with its budget, burn rates and its page', async () => {
    await page.goto(`${base}/console/slos`);
    const row = page.getByTestId('slo-ratings-availability');
    // The demo's ratings history (deploy/demo/traffic-west.yaml) leaves 80 of 90 bad minutes of
    // budget with the 1h/5m page firing: WARNING, not VIOLATED (docs/slos.md). Until the SLO's
    // series has read that history it is judged on the demo's minutes alone, hence the wait.
    const text = await eventually('ratings-availability in WARNING with its page', 180_000, async () => {
      await page.reload();
      await row.waitFor();
      const value = (await row.textContent()) ?? '';
      // The alerts column shows each active alert's severity: the 1h/5m page alone.
      return /WARNING/.test(value) && /PAGE/.test(value) && !/TICKET/.test(value) ? value : undefined;
    });
    expect(text).not.toMatch(/VIOLATED/);
    expect(text).toMatch(/1h \d/);
    await shot('slos');
    await row.getByRole('link', { name: 'ratings-availability' }).click();
    await page.getByTestId('slo-events').getByText('FIRED').first().waitFor();
    expect(await page.getByTestId('slo-health').textContent()).toMatch(/WARNING/);
    await page.getByTestId('slo-history').waitFor();
    await shot('slo-detail');
  }, 360_000);

  it('gives a viewer no edit controls, and the server still refuses a viewer’s write', async () => {
    const created = await api('POST', '/v1/tokens', { name: 'console-viewer', role: 'viewer' });
    expect(created.status).toBe(201);
    const viewerToken = created.json.token as string;
    const context = await browser.newContext({ viewport: { width: 1400, height: 950 } });
    const viewer = await context.newPage();
    await viewer.goto(`${base}/console/`);
    await viewer.getByLabel('API token').fill('lat_not-a-token');
    await viewer.getByRole('button', { name: 'Sign in' }).click();
    // A refused sign-in shows the server's message and its request id.
    await viewer
      .getByTestId('error')
      .getByText(/request id/)
      .waitFor();
    await viewer.getByLabel('API token').fill(viewerToken);
    await viewer.getByRole('button', { name: 'Sign in' }).click();
    await viewer.getByTestId('role').getByText('viewer').waitFor();
    expect(await viewer.getByRole('link', { name: 'API tokens' }).count()).toBe(0);
    await viewer.goto(`${base}/console/gns`);
    await viewer.getByRole('link', { name: 'bookinfo' }).waitFor();
    expect(await viewer.getByRole('link', { name: 'Create Global Namespace' }).count()).toBe(0);
    await viewer.goto(`${base}/console/clusters`);
    await viewer.getByTestId('cluster-east').waitFor();
    expect(await viewer.getByRole('button', { name: 'Register cluster' }).count()).toBe(0);
    await viewer.goto(`${base}/console/gns/${gnsId}`);
    await viewer.getByTestId('gns-ca').waitFor();
    expect(await viewer.getByRole('button', { name: 'Rotate root CA' }).count()).toBe(0);
    expect(await viewer.getByRole('link', { name: 'Edit' }).count()).toBe(0);
    await viewer.goto(`${base}/console/gns/${gnsId}/policies`);
    await viewer.getByRole('textbox', { name: 'Policy' }).click();
    await viewer.getByRole('option', { name: /^reviews/ }).click();
    await viewer.getByText('changing them needs the editor role').waitFor();
    expect(await viewer.getByRole('button', { name: 'Preview changes (dry run)' }).count()).toBe(0);
    expect(await viewer.getByLabel('Spec (JSON)').getAttribute('readonly')).not.toBeNull();
    await viewer.goto(`${base}/console/slos`);
    await viewer.getByTestId('slo-ratings-availability').waitFor();
    expect(await viewer.getByRole('link', { name: 'Create SLO' }).count()).toBe(0);
    // The server enforces it whatever the page shows.
    const refused = await api(
      'POST',
      '/v1/global-namespaces',
      { name: 'x', domain: 'x.local', matchConditions: [] },
      viewerToken,
    );
    expect(refused.status).toBe(403);
    // Signing out forgets the token.
    await viewer.getByRole('button', { name: 'Sign out' }).click();
    await viewer.getByLabel('API token').waitFor();
    expect(await viewer.evaluate(() => sessionStorage.getItem('lattice.console.token'))).toBeNull();
    await context.close();
  });
});
