import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';

interface ClusterView {
  name: string;
  status: string;
  desiredVersion: number;
  appliedVersion: number;
}

/**
 * The fleet simulator (`npm run sim`) against a real controller: it creates the tenant, the
 * clusters and a Global Namespace, its agents register with their own tokens and certificates,
 * hold their streams, acknowledge the desired state and send telemetry that GraphQL can read.
 */
describe('fleet simulator', () => {
  const AGENTS = 5;
  let database: TestDatabase;
  let controller: ControllerProcess;
  let sim: ChildProcess | undefined;
  let keyCache: string;
  const events: Record<string, unknown>[] = [];
  let stderr = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    keyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'lattice-sim-keys-'));
  });

  afterAll(async () => {
    if (sim && sim.exitCode === null) sim.kill('SIGKILL');
    await controller?.stop();
    await database?.drop();
    fs.rmSync(keyCache, { recursive: true, force: true });
  });

  function startSimulator(args: string[]): ChildProcess {
    const child = spawn(process.execPath, [path.join(projectRoot(), 'dist/apps/sim/src/main.js'), ...args], {
      cwd: projectRoot(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let buffer = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as Record<string, unknown>);
    });
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return child;
  }

  const event = (name: string) => events.find((entry) => entry['event'] === name);

  it('refuses bad flags with one line per problem and exit code 2', async () => {
    const child = startSimulator(['--agents=0', '--controller=nowhere']);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(stderr).toContain('lattice-sim: --controller must be host:port, got "nowhere"');
    expect(stderr).toContain('lattice-sim: --agents must be an integer 1-20000, got "0"');
    stderr = '';
  });

  it('connects every agent, which acknowledges the desired state and reports queryable telemetry', async () => {
    sim = startSimulator([
      `--controller=${controller.grpcAddress}`,
      `--api=${controller.baseUrl}`,
      `--operator-token=${controller.operatorToken}`,
      '--tenant=fleet',
      `--agents=${AGENTS}`,
      '--cluster-prefix=fleet',
      '--gns=bookinfo',
      '--heartbeat-seconds=2',
      '--telemetry-interval-seconds=1',
      '--telemetry-replay=10',
      '--telemetry-backfill=30',
      '--status-interval=1',
      `--key-cache=${keyCache}`,
    ]);
    await eventually(
      async () =>
        event('connected') ?? (sim?.exitCode !== null ? { exited: sim?.exitCode, stderr } : undefined),
      (value) => value !== undefined,
      90_000,
    );
    expect(event('connected')).toMatchObject({ agents: AGENTS });
    const provisioned = event('provisioned') as { tenantToken: string; globalNamespaceId: string };
    const token = provisioned.tenantToken;
    expect(token).toMatch(/^lat_/);

    // Every cluster is CONNECTED and has applied the version the controller wants it to have.
    const clusters = await eventually(
      async () =>
        (await controller.request('GET', '/v1/clusters?limit=100', { token })).json.items as ClusterView[],
      (items) =>
        items.length === AGENTS &&
        items.every(
          (cluster) =>
            cluster.status === 'CONNECTED' &&
            cluster.desiredVersion > 0 &&
            cluster.appliedVersion === cluster.desiredVersion,
        ),
      60_000,
    );
    expect(clusters.map((cluster) => cluster.name).sort()).toEqual([
      'fleet-00000',
      'fleet-00001',
      'fleet-00002',
      'fleet-00003',
      'fleet-00004',
    ]);

    // Their telemetry is queryable: in the topology of the last 40 minutes, every cluster's details
    // service receives traffic (rates are per destination; productpage only calls out).
    // Whole minutes: the 40 before the current one.
    const lastMinute = Math.floor(Date.now() / 60_000) * 60_000;
    const from = new Date(lastMinute - 40 * 60_000).toISOString();
    const to = new Date(lastMinute).toISOString();
    const topology = await eventually(
      async () =>
        (
          await controller.request('POST', '/graphql', {
            token,
            body: {
              query:
                'query($gns: ID!, $from: DateTime!, $to: DateTime!) { topology(gnsId: $gns, from: $from, to: $to) { nodes { clusterName service requestRate } } }',
              variables: { gns: provisioned.globalNamespaceId, from, to },
            },
          })
        ).json as {
          data?: { topology: { nodes: { clusterName: string; service: string; requestRate: number }[] } };
        },
      (body) =>
        new Set(
          (body.data?.topology.nodes ?? [])
            .filter((node) => node.service === 'details' && node.requestRate > 0)
            .map((node) => node.clusterName),
        ).size === AGENTS,
      60_000,
    );
    expect(
      topology.data?.topology.nodes.filter((node) => node.service === 'ratings' && node.requestRate > 0),
    ).toHaveLength(AGENTS);

    // The simulator's own view agrees: every agent connected, ACKs sent, no NACKs.
    const status = await eventually(
      async () => events.filter((entry) => entry['event'] === 'status').at(-1),
      (value) => value !== undefined && (value['connected'] as number) === AGENTS,
      10_000,
    );
    expect(status).toMatchObject({ agents: AGENTS, connected: AGENTS, nacksSent: 0 });
    expect(status?.['acksSent'] as number).toBeGreaterThanOrEqual(AGENTS);

    // SIGTERM stops every agent and exits 0.
    const exited = new Promise<number | null>((resolve) => sim?.once('exit', resolve));
    sim.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(event('stopped')).toMatchObject({ agents: AGENTS });
  });
});
