import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '@lattice/platform';
import { AgentKeyPool } from '../../apps/sim/src/agent-key-pool.service';
import type { ControllerApi } from '../../apps/sim/src/controller-api.client';
import { FleetSimulator, type FleetOptions } from '../../apps/sim/src/fleet-simulator.service';
import type { BenchContext } from './benchmark';
import type { BenchController } from './controller';
import type { AgentEvent, WorkerAgentStatus, WorkerReply, WorkerRequest } from './fleet-worker';
import { processCpuSeconds } from './proc-stats';

/**
 * Controller environment for a simulated fleet: every agent registers from this one machine's
 * address, which the per-address Register limit (30 a minute by default) would otherwise stretch
 * to minutes per hundred agents.
 */
export const FLEET_CONTROLLER_ENV: Record<string, string> = {
  LATTICE_REGISTER_PER_MINUTE_PER_PEER: '1000000',
};

type Listener = (agent: number, version: number, atMs: number) => void;

interface Worker {
  child: ChildProcess;
  offset: number;
  count: number;
  exited: boolean;
}

/** Per-agent state of the whole fleet, indexed by fleet-wide agent index. */
export interface FleetSnapshot {
  applied: number[];
  snapshots: number[];
  streams: number[];
  connected: boolean[];
}

/**
 * A simulated fleet run in worker processes (bench/support/fleet-worker.ts, `--fleet-workers`,
 * by default one per 500 agents): this process provisions the tenant, clusters and Global
 * Namespaces through the REST API and prepares the agents' keys; each worker runs its slice of
 * real agents and streams their ACKs and received snapshots back with the time they happened.
 * The controller, the agents and the benchmark thus each have their own process, and their CPU
 * time is measured apart (`workersCpuSeconds`).
 */
export class WorkerFleet {
  readonly planner: FleetSimulator;
  clusterIds: string[] = [];
  private readonly workers: Worker[] = [];
  private readonly ackListeners = new Set<Listener>();
  private readonly snapshotListeners = new Set<Listener>();
  private readonly statusWaiters = new Map<number, (status: WorkerAgentStatus) => void>();
  private nextStatusId = 1;
  private failure: Error | undefined;

  constructor(
    private readonly ctx: BenchContext,
    private readonly controller: BenchController,
    readonly options: Partial<FleetOptions> & { agents: number; tenantName: string; workers?: number },
  ) {
    this.planner = new FleetSimulator(this.fleetOptions(options.agents), (message) => ctx.log(message));
    ctx.onCleanup(() => this.stop());
  }

  get size(): number {
    return this.options.agents;
  }

  get tenantId(): string {
    if (!this.planner.tenantId) throw new Error('provision() first');
    return this.planner.tenantId;
  }

  get api(): ControllerApi {
    return this.planner.api;
  }

  get globalNamespaceId(): string | undefined {
    return this.planner.globalNamespaceId;
  }

  /** Creates the tenant, the clusters (and the fleet-wide GNS when `globalNamespace` is set). */
  async provision(): Promise<void> {
    await this.planner.provision();
    this.clusterIds = this.planner.provisionedClusters.map((cluster) => cluster.id);
  }

  /** Forks the workers, hands each its slice of clusters and resolves when every agent is connected. */
  async start(): Promise<void> {
    const clusters = this.planner.provisionedClusters;
    const workerCount = Math.max(
      1,
      Math.min(this.options.workers ?? Math.ceil(clusters.length / 500), clusters.length),
    );
    const perWorker = Math.ceil(clusters.length / workerCount);
    // The keys once, here: the workers read them from the cache instead of each generating them.
    await new AgentKeyPool({
      size: Math.min(perWorker, this.planner.options.keyPoolSize),
      cacheDirectory: this.planner.options.keyCacheDirectory,
      onProgress: (done, total) => {
        if (done % 100 === 0) this.ctx.log(`generated ${done}/${total} agent keys`);
      },
    }).prepare();
    const started: Promise<void>[] = [];
    for (let offset = 0; offset < clusters.length; offset += perWorker) {
      const slice = clusters.slice(offset, offset + perWorker);
      const child = fork(path.join(projectRoot(), 'dist/bench/support/fleet-worker.js'), [], {
        cwd: projectRoot(),
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        // --cpu-prof (the runner's flag) profiles the fleet workers too, into .data/profiles.
        execArgv: [
          '--max-old-space-size=4096',
          ...(this.ctx.args['cpu-prof']
            ? ['--cpu-prof', `--cpu-prof-dir=${path.join(projectRoot(), '.data/profiles')}`]
            : []),
        ],
      });
      const worker: Worker = { child, offset, count: slice.length, exited: false };
      this.workers.push(worker);
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString()).slice(-4000);
        const line = chunk.toString().trim().split('\n').at(-1);
        if (line && /agents connected|agent keys/.test(line))
          this.ctx.log(`worker ${this.workers.indexOf(worker)}: ${line}`);
      });
      started.push(
        new Promise<void>((resolve, reject) => {
          child.on('message', (message: WorkerReply) => {
            if (message.type === 'started') resolve();
            else if (message.type === 'error') {
              this.failure = new Error(`fleet worker at agent ${offset}: ${message.message}`);
              reject(this.failure);
            } else this.handle(worker, message);
          });
          child.once('exit', (code, signal) => {
            if (worker.exited) return; // stopped by stop()
            worker.exited = true;
            const error = new Error(
              `fleet worker at agent ${offset} exited (${code ?? signal}) before it was stopped\n${stderr}`,
            );
            this.failure ??= error;
            reject(error);
          });
        }),
      );
      const request: WorkerRequest = {
        type: 'start',
        options: { ...this.planner.options, agents: slice.length, keyPoolSize: perWorker },
        clusters: [...slice],
        offset,
        tenantId: this.tenantId,
      };
      child.send(request);
    }
    await Promise.all(started);
    this.ctx.log(`${clusters.length} agents connected in ${this.workers.length} worker processes`);
  }

  /** Called with the fleet-wide agent index when an agent sends an ACK (time taken in the worker). */
  onAck(listener: Listener): () => void {
    this.ackListeners.add(listener);
    return () => this.ackListeners.delete(listener);
  }

  /** Called when an agent receives a snapshot, before it handles it. */
  onSnapshotReceived(listener: Listener): () => void {
    this.snapshotListeners.add(listener);
    return () => this.snapshotListeners.delete(listener);
  }

  /** The current state of every agent, asked of every worker. */
  async snapshot(): Promise<FleetSnapshot> {
    if (this.failure) throw this.failure;
    const parts = await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<WorkerAgentStatus>((resolve, reject) => {
            if (worker.exited) {
              reject(this.failure ?? new Error('fleet worker exited'));
              return;
            }
            const id = this.nextStatusId++;
            const timer = setTimeout(() => {
              this.statusWaiters.delete(id);
              reject(new Error(`fleet worker at agent ${worker.offset} did not answer a status request`));
            }, 30_000);
            this.statusWaiters.set(id, (status) => {
              clearTimeout(timer);
              resolve(status);
            });
            worker.child.send({ type: 'status', id } satisfies WorkerRequest);
          }),
      ),
    );
    return {
      applied: parts.flatMap((part) => part.applied),
      snapshots: parts.flatMap((part) => part.snapshots),
      streams: parts.flatMap((part) => part.streams),
      connected: parts.flatMap((part) => part.connected),
    };
  }

  /**
   * Fleet agent `agent` reports `ready` pods in the first endpoint group of `service`: a change of
   * one cluster's endpoints of one service, felt by every member of its GNSs.
   */
  scaleService(agent: number, service: string, ready: number): void {
    if (this.failure) throw this.failure;
    const worker = this.workers.find((w) => agent >= w.offset && agent < w.offset + w.count);
    if (!worker || worker.exited) throw new Error(`no running fleet worker holds agent ${agent}`);
    worker.child.send({
      type: 'scale',
      agent: agent - worker.offset,
      service,
      ready,
    } satisfies WorkerRequest);
  }

  /** CPU seconds (user + system) used by the worker processes so far. */
  workersCpuSeconds(): number {
    return this.workers.reduce((total, worker) => total + processCpuSeconds(worker.child.pid), 0);
  }

  get workerPids(): number[] {
    return this.workers.flatMap((worker) => (worker.child.pid ? [worker.child.pid] : []));
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        const child = worker.child;
        if (worker.exited || child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        worker.exited = true; // an expected exit from here on
        try {
          child.send({ type: 'stop' } satisfies WorkerRequest);
        } catch {
          child.kill('SIGKILL');
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  private handle(worker: Worker, message: WorkerReply): void {
    if (message.type === 'events') {
      this.emit(this.ackListeners, worker, message.acks);
      this.emit(this.snapshotListeners, worker, message.snapshots);
    } else if (message.type === 'status') {
      this.statusWaiters.get(message.id)?.(message);
      this.statusWaiters.delete(message.id);
    }
  }

  private emit(listeners: Set<Listener>, worker: Worker, events: AgentEvent[]): void {
    for (const [index, version, atMs] of events)
      for (const listener of listeners) listener(worker.offset + index, version, atMs);
  }

  private fleetOptions(agents: number): FleetOptions {
    const { workers: _workers, ...options } = this.options;
    return {
      controllerAddress: this.controller.grpcAddress,
      apiUrl: this.controller.baseUrl,
      operatorToken: this.controller.operatorToken,
      clusterPrefix: options.tenantName,
      inventory: { services: 4, extraNamespaces: 1, seed: 1 },
      telemetry: { intervalMs: 0, requestsPerSecond: 10, minutesPerReport: 0, backfillMinutes: 60 },
      heartbeatMs: 10_000,
      keyPoolSize: agents,
      keyCacheDirectory: path.join(projectRoot(), '.data/sim-keys'),
      connectConcurrency: 50,
      globalNamespace: undefined,
      keepObjects: false,
      logLevel: 'error',
      ...options,
    };
  }
}

/**
 * Resolves when every agent has applied its cluster's desired version and nothing changed for
 * `quietMs` (the worker-process twin of support/fleet.ts' waitForConvergence).
 */
export async function waitForFleetConvergence(
  ctx: BenchContext,
  fleet: WorkerFleet,
  timeoutMs: number,
  quietMs = 2000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let stableSince = 0;
  let last = '';
  for (;;) {
    const rows = await ctx.sql<{ id: string; desired_version: number | null }>(
      'SELECT id, desired_version FROM clusters WHERE tenant_id = $1',
      [fleet.tenantId],
    );
    const desired = new Map(rows.map((row) => [row.id, Number(row.desired_version ?? 0)]));
    const { applied } = await fleet.snapshot();
    const behind = fleet.clusterIds.filter((id, i) => applied[i] !== desired.get(id)).length;
    const fingerprint = rows
      .map((row) => `${row.id}:${row.desired_version}`)
      .sort()
      .join(',');
    if (behind === 0 && fingerprint === last) {
      if (Date.now() - stableSince >= quietMs) return;
    } else {
      stableSince = Date.now();
      last = fingerprint;
    }
    if (Date.now() > deadline)
      throw new Error(`fleet did not converge: ${behind} agents behind their desired version`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** GNS i matches the clusters whose index starts with i (zero-padded digits): `span` clusters each. */
export async function createFleetSpans(fleet: WorkerFleet, span: number): Promise<string[]> {
  const digits = 5 - Math.log10(span);
  const ids: string[] = [];
  for (let group = 0; group < fleet.size / span; group++) {
    const gns = await fleet.api.createGlobalNamespace({
      name: `bookinfo-${group}`,
      domain: `bookinfo-${group}.lattice.sim`,
      matchConditions: [
        {
          cluster: {
            type: 'PREFIX',
            value: `${fleet.options.tenantName}-${String(group).padStart(digits, '0')}`,
          },
          namespace: { type: 'EXACT', value: 'bookinfo' },
        },
      ],
    });
    ids.push(gns.id);
  }
  return ids;
}
