import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { AgentKeyPool } from '../apps/sim/src/agent-key-pool.service';
import { ControllerApi, type CreatedCluster } from '../apps/sim/src/controller-api.client';
import { runLimited } from '../apps/sim/src/fleet-simulator.service';
import type { Benchmark } from './support/benchmark';
import { machineLoad } from './support/proc-stats';
import type { StreamWorkerReply, StreamWorkerStart } from './support/stream-worker';

/**
 * Idle agent streams held by one controller process, and its resident memory: `--streams=N`
 * (default 10,000) clusters are registered and each holds one bare Connect stream (Hello, then a
 * heartbeat every `--heartbeat-seconds`, 10 by default) from `--workers` processes
 * (support/stream-worker.ts, default one per 2,500 streams). RSS is sampled before, while
 * connecting and over 30 idle seconds; per stream = (peak - baseline) / streams.
 */
export const benchmark: Benchmark = {
  name: 'idle-streams',
  description: 'controller RSS with N idle agent streams (10,000 by default; target < 2 GiB)',
  async run(ctx) {
    const streams = Number(ctx.args['streams'] ?? 10_000);
    const workerCount = Number(ctx.args['workers'] ?? Math.max(1, Math.ceil(streams / 2500)));
    const heartbeatSeconds = Number(ctx.args['heartbeat-seconds'] ?? 10);
    const idleSeconds = Number(ctx.args['idle-seconds'] ?? 30);
    if (!Number.isInteger(streams) || streams < 1) throw new Error(`--streams must be a positive integer`);
    const controller = await ctx.startController({
      env: {
        LATTICE_AGENT_HEARTBEAT_SECONDS: String(heartbeatSeconds),
        LATTICE_REGISTER_PER_MINUTE_PER_PEER: '1000000',
        LATTICE_REGISTER_PER_MINUTE_PER_CLUSTER: '1000000',
      },
    });
    const tenant = await ctx.createTenant('idle-streams', controller);
    const api = new ControllerApi(controller.baseUrl, tenant.adminToken);
    const clusters = new Array<CreatedCluster>(streams);
    let created = 0;
    await runLimited(clusters, 8, async (_, i) => {
      const name = `idle-${String(i).padStart(5, '0')}`;
      clusters[i] = await api.createCluster(name, `${name}.east-west.example.net`, {});
      if (++created % 1000 === 0) ctx.log(`created ${created}/${streams} clusters`);
    });
    const perWorker = Math.ceil(streams / workerCount);
    const keyCacheDirectory = path.join(projectRoot(), '.data/sim-keys');
    const keyPoolSize = Math.min(perWorker, 1000);
    await new AgentKeyPool({ size: keyPoolSize, cacheDirectory: keyCacheDirectory }).prepare();
    await new Promise((resolve) => setTimeout(resolve, 3000)); // let the controller settle
    const baseline = controller.rssBytes();
    let peak = baseline;
    const sampler = setInterval(() => (peak = Math.max(peak, controller.rssBytes())), 1000);
    ctx.onCleanup(() => clearInterval(sampler));
    const children: ChildProcess[] = [];
    ctx.onCleanup(() => {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    });
    const started = Date.now();
    await Promise.all(
      Array.from({ length: workerCount }, (_, w) => {
        const slice = clusters.slice(w * perWorker, (w + 1) * perWorker);
        const child = fork(path.join(projectRoot(), 'dist/bench/support/stream-worker.js'), [], {
          stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
        });
        children.push(child);
        return new Promise<void>((resolve, reject) => {
          child.on('message', (message: StreamWorkerReply) => {
            if (message.type === 'progress')
              ctx.log(`worker ${w}: ${message.registered} registered, ${message.connected} streams open`);
            else if (message.type === 'connected') resolve();
            else reject(new Error(`stream worker ${w}: ${message.message}`));
          });
          child.once('exit', (code) => reject(new Error(`stream worker ${w} exited with ${code}`)));
          child.send({
            type: 'start',
            address: controller.grpcAddress,
            heartbeatMs: heartbeatSeconds * 1000,
            concurrency: 25,
            keyCacheDirectory,
            keyPoolSize,
            clusters: slice.map(({ name, bootstrapToken, controllerCaPem }) => ({
              name,
              bootstrapToken,
              controllerCaPem,
            })),
          } satisfies StreamWorkerStart);
        });
      }),
    );
    const connectSeconds = (Date.now() - started) / 1000;
    ctx.log(`${streams} streams open after ${connectSeconds.toFixed(0)} s; idling ${idleSeconds} s`);
    const connectedPeak = peak;
    for (let i = 0; i < idleSeconds; i++) await new Promise((resolve) => setTimeout(resolve, 1000));
    const held = await controller.metric('lattice_connected_agents');
    const idle = controller.rssBytes();
    clearInterval(sampler);
    const load = machineLoad();
    ctx.record({
      metric: 'idle agent streams held by one controller process',
      value: held,
      unit: 'streams',
      target: { op: '>=', value: streams },
      details: { workers: workerCount, connectSeconds, load },
    });
    ctx.record({
      metric: `controller RSS with ${streams} idle streams (peak)`,
      value: peak / 2 ** 20,
      unit: 'MiB',
      target: { op: '<', value: 2048 },
      details: {
        baselineMiB: Math.round(baseline / 2 ** 20),
        peakWhileConnectingMiB: Math.round(connectedPeak / 2 ** 20),
        afterIdleMiB: Math.round(idle / 2 ** 20),
      },
    });
    const perStream = (peak - baseline) / streams;
    ctx.record({
      metric: 'controller memory per idle stream',
      value: perStream / 1024,
      unit: 'KiB',
      details: { projectedRssFor10000MiB: Math.round((baseline + perStream * 10_000) / 2 ** 20) },
    });
  },
};
