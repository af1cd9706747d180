import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from '@lattice/platform';
import { AgentProcess, type InventoryFile } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createTenant, type TestTenant } from './support/tenants';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

const shop: InventoryFile = {
  namespaces: [{ name: 'shop' }],
  services: ['cart', 'payments'].map((name) => ({
    namespace: 'shop',
    name,
    ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
    endpointGroups: [
      { labels: { app: name, version: 'v1' }, ready: 1 },
      { labels: { app: name, version: 'v2' }, ready: 1 },
    ],
  })),
};

const documents = {
  'cluster.yaml': `apiVersion: lattice.dev/v1alpha1
kind: Cluster
metadata:
  name: east
spec:
  eastWestAddress: 203.0.113.10
  labels:
    region: eu
`,
  'gns.yaml': `apiVersion: lattice.dev/v1alpha1
kind: GlobalNamespace
metadata:
  name: shop
spec:
  domain: shop.lattice.local
  description: the shop
  matchConditions:
    - cluster: { type: EXACT, value: east }
      namespace: { type: EXACT, value: shop }
`,
  'policies.yaml': `apiVersion: lattice.dev/v1alpha1
kind: TrafficPolicy
metadata:
  globalNamespace: shop
  name: cart
spec:
  subsets:
    - { name: v1, labels: { version: v1 } }
    - { name: v2, labels: { version: v2 } }
  routes:
    - destinations:
        - { subset: v1, weight: 90 }
        - { subset: v2, weight: 10 }
  timeout: 5s
---
apiVersion: lattice.dev/v1alpha1
kind: SecurityPolicy
metadata:
  name: shop
spec:
  defaultAction: ALLOW
  services:
    - { service: payments, mtlsMode: STRICT }
`,
  'autoscaling.yaml': `apiVersion: lattice.dev/v1alpha1
kind: AutoscalingPolicy
metadata:
  globalNamespace: shop
  name: cart
spec:
  mode: EFFICIENCY
  instances: { min: 1, max: 4, default: 2 }
  triggers:
    - { metric: CPU, scaleUp: 800, scaleDown: 300 }
  windowSeconds: 60
  gracePeriodSeconds: 120
  recommendOnly: true
`,
  'slo.yaml': `apiVersion: lattice.dev/v1alpha1
kind: SLO
metadata:
  name: cart-availability
spec:
  globalNamespace: shop
  services: [cart]
  indicators:
    - { kind: ERROR_RATE, maxErrorRatePercent: 1 }
  targetPercent: 99.5
  window: 30d
`,
  'webhook.yaml': `apiVersion: lattice.dev/v1alpha1
kind: Webhook
metadata:
  name: oncall
spec:
  url: http://127.0.0.1:9/hooks/oncall
`,
};

/**
 * The real `lattice` CLI (built, spawned as a user would run it) against the real controller and a
 * real agent: login, cluster register, apply a folder, get, diff, change, apply, wait converged,
 * conflicts, prune, export and re-apply into a new tenant, Idempotency-Key, tenant isolation.
 */
describe('lattice CLI end to end', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let work: string;
  let folder: string;
  let configFile: string;
  const agents: AgentProcess[] = [];

  const spawnCli = (args: string[], env: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist/apps/cli/src/main.js'), ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        LATTICE_CONFIG: configFile,
        NODE_NO_WARNINGS: '1',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: CliRun = { code: null, stdout: '', stderr: '' };
    child.stdout.on('data', (chunk: Buffer) => (run.stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (run.stderr += chunk.toString()));
    const done = new Promise<CliRun>((resolve) =>
      child.once('close', (code) => {
        run.code = code;
        resolve(run);
      }),
    );
    return { run, done };
  };
  const cli = (...args: string[]) => spawnCli(args).done;
  const write = (file: string, text: string) => fs.writeFileSync(path.join(folder, file), text);
  const json = async (...args: string[]) => {
    const result = await cli(...args, '-o', 'json');
    if (result.code !== 0) throw new Error(`lattice ${args.join(' ')}: ${result.code} ${result.stderr}`);
    return JSON.parse(result.stdout) as {
      metadata: { version: number; managedBy?: string; id: string };
      spec: Record<string, unknown>;
      status: Record<string, unknown>;
      items?: { metadata: { name: string; globalNamespace?: string; version: number } }[];
    };
  };

  /** `lattice cluster register` until it prints the install command; the agent started from it; the CLI's end. */
  const registerAndStartAgent = async (name: string, extra: string[]) => {
    const caFile = path.join(work, `${name}-${agents.length}-ca.pem`);
    const registering = spawnCli([
      'cluster',
      'register',
      name,
      '--ca-file',
      caFile,
      '--timeout',
      '90s',
      ...extra,
    ]);
    const token = await eventually(
      async () => /LATTICE_BOOTSTRAP_TOKEN=(\S+)/.exec(registering.run.stdout)?.[1],
      (found) => found !== undefined,
      30_000,
    );
    const agent = new AgentProcess(name, {
      controllerAddress: () => controller.grpcAddress,
      caPem: fs.readFileSync(caFile, 'utf8'),
      bootstrapToken: token!,
    });
    agent.writeInventory(shop);
    agent.start();
    agents.push(agent);
    const result = await registering.done;
    expect(result).toMatchObject({ code: 0 });
    expect(result.stderr).toContain(`Cluster ${name} is connected`);
    // Policies and SLOs are checked against the live membership: wait for the inventory.
    await eventually(
      () => json('get', 'cluster', name),
      (cluster) => (cluster.status.inventory as { services: number }).services === 2,
      30_000,
    );
    return agent;
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'cli-a');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-cli-'));
    folder = path.join(work, 'config');
    fs.mkdirSync(folder);
    configFile = path.join(work, 'home', 'lattice.yaml');
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.stop()));
    await controller?.stop();
    await database?.drop();
  });

  it('logs in into a context kept in a 0600 file, and refuses a bad token with the server message and request id', async () => {
    const bad = await cli('login', controller.baseUrl, '--token', 'lat_bad_token', '--name', 'broken');
    expect(bad.code).toBe(4);
    expect(bad.stderr).toMatch(/HTTP 401 UNAUTHENTICATED, request id [\w-]+/);
    expect(fs.existsSync(configFile)).toBe(false);

    const login = await cli('login', controller.baseUrl, '--token', tenant.adminToken, '--name', 'a');
    expect(login).toMatchObject({ code: 0 });
    expect(login.stdout).toContain('as tenant cli-a');
    expect(fs.statSync(configFile).mode & 0o777).toBe(0o600);
    expect((await cli('context', 'current')).stdout).toBe('a\n');
    expect((await cli('context', 'use', 'nope')).code).toBe(9);
  });

  it('registers a cluster, prints the install command and waits until its agent connects', async () => {
    await registerAndStartAgent('east', ['--east-west-address', '203.0.113.10', '-l', 'region=eu']);
  });

  it('refuses an invalid folder locally, naming the file and field, and sends nothing', async () => {
    const broken = path.join(work, 'broken');
    fs.mkdirSync(broken);
    fs.writeFileSync(
      path.join(broken, 'gns.yaml'),
      'apiVersion: lattice.dev/v1alpha1\nkind: GlobalNamespace\nmetadata: { name: Bad_Name }\nspec: { domain: x.local, matchConditons: [] }\n',
    );
    const result = await cli('apply', '-f', broken);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('gns.yaml: metadata.name: must be a DNS label');
    expect(result.stderr).toContain('unknown field matchConditons');
    expect((await json('get', 'gns')).items).toEqual([]);
  });

  it('applies a folder, gets it back, diffs empty, and a second apply changes nothing', async () => {
    for (const [file, text] of Object.entries(documents)) write(file, text);
    const applied = await cli('apply', '-f', folder);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout.split('\n').filter(Boolean)).toEqual([
      'cluster/east unchanged',
      'globalnamespace/shop created',
      'securitypolicy/shop created',
      'trafficpolicy/shop/cart created',
      'autoscalingpolicy/shop/cart created',
      'webhook/oncall created',
      expect.stringMatching(/^ {2}signing secret \(shown only now\): /),
      'slo/cart-availability created',
    ]);

    const gns = await json('get', 'gns', 'shop');
    expect(gns.spec).toEqual({
      domain: 'shop.lattice.local',
      description: 'the shop',
      mtlsMode: 'STRICT',
      matchConditions: [
        { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
      ],
    });
    expect(gns.metadata.managedBy).toBe('lattice-apply');
    const table = await cli('get', 'trafficpolicies');
    expect(table.stdout).toMatch(/^NAME +VERSION +APPLY SET/);
    expect(table.stdout).toMatch(/shop\/cart +1 +default/);
    expect((await json('get', 'tp/shop/cart')).spec.timeout).toBe('5s');
    // The autoscaling policy as REST stores it: what the document left out at REST's defaults.
    const scaling = await json('get', 'asp', 'cart', '-g', 'shop');
    expect(scaling.spec).toEqual({
      mode: 'EFFICIENCY',
      instances: { min: 1, max: 4, default: 2, stepsUp: 1, stepsDown: 1 },
      triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 300 }],
      windowSeconds: 60,
      gracePeriodSeconds: 120,
      recommendOnly: true,
      targets: [],
    });
    const viaRest = await controller.request(
      'GET',
      `/v1/global-namespaces/${gns.metadata.id}/services/cart/autoscaling`,
      { token: tenant.adminToken },
    );
    expect(viaRest.json).toMatchObject({ spec: scaling.spec, version: scaling.metadata.version });
    expect((await cli('get', 'autoscalingpolicies')).stdout).toMatch(
      /shop\/cart +1 +default +\S+ +EFFICIENCY 1-4 CPU \(recommend only\)/,
    );

    const diff = await cli('diff', '-f', folder);
    expect(diff).toMatchObject({ code: 0, stdout: '' });

    const versionsBefore = await Promise.all(
      [
        'gns/shop',
        'tp/shop/cart',
        'asp/shop/cart',
        'sp/shop',
        'slo/cart-availability',
        'webhook/oncall',
        'cluster/east',
      ].map(async (target) => (await json('get', target)).metadata.version),
    );
    const again = await cli('apply', '-f', folder);
    expect(again.code).toBe(0);
    expect(
      again.stdout
        .split('\n')
        .filter(Boolean)
        .every((line) => line.endsWith(' unchanged')),
    ).toBe(true);
    const versionsAfter = await Promise.all(
      [
        'gns/shop',
        'tp/shop/cart',
        'asp/shop/cart',
        'sp/shop',
        'slo/cart-availability',
        'webhook/oncall',
        'cluster/east',
      ].map(async (target) => (await json('get', target)).metadata.version),
    );
    expect(versionsAfter).toEqual(versionsBefore);
  });

  it('refuses an autoscaling policy the controller finds wrong, naming the document and its fields (exit 3)', async () => {
    const bad = path.join(work, 'bad-autoscaling');
    fs.mkdirSync(bad);
    fs.writeFileSync(
      path.join(bad, 'autoscaling.yaml'),
      documents['autoscaling.yaml']
        .replace('min: 1, max: 4', 'min: 5, max: 4')
        .replace('scaleDown: 300', 'scaleDown: 900'),
    );
    const result = await cli('apply', '-f', bad);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('autoscaling.yaml (AutoscalingPolicy/shop/cart)');
    expect(result.stderr).toContain('spec.instances.min: must be at most max (4)');
    expect(result.stderr).toContain('spec.triggers[0].scaleDown: must be below scaleUp (800)');
    expect((await json('get', 'asp/shop/cart')).spec.instances).toMatchObject({ min: 1, max: 4 });
  });

  it('diff shows a changed file with the Istio objects per cluster (exit 1); apply; wait until converged', async () => {
    write(
      'policies.yaml',
      documents['policies.yaml'].replace('weight: 90', 'weight: 50').replace('weight: 10', 'weight: 50'),
    );
    const diff = await cli('diff', '-f', folder);
    expect(diff.code).toBe(1);
    expect(diff.stdout).toContain('~ TrafficPolicy/shop/cart');
    expect(diff.stdout).toContain('spec.routes[0].destinations[0].weight: 90 → 50');
    expect(diff.stdout).toMatch(/cluster east: .*~VirtualService\//);
    expect((await json('get', 'tp/shop/cart')).metadata.version).toBe(1);

    const dryRun = await cli('apply', '-f', folder, '--dry-run');
    expect(dryRun.stdout).toContain('trafficpolicy/shop/cart configured (dry run)');
    expect((await json('get', 'tp/shop/cart')).metadata.version).toBe(1);

    const applied = await cli('apply', '-f', folder);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('trafficpolicy/shop/cart configured');
    const wait = await cli('wait', 'gns/shop', '--for=converged', '--timeout', '90s');
    expect(wait.stderr).toContain('gns/shop is converged (1 member clusters)');
    expect(wait.code).toBe(0);
    const virtualServices = agents[0]!.readManifests((file) => file.includes('virtualservice')).join('\n');
    expect(virtualServices).toMatch(/weight: 50/);
    expect((await cli('diff', '-f', folder)).code).toBe(0);
  });

  it('diagnose lists the preflight findings of a GNS with their fixes', async () => {
    // The agent's inventory file has no mesh: section, so its installation is unknown (a warning).
    const shown = await cli('diagnose', 'shop');
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('gns/shop (');
    expect(shown.stdout).toMatch(/1\s+WARNING\s+east\s+INSTALLATION_UNKNOWN/);
    expect(shown.stdout).toContain('Fix:');
    const asJson = await cli('diagnose', 'gns/shop', '-o', 'json');
    expect(
      (JSON.parse(asJson.stdout) as { findings: { code: string }[] }).findings.map((finding) => finding.code),
    ).toEqual(['INSTALLATION_UNKNOWN']);
    expect((await cli('diagnose', 'nope')).code).toBe(5);
  });

  it('refuses to overwrite a change made outside apply (exit 6) unless forced', async () => {
    const gns = await json('get', 'gns', 'shop');
    const edited = await controller.request('PUT', `/v1/global-namespaces/${gns.metadata.id}`, {
      token: tenant.adminToken,
      headers: { 'if-match': `"${gns.metadata.version}"` },
      body: { ...gns.spec, name: 'shop', description: 'edited by hand' },
    });
    expect(edited.status).toBe(200);
    const refused = await cli('apply', '-f', folder);
    expect(refused.code).toBe(6);
    expect(refused.stderr).toMatch(
      /GlobalNamespace\/shop was changed outside apply since the last apply .*HTTP 409 CONFLICT, request id/,
    );
    const diff = await cli('diff', '-f', folder);
    expect(diff.stdout).toContain('spec.description: "edited by hand" → "the shop"');
    const forced = await cli('apply', '-f', folder, '--force-conflicts');
    expect(forced.code).toBe(0);
    expect((await json('get', 'gns', 'shop')).spec.description).toBe('the shop');
  });

  it('prunes only what apply created and the folder no longer names', async () => {
    const manual = await controller.request('POST', '/v1/webhooks', {
      token: tenant.adminToken,
      body: { name: 'manual', url: 'http://127.0.0.1:9/hooks/manual' },
    });
    expect(manual.status).toBe(201);
    fs.rmSync(path.join(folder, 'webhook.yaml'));
    fs.rmSync(path.join(folder, 'slo.yaml'));
    const preview = await cli('diff', '-f', folder, '--prune');
    expect(preview.code).toBe(1);
    expect(preview.stdout.split('\n').filter(Boolean)).toEqual([
      '- SLO/cart-availability (pruned)',
      '- Webhook/oncall (pruned)',
    ]);

    const pruned = await cli('apply', '-f', folder, '--prune');
    expect(pruned.code).toBe(0);
    expect(pruned.stdout).toContain('slo/cart-availability pruned');
    expect(pruned.stdout).toContain('webhook/oncall pruned');
    const webhooks = await json('get', 'webhooks');
    expect(webhooks.items!.map((item) => item.metadata.name)).toEqual(['manual']);
    // The cluster was registered imperatively (not created by apply): never pruned.
    expect((await cli('get', 'cluster', 'east')).code).toBe(0);
    expect((await cli('apply', '-f', folder, '--prune')).stdout).not.toContain('pruned');
  });

  it('export, re-applied into a new tenant, gives identical resources', async () => {
    fs.writeFileSync(path.join(folder, 'slo.yaml'), documents['slo.yaml']);
    expect((await cli('apply', '-f', folder)).code).toBe(0);
    const exported = path.join(work, 'export-a.yaml');
    expect((await cli('export', '-f', exported)).code).toBe(0);
    const text = fs.readFileSync(exported, 'utf8');
    expect(text).toContain('kind: AutoscalingPolicy\nmetadata:\n  name: cart\n  globalNamespace: shop\n');
    for (const document of text.split('---\n').map((section) => parse(section) as Record<string, object>)) {
      expect(Object.keys(document)).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(Object.keys(document.metadata!).sort()).not.toContain('version');
    }

    const other = await createTenant(controller, 'cli-b');
    expect((await cli('login', controller.baseUrl, '--token', other.adminToken, '--name', 'b')).code).toBe(0);
    await registerAndStartAgent('east', []);
    const applied = await cli('apply', '-f', exported);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect((await cli('diff', '-f', exported)).code).toBe(0);
    const exportedB = await cli('export');
    expect(exportedB.stdout).toBe(text);
    expect(parse(text.split('---\n')[0]!)).toMatchObject({
      kind: 'Cluster',
      spec: { labels: { region: 'eu' } },
    });
    expect((await cli('context', 'use', 'a')).code).toBe(0);
  });

  it('replays a POST with the same Idempotency-Key and body, and refuses the key with another body (422)', async () => {
    const post = (token: string, key: string, name: string) =>
      controller.request('POST', '/v1/webhooks', {
        token,
        headers: { 'idempotency-key': key },
        body: { name, url: 'http://127.0.0.1:9/hooks/idem' },
      });
    const first = await post(tenant.adminToken, 'key-1', 'idem');
    expect(first.status).toBe(201);
    const retry = await post(tenant.adminToken, 'key-1', 'idem');
    expect(retry.status).toBe(201);
    expect(retry.json).toEqual(first.json);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const other = await post(tenant.adminToken, 'key-1', 'idem-other');
    expect(other.status).toBe(422);
    expect(other.json).toMatchObject({ error: 'UNPROCESSABLE', requestId: expect.any(String) });
    // Without a key the retry runs again: the name is taken.
    expect(
      (
        await controller.request('POST', '/v1/webhooks', {
          token: tenant.adminToken,
          body: { name: 'idem', url: 'http://127.0.0.1:9/hooks/idem' },
        })
      ).status,
    ).toBe(409);
    // Keys are per tenant: another tenant's same key runs its own request.
    const third = await createTenant(controller, 'cli-c');
    const elsewhere = await post(third.adminToken, 'key-1', 'idem');
    expect(elsewhere.status).toBe(201);
    expect((elsewhere.json as { id: string }).id).not.toBe((first.json as { id: string }).id);
    expect((await post(tenant.adminToken, 'not a key', 'idem')).status).toBe(400);
  });

  it('keeps by-name routes inside the tenant', async () => {
    const outsider = await createTenant(controller, 'cli-d');
    const get = await controller.request('GET', '/v1/declarative/globalnamespaces/shop', {
      token: outsider.adminToken,
    });
    expect(get.status).toBe(404);
    const del = await controller.request('DELETE', '/v1/declarative/globalnamespaces/shop', {
      token: outsider.adminToken,
    });
    expect(del.status).toBe(404);
    const tp = await controller.request('GET', '/v1/declarative/trafficpolicies/cart?globalNamespace=shop', {
      token: outsider.adminToken,
    });
    expect(tp.status).toBe(404);
    const asp = await controller.request(
      'GET',
      '/v1/declarative/autoscalingpolicies/cart?globalNamespace=shop',
      { token: outsider.adminToken },
    );
    expect(asp.status).toBe(404);
    const aspDelete = await controller.request(
      'DELETE',
      '/v1/declarative/autoscalingpolicies/cart?globalNamespace=shop',
      { token: outsider.adminToken },
    );
    expect(aspDelete.status).toBe(404);
    expect(
      (await controller.request('GET', '/v1/declarative/export', { token: outsider.adminToken })).json,
    ).toEqual({
      items: [],
    });
    expect((await json('get', 'gns', 'shop')).spec.domain).toBe('shop.lattice.local');
    const missing = await cli('get', 'gns', 'nope');
    expect(missing.code).toBe(5);
    expect(missing.stderr).toMatch(
      /GlobalNamespace\/nope not found \(HTTP 404 NOT_FOUND, request id [\w-]+\)/,
    );
  });

  it('publishes JSON Schemas without a token, the same as docs/schemas/declarative', async () => {
    const schema = await controller.request('GET', '/v1/schemas/globalnamespace.schema.json');
    expect(schema.status).toBe(200);
    const documented = JSON.parse(
      fs.readFileSync(
        path.join(projectRoot(), 'docs/schemas/declarative/globalnamespace.schema.json'),
        'utf8',
      ),
    );
    expect(schema.json).toEqual(documented);
  });

  it('deletes what the files name, dependents first', async () => {
    const deleted = await cli('delete', '-f', path.join(folder, 'policies.yaml'));
    expect(deleted.code).toBe(0);
    expect(deleted.stdout.split('\n').filter(Boolean)).toEqual([
      'trafficpolicy/shop/cart deleted',
      'securitypolicy/shop deleted',
    ]);
    expect((await cli('get', 'tp', 'shop/cart')).code).toBe(5);
    expect((await cli('delete', '-f', path.join(folder, 'policies.yaml'), '--ignore-not-found')).code).toBe(
      0,
    );
    const scaling = await cli('delete', 'asp', 'cart', '-g', 'shop');
    expect(scaling).toMatchObject({ code: 0, stdout: 'autoscalingpolicy/shop/cart deleted\n' });
    expect((await cli('get', 'asp/shop/cart')).code).toBe(5);
  });
});
