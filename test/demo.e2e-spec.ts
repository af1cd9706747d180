import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { verifyWebhookSignature } from '@lattice/domain';
import { projectRoot } from '@lattice/platform';
import { freePort } from '../apps/controller/src/platform/bootstrap/local-resources.util';
import { parseAllDocuments } from 'yaml';
import { createTestDatabase, type TestDatabase } from './support/database';
import { assertIstioClean, type AnalyzedObject } from './support/istio-analyzer';
import { TEST_REDIS_URL } from './support/test-env';

type Json = Record<string, unknown>;

/** The printed tour: the `export` line and the `$` commands of each numbered step. */
function parseTour(banner: string): { prelude: string; steps: Map<number, string[]> } {
  const tour = banner.slice(banner.indexOf('Tour, about five minutes'));
  const steps = new Map<number, string[]>();
  let prelude = '';
  let step = 0;
  for (const line of tour.split('\n')) {
    const header = /^(\d)\. /.exec(line);
    if (header) step = Number(header[1]);
    const command = /^ {2}\$ (.*)$/.exec(line)?.[1];
    if (!command) continue;
    if (step === 0) prelude += `${command}\n`;
    else steps.set(step, [...(steps.get(step) ?? []), command]);
  }
  return { prelude, steps };
}

/** Runs commands as a user pasting them into bash would, after the tour's `export` line. */
function bash(prelude: string, commands: string[], timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      ['-c', `set -e\n${prelude}${commands.join('\n')}`],
      { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        error ? reject(new Error(`${error.message}\n${stdout}\n${stderr}`)) : resolve(stdout),
    );
  });
}

/** Polls `check` until it returns a value, or fails with the last thing it saw. */
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
    await new Promise((resolve) => setTimeout(resolve, 3_000));
  }
}

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
      // Not the default 9464: another controller or agent on the machine may hold it.
      METRICS_PORT: String(await freePort()),
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
    // The demo's inventory files carry each cluster's Istio installation (mesh: sections), and it is
    // the installation a multi-network mesh needs: the GNS's preflight diagnostics are clean.
    let diagnostics = await get(`/v1/global-namespaces/${state.gnsId}/diagnostics`, token);
    for (
      let attempt = 0;
      attempt < 40 && (diagnostics.json.clusters as Json[]).some((c) => !c.installation);
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 250));
      diagnostics = await get(`/v1/global-namespaces/${state.gnsId}/diagnostics`, token);
    }
    expect(diagnostics.status).toBe(200);
    expect(diagnostics.json.findings).toEqual([]);
    expect(Object.keys(state.slos).sort()).toEqual(['productpage-experience', 'ratings-availability']);
    for (const id of Object.values(state.slos)) expect((await get(`/v1/slos/${id}`, token)).status).toBe(200);

    // Each cluster has the GNS rendered: e.g. edge reaches productpage (in east) through a ServiceEntry.
    const manifests = (cluster: string) => fs.readdirSync(path.join(dataDir, 'demo', 'manifests', cluster));
    for (const cluster of ['east', 'west', 'edge']) {
      expect(manifests(cluster).some((file) => /^serviceentry\..*productpage/.test(file))).toBe(true);
      expect(manifests(cluster).some((file) => /^serviceentry\..*ratings/.test(file))).toBe(true);
      // The east-west Gateway for the GNS domain, and everything passes the Istio analysis.
      expect(manifests(cluster).some((file) => /^gateway\..*eastwest/.test(file))).toBe(true);
      const objects = manifests(cluster).flatMap((file) =>
        parseAllDocuments(
          fs.readFileSync(path.join(dataDir, 'demo', 'manifests', cluster, file), 'utf8'),
        ).map((document) => document.toJS() as AnalyzedObject),
      );
      expect(() => assertIstioClean(objects)).not.toThrow();
    }
    // Remote endpoints carry their cluster's network and locality; reviews prefers the local cluster.
    const reviewsEntry = manifests('east').find((file) => /^serviceentry\..*reviews/.test(file));
    const entry = parseAllDocuments(
      fs.readFileSync(path.join(dataDir, 'demo', 'manifests', 'east', reviewsEntry!), 'utf8'),
    )[0]!.toJS() as { spec: { endpoints: { address: string; network?: string; locality?: string }[] } };
    expect(entry.spec.endpoints).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          address: '198.51.100.20',
          network: 'net-west',
          locality: 'us-west-2/us-west-2a/west',
        }),
      ]),
    );

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

    // The west agent sends ratings' history on its first collection and records it in its state
    // directory; an hour before its end ratings had about 27 calls a second.
    const historyRecord = path.join(dataDir, 'demo', 'agents', 'west', 'state', 'synthetic-history.json');
    const ratingsRateAt = async (minuteMs: number) => {
      const query = `{ serviceMetrics(gnsId: "${state.gnsId}", service: "ratings", from: "${new Date(minuteMs).toISOString()}", to: "${new Date(minuteMs + 60_000).toISOString()}", step: 60) { requestRate } }`;
      const response = await fetch(`${base}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query }),
      });
      const body = (await response.json()) as { data?: { serviceMetrics: { requestRate: number }[] } };
      return body.data?.serviceMetrics[0]?.requestRate ?? 0;
    };
    const history = await eventually('the ratings history to be stored', 120_000, async () => {
      const record = JSON.parse(fs.readFileSync(historyRecord, 'utf8')) as {
        untilUnixMs: number;
        items: number;
      };
      const rate = await ratingsRateAt(record.untilUnixMs - 3_600_000);
      return rate > 0 ? { record, rate } : undefined;
    });
    expect(history.record.items).toBe(18_000);
    expect(history.rate).toBeGreaterThan(20);
    expect(history.rate).toBeLessThan(34);

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
    // A restarted agent does not send the history again: it would count twice.
    await new Promise((resolve) => setTimeout(resolve, 20_000)); // past the agents' first collection
    expect(JSON.parse(fs.readFileSync(historyRecord, 'utf8'))).toEqual(history.record);
    expect(await ratingsRateAt(history.record.untilUnixMs - 3_600_000)).toBe(history.rate);
    expect(await second.interrupt()).toBe(0);
  });

  it('runs the printed tour: topology, an honest burning SLO, a canary, a CA rotation in about a minute and a signed webhook', async () => {
    const demo = new Demo(env);
    demos.push(demo);
    const banner = await demo.start();
    for (const setting of [
      'LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS=30',
      'LATTICE_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true',
    ])
      expect(banner).toContain(setting);
    const { prelude, steps } = parseTour(banner);
    expect([...steps.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
    const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'demo', 'state.json'), 'utf8')) as {
      webhook: { id: string; secret: string };
    };
    const started = Date.now();

    // 1. Topology: ratings shows up with its errors once the first whole minute of traffic is in.
    await eventually('ratings in the topology', 240_000, async () => {
      const result = JSON.parse(await bash(prelude, steps.get(1)!)) as {
        data: { topology: { nodes: { service: string; requestRate: number; errorRate: number }[] } };
      };
      const ratings = result.data.topology.nodes.find((node) => node.service === 'ratings');
      return ratings && ratings.requestRate > 0 && ratings.errorRate > 0 ? ratings : undefined;
    });

    // 2. The burning SLO: ratings' 9,000 minutes of history (0.2 % errors, the last 10 at 3 %) give
    // a budget of 90 bad minutes, 10 of them spent before the demo began, and every demo minute is
    // bad: WARNING with the 1h/5m page, VIOLATED only after about 80 minutes (docs/slos.md).
    const slo = await eventually('the ratings SLO in WARNING with its page', 300_000, async () => {
      const result = JSON.parse(await bash(prelude, steps.get(2)!)) as {
        data: {
          slo: {
            noDataPolicy: string;
            status: {
              health: string;
              compliance: number;
              meetsTarget: boolean;
              budget: { remainingFraction: number };
              activeAlerts: { rule: string }[];
            } | null;
          };
        };
      };
      const status = result.data.slo.status;
      return status?.health === 'WARNING' && status.activeAlerts.some((alert) => alert.rule === 'PAGE_1H_5M')
        ? result.data.slo
        : undefined;
    });
    expect(slo.noDataPolicy).toBe('IGNORE');
    // Judged on the minutes with traffic: about 9,000 of which 10 + (minutes of demo so far) bad.
    expect(slo.status!.meetsTarget).toBe(true);
    expect(slo.status!.compliance).toBeGreaterThan(0.99);
    expect(slo.status!.compliance).toBeLessThan(0.9995);
    expect(slo.status!.budget.remainingFraction).toBeGreaterThan(0.5);
    expect(slo.status!.budget.remainingFraction).toBeLessThan(0.9);
    // The 1h/5m page alone: the other rules need more bad minutes than the demo has had yet.
    expect(slo.status!.activeAlerts.map((alert) => alert.rule)).toEqual(['PAGE_1H_5M']);

    // 3. The canary reaches the rendered VirtualService of reviews.
    const canary = await bash(prelude, steps.get(3)!);
    expect(canary).toContain('subset: v1');
    expect(canary).toMatch(/weight: 80/);
    expect(canary).toMatch(/subset: v3\s+weight: 10/);

    // 4. The rotation runs to IDLE in about a minute; the loop as printed ends by itself.
    const rotationStart = Date.now();
    const rotation = await bash(prelude, steps.get(4)!, 240_000);
    const rotationSeconds = (Date.now() - rotationStart) / 1000;
    expect(rotation).toContain('"stage":"TRUST_BOTH"');
    expect(rotation.trim().split('\n').at(-1)).toBe('"stage":"IDLE"');
    const ca = (await get(`/v1/global-namespaces/${/GNS=(\S+)/.exec(prelude)![1]}/ca`, token(prelude))).json;
    expect(ca).toMatchObject({ rotation: { stage: 'IDLE', currentRootGeneration: 2 } });
    process.stdout.write(`demo tour: CA rotation took ${rotationSeconds.toFixed(0)} s\n`);
    expect(rotationSeconds).toBeLessThan(180);

    // 5. A test event and the alert reach the demo's receiver, signed with the endpoint's secret.
    const test = await bash(prelude, steps.get(5)!.slice(0, 1));
    expect(JSON.parse(test)).toMatchObject({ eventType: 'webhook.test' });
    const received = await eventually('a signed test and alert delivery', 120_000, async () => {
      const lines = fs
        .readFileSync(path.join(dataDir, 'demo', 'webhook-deliveries.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map(
          (line) =>
            JSON.parse(line) as { receivedAt: string; signature: string; body: string; verified: boolean },
        );
      const types = new Set(lines.map((line) => (JSON.parse(line.body) as { type: string }).type));
      return types.has('webhook.test') && types.has('slo.alert.fired') ? lines : undefined;
    });
    for (const delivery of received) {
      expect(delivery.verified).toBe(true);
      const at = Math.floor(Date.parse(delivery.receivedAt) / 1000);
      expect(verifyWebhookSignature(delivery.signature, state.webhook.secret, delivery.body, at)).toBe(true);
      expect(verifyWebhookSignature(delivery.signature, 'another-secret', delivery.body, at)).toBe(false);
    }
    const fired = received
      .map((delivery) => JSON.parse(delivery.body) as { type: string; slo?: { name: string } })
      .find((event) => event.type === 'slo.alert.fired');
    expect(fired?.slo?.name).toBe('ratings-availability');
    // Printed by the run it fired in: with ratings' history the page fires in the first run and
    // stays active across the restarts (the quiet time between runs does not count under IGNORE).
    expect(demos.map((run) => run.output).join('\n')).toContain(
      'webhook received, signature verified: slo.alert.fired ratings-availability',
    );
    const deliveries = JSON.parse(await bash(prelude, steps.get(5)!.slice(1))) as {
      items: { status: string }[];
    };
    expect(deliveries.items.some((item) => item.status === 'SUCCEEDED')).toBe(true);

    // 6. The preflight diagnostics the tour prints: every member cluster diagnosed, nothing found.
    const diagnostics = JSON.parse(await bash(prelude, steps.get(6)!)) as {
      clusters: { name: string; installation: unknown }[];
      findings: unknown[];
    };
    expect(diagnostics.clusters.map((cluster) => cluster.name).sort()).toEqual(['east', 'edge', 'west']);
    expect(diagnostics.clusters.every((cluster) => cluster.installation !== null)).toBe(true);
    expect(diagnostics.findings).toEqual([]);
    process.stdout.write(
      `demo tour: ${((Date.now() - started) / 1000).toFixed(0)} s from ready to the end\n`,
    );

    expect(await demo.interrupt()).toBe(0);
  }, 900_000);
});

function token(prelude: string): string {
  return /Bearer (\S+?)"/.exec(prelude)![1]!;
}
