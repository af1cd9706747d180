import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import type { FleetOptions } from '../../apps/sim/src/fleet-simulator.service';
import type { BenchContext } from './benchmark';
import type { BenchController } from './controller';
import type { FleetWorkerReply, FleetWorkerRequest } from './telemetry-fleet-worker';

type ReplyOf<T extends FleetWorkerReply['type']> = Extract<FleetWorkerReply, { type: T }>;

/** One forked fleet-worker process. */
class FleetProcess {
  private readonly waiting = new Map<string, ((reply: FleetWorkerReply) => void)[]>();
  private readonly sent: ((reply: ReplyOf<'sent'>) => void)[] = [];
  private failure: Error | undefined;

  constructor(readonly child: ChildProcess) {
    child.on('message', (reply: FleetWorkerReply) => {
      if (reply.type === 'error') {
        this.failure = new Error(`fleet process ${child.pid}: ${reply.message}`);
        for (const waiters of this.waiting.values()) for (const waiter of waiters) waiter(reply);
        this.waiting.clear();
        return;
      }
      if (reply.type === 'sent') {
        this.sent.shift()?.(reply);
        return;
      }
      this.waiting.get(reply.type)?.shift()?.(reply);
    });
    child.once('exit', (code, signal) => {
      this.failure ??= new Error(`fleet process ${child.pid} exited (${code ?? signal})`);
      const error: FleetWorkerReply = { type: 'error', message: this.failure.message };
      for (const waiters of this.waiting.values()) for (const waiter of waiters) waiter(error);
      this.waiting.clear();
    });
  }

  /** Stops the agents and waits for the process to exit. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ type: 'stop' } satisfies FleetWorkerRequest);
    await exited;
  }

  request<T extends FleetWorkerReply['type']>(request: FleetWorkerRequest, expect: T): Promise<ReplyOf<T>> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const waiters = this.waiting.get(expect) ?? [];
      waiters.push((reply) => (reply.type === 'error' ? reject(this.failure) : resolve(reply as ReplyOf<T>)));
      this.waiting.set(expect, waiters);
      this.child.send(request);
    });
  }

  /** The next telemetry batch one of this process's agents sends. */
  nextSent(): Promise<ReplyOf<'sent'>> {
    return new Promise((resolve) => {
      this.sent.push(resolve);
      this.child.send({ type: 'sample' } satisfies FleetWorkerRequest);
    });
  }
}

export interface FleetProcesses {
  tenantToken: string | undefined;
  globalNamespaceId: string | undefined;
  clusterIds: string[];
  processes: number;
  /** Telemetry items and batches sent so far, summed over the processes; their RSS. */
  status(): Promise<{ itemsSent: number; batchesSent: number; connected: number; rssBytes: number }>;
  /** The next batch some agent sends (processes take turns). */
  nextSent(): Promise<{ clusterId: string; batchId: string; sentAtMs: number }>;
  stop(): Promise<void>;
}

/** Where a fleet provisions (REST, with the operator token) and where its agents stream (gRPC). */
export type FleetEndpoints = Pick<BenchController, 'baseUrl' | 'grpcAddress' | 'operatorToken'>;

/**
 * `options.agents` simulated agents split over `processes` forked fleet-worker processes (the built
 * dist/bench/support/telemetry-fleet-worker.js). The first process provisions the tenant (or uses
 * options.tenantToken) and the Global Namespace; the others add their clusters to that tenant,
 * named `<clusterPrefix>-p<i>-…`. Stopped at cleanup.
 */
export async function startFleetProcesses(
  ctx: BenchContext,
  controller: FleetEndpoints,
  options: Partial<FleetOptions> & { agents: number; tenantName: string; processes: number },
): Promise<FleetProcesses> {
  const count = Math.max(1, Math.min(options.processes, options.agents));
  const base: FleetOptions = {
    controllerAddress: controller.grpcAddress,
    apiUrl: controller.baseUrl,
    operatorToken: controller.operatorToken,
    clusterPrefix: options.tenantName,
    inventory: { services: 4, extraNamespaces: 1, seed: 1 },
    telemetry: { intervalMs: 0, requestsPerSecond: 10, minutesPerReport: 0, backfillMinutes: 60 },
    heartbeatMs: 10_000,
    keyPoolSize: options.agents,
    keyCacheDirectory: path.join(projectRoot(), '.data/sim-keys'),
    connectConcurrency: 50,
    globalNamespace: undefined,
    keepObjects: false,
    logLevel: 'error',
    ...options,
  };
  const worker = path.join(projectRoot(), 'dist/bench/support/telemetry-fleet-worker.js');
  const processes: FleetProcess[] = [];
  const spawnOne = () => {
    const child = fork(worker, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'], execArgv: [] });
    const handle = new FleetProcess(child);
    processes.push(handle);
    return handle;
  };
  ctx.onCleanup(async () => {
    await Promise.all(
      processes.map(async (handle) => {
        if (handle.child.exitCode !== null || handle.child.signalCode !== null) return;
        const exited = new Promise((resolve) => handle.child.once('exit', resolve));
        handle.child.kill('SIGTERM');
        await exited;
      }),
    );
  });
  const perProcess = (index: number) =>
    Math.floor(options.agents / count) + (index < options.agents % count ? 1 : 0);
  const first = await spawnOne().request(
    {
      type: 'start',
      options: {
        ...base,
        agents: perProcess(0),
        keyPoolSize: perProcess(0),
        clusterPrefix: count > 1 ? `${base.clusterPrefix}-p0` : base.clusterPrefix,
      },
    },
    'started',
  );
  const tenantToken = first.tenantToken;
  const rest = await Promise.all(
    Array.from({ length: count - 1 }, (_, offset) => {
      const index = offset + 1;
      return spawnOne().request(
        {
          type: 'start',
          options: {
            ...base,
            operatorToken: undefined,
            tenantToken,
            globalNamespace: undefined,
            agents: perProcess(index),
            keyPoolSize: perProcess(index),
            clusterPrefix: `${base.clusterPrefix}-p${index}`,
          },
        },
        'started',
      );
    }),
  );
  let turn = 0;
  return {
    tenantToken,
    globalNamespaceId: first.globalNamespaceId,
    clusterIds: [first, ...rest].flatMap((started) => started.clusterIds),
    processes: count,
    async status() {
      const all = await Promise.all(processes.map((handle) => handle.request({ type: 'status' }, 'status')));
      return all.reduce(
        (sum, one) => ({
          itemsSent: sum.itemsSent + one.itemsSent,
          batchesSent: sum.batchesSent + one.batchesSent,
          connected: sum.connected + one.connected,
          rssBytes: sum.rssBytes + one.rssBytes,
        }),
        { itemsSent: 0, batchesSent: 0, connected: 0, rssBytes: 0 },
      );
    },
    nextSent() {
      const handle = processes[turn++ % processes.length]!;
      return handle.nextSent();
    },
    async stop() {
      await Promise.all(processes.map((handle) => handle.stop()));
    },
  };
}
