import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import type { Benchmark, BenchContext } from './support/benchmark';
import type { BenchController } from './support/controller';
import { machineLoad } from './support/proc-stats';
import {
  FLEET_CONTROLLER_ENV,
  createFleetSpans,
  waitForFleetConvergence,
  WorkerFleet,
} from './support/worker-fleet';

/**
 * 1. Idle agents held by one controller process: the agents run in separate simulator processes
 *    (`dist/apps/sim/src/main.js`, 1,000 agents each), so the controller's resident memory is its
 *    own; per agent = (RSS with the fleet connected - RSS before) / agents.
 * 2. Restart: 1,000 agents (in worker processes) in Global Namespaces of 100 clusters each
 *    (`--restart-gns-span`); the controller is stopped (SIGTERM) and started again; measured until
 *    every agent has a new stream and has the desired version again.
 */
export const benchmark: Benchmark = {
  name: 'scale',
  description:
    'idle agents per controller and its memory per agent; 1,000 agents reconnecting after a restart',
  async run(ctx) {
    const idleAgents = Number(ctx.args['idle-agents'] ?? 5000);
    const perProcess = Number(ctx.args['agents-per-process'] ?? 1000);
    const restartAgents = Number(ctx.args['restart-agents'] ?? 1000);
    const controller = await ctx.startController({ env: FLEET_CONTROLLER_ENV });
    if (idleAgents > 0) await measureIdle(ctx, controller, idleAgents, perProcess);
    const span = Number(ctx.args['restart-gns-span'] ?? 100);
    if (restartAgents > 0)
      await measureRestart(ctx, controller, restartAgents, Math.min(span, restartAgents));
  },
};

async function measureIdle(
  ctx: BenchContext,
  controller: BenchController,
  agents: number,
  perProcess: number,
) {
  const tenant = await ctx.createTenant('idle', controller);
  // Let the fresh controller settle before the baseline.
  await sleep(3000);
  const baseline = controller.rssBytes();
  const processes = Math.ceil(agents / perProcess);
  const children: ChildProcess[] = [];
  ctx.onCleanup(async () => {
    await Promise.all(children.map((child) => stopChild(child)));
  });
  const started = Date.now();
  const connected = await Promise.all(
    Array.from({ length: processes }, (_, i) => {
      const count = Math.min(perProcess, agents - i * perProcess);
      const child = spawn(
        process.execPath,
        [
          '--max-old-space-size=4096',
          path.join(projectRoot(), 'dist/apps/sim/src/main.js'),
          `--controller=${controller.grpcAddress}`,
          `--api=${controller.baseUrl}`,
          `--token=${tenant.adminToken}`,
          `--agents=${count}`,
          `--cluster-prefix=idle-${i}`,
          '--telemetry-interval-seconds=0',
          '--status-interval=0',
          // The same 1,000 keys serve every process (each agent still gets its own certificate).
          `--key-pool=${Math.min(perProcess, 1000)}`,
          '--connect-concurrency=25',
          '--log-level=error',
        ],
        { cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(child);
      return waitForEvent(ctx, child, 'connected', 900_000, `sim ${i}`);
    }),
  );
  const connectSeconds = (Date.now() - started) / 1000;
  ctx.log(
    `${agents} agents connected in ${connectSeconds.toFixed(0)} s from ${connected.length} processes; idling 30 s`,
  );
  // Idle for a while (heartbeats flow) and take the peak.
  let peak = 0;
  for (let i = 0; i < 30; i++) {
    peak = Math.max(peak, controller.rssBytes());
    await sleep(1000);
  }
  const rows = await ctx.sql<{ n: string }>(
    "SELECT count(*) AS n FROM clusters WHERE tenant_id = $1 AND last_seen_at > now() - interval '45 seconds'",
    [tenant.id],
  );
  const heardFrom = Number(rows[0]?.n ?? 0);
  ctx.record({
    metric: 'idle agents held by one controller process',
    value: heardFrom,
    unit: 'agents',
    target: { op: '>=', value: agents },
    details: { simulatorProcesses: processes, connectSeconds },
  });
  ctx.record({
    metric: `controller RSS with ${agents} idle agents`,
    value: peak / 2 ** 20,
    unit: 'MiB',
    target: { op: '<', value: 2048 },
    details: { baselineMiB: Math.round(baseline / 2 ** 20) },
  });
  ctx.record({
    metric: 'controller memory per idle agent',
    value: (peak - baseline) / agents / 1024,
    unit: 'KiB',
  });
  await Promise.all(children.map((child) => stopChild(child)));
}

/**
 * Reconnect storm: `agents` agents (worker processes, holding their certificates) reconnect after
 * a controller restart; measured from the restarted controller being ready until every agent has
 * a new stream, and until every agent has its cluster's desired version again.
 */
async function measureRestart(ctx: BenchContext, controller: BenchController, agents: number, span: number) {
  const fleet = new WorkerFleet(ctx, controller, { agents, tenantName: 'restart' });
  await fleet.provision();
  await createFleetSpans(fleet, span);
  await fleet.start();
  await waitForFleetConvergence(ctx, fleet, 600_000);
  const streamsBefore = (await fleet.snapshot()).streams;
  ctx.log(`${agents} agents converged; restarting the controller`);
  const stoppedAt = Date.now();
  await controller.restart();
  const readyAt = Date.now();
  const deadline = readyAt + 600_000;
  for (;;) {
    const { streams, connected } = await fleet.snapshot();
    const back = streams.filter((count, i) => count > (streamsBefore[i] as number) && connected[i]).length;
    if (back === agents) break;
    if (Date.now() > deadline) throw new Error(`only ${back}/${agents} agents reconnected within 600 s`);
    await sleep(100);
  }
  const reconnectedAt = Date.now();
  await waitForFleetConvergence(ctx, fleet, 600_000, 0);
  const convergedAt = Date.now();
  ctx.record({
    metric: `${agents} agents reconnected after a controller restart (from ready)`,
    value: reconnectedAt - readyAt,
    unit: 'ms',
    details: { restartMs: readyAt - stoppedAt, fromStopMs: reconnectedAt - stoppedAt, load: machineLoad() },
  });
  ctx.record({
    metric: `${agents} agents reconnected and converged after a restart (from ready)`,
    value: convergedAt - readyAt,
    unit: 'ms',
    target: agents >= 1000 ? { op: '<', value: 15_000 } : undefined,
    details: {
      fromStopMs: convergedAt - stoppedAt,
      // The new process's CPU from its start to the fleet's convergence (start-up included).
      controllerCpuSeconds: controller.cpuSeconds(),
    },
  });
  await fleet.stop();
}

function waitForEvent(
  ctx: BenchContext,
  child: ChildProcess,
  event: string,
  timeoutMs: number,
  label: string,
): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    let errors = '';
    const timer = setTimeout(
      () => reject(new Error(`${label}: no "${event}" within ${timeoutMs} ms\n${errors}`)),
      timeoutMs,
    );
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      errors = (errors + text).slice(-4000);
      if (/registered \d+\/|agents connected|agent keys/.test(text))
        ctx.log(`${label}: ${text.trim().split('\n').at(-1)}`);
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed['event'] === event) {
            clearTimeout(timer);
            resolve(parsed);
          }
        } catch {
          // not a JSON line
        }
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${label} exited with ${code}\n${errors}`));
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
