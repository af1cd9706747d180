import {
  Agent,
  type AgentLogger,
  createAgentLogger,
  GrpcControllerTransport,
  type LogLevel,
} from '@lattice/agent';
import { renderClusterState } from '@lattice/istio';
import { ControllerApi, type CreatedCluster } from './controller-api.client';
import { AgentKeyPool } from './agent-key-pool.service';
import { MemoryStateStore } from './memory-state.store';
import { MemorySink } from './memory.sink';
import { InstrumentedTransport } from './instrumented.transport';
import { ReplayTelemetrySource } from './replay-telemetry.source';
import { StaticInventorySource } from './static-inventory.source';
import {
  BOOKINFO_NAMESPACE,
  clusterName,
  type InventoryShape,
  syntheticEdges,
  syntheticInventory,
} from './synthetic-fleet.generator';

/** Telemetry batches each simulated agent keeps unacknowledged (the oldest are dropped past it). */
const SIM_TELEMETRY_BACKLOG_BATCHES = 8;

export interface FleetOptions {
  /** Agent gRPC endpoint, host:port. */
  controllerAddress: string;
  /** REST base URL, e.g. http://127.0.0.1:8080. */
  apiUrl: string;
  /** An editor/admin token of the tenant that owns the clusters; or... */
  tenantToken?: string;
  /** ...the operator token, with which the simulator creates tenant `tenantName` first. */
  operatorToken?: string;
  tenantName: string;
  agents: number;
  clusterPrefix: string;
  inventory: InventoryShape;
  telemetry: {
    /** 0: no telemetry. */
    intervalMs: number;
    requestsPerSecond: number;
    /** 0: real time; otherwise minutes replayed per report (load tests). */
    minutesPerReport: number;
    backfillMinutes: number;
    /** Replay a cycle of this many pre-generated minutes (see ReplayTelemetrySource); unset: generate every minute. */
    templateMinutes?: number;
  };
  heartbeatMs: number;
  keyPoolSize: number;
  keyCacheDirectory: string | undefined;
  /** Agents starting (registering, opening their stream) at the same time. */
  connectConcurrency: number;
  /** Create a Global Namespace with this name spanning the fleet's bookinfo namespaces. */
  globalNamespace: string | undefined;
  /** Keep each agent's rendered objects in memory (small fleets, tests). */
  keepObjects: boolean;
  logLevel: LogLevel;
  /** Trust this CA instead of the one the controller returns with the bootstrap token. */
  controllerCaPem?: string;
}

export interface SimulatedAgent {
  index: number;
  name: string;
  clusterId: string;
  agent: Agent;
  store: MemoryStateStore;
  sink: MemorySink;
  transport: InstrumentedTransport;
  /** What the agent reports as its cluster's inventory; `update` simulates a deployment. */
  inventory: StaticInventorySource;
}

export interface FleetStatus {
  agents: number;
  connected: number;
  /** Agents by applied version. */
  appliedVersions: Record<string, number>;
  snapshotsReceived: number;
  acksSent: number;
  nacksSent: number;
  telemetryItemsSent: number;
}

/**
 * Runs many real agents (the agent library, its gRPC transport and snapshot applier, each with its
 * own bootstrap token, key, certificate and stream) in one process against a controller, with
 * synthetic inventories and telemetry and in-memory state and sinks.
 */
export class FleetSimulator {
  readonly agents: SimulatedAgent[] = [];
  tenantId: string | undefined;
  tenantToken: string | undefined;
  globalNamespaceId: string | undefined;
  private readonly keyPool: AgentKeyPool;
  private readonly logger: AgentLogger;
  private clusters: CreatedCluster[] = [];
  /** Index of this simulator's first agent in the whole fleet (a worker process runs a slice). */
  private indexOffset = 0;

  constructor(
    readonly options: FleetOptions,
    private readonly progress: (message: string) => void = () => undefined,
  ) {
    this.keyPool = new AgentKeyPool({
      size: Math.min(options.keyPoolSize, options.agents),
      cacheDirectory: options.keyCacheDirectory,
      onProgress: (done, total) => this.progress(`generated ${done}/${total} agent keys`),
    });
    this.logger = createAgentLogger(options.logLevel, { service: 'lattice-sim' });
  }

  get api(): ControllerApi {
    if (!this.tenantToken) throw new Error('provision() first');
    return new ControllerApi(this.options.apiUrl, this.tenantToken);
  }

  /** Creates the tenant (with the operator token), the clusters and the Global Namespace. */
  async provision(): Promise<void> {
    const { options } = this;
    if (options.operatorToken && !options.tenantToken) {
      const created = await new ControllerApi(options.apiUrl, options.operatorToken).createTenant(
        options.tenantName,
      );
      this.tenantId = created.tenantId;
      this.tenantToken = created.adminToken;
      this.progress(`created tenant ${options.tenantName} (${created.tenantId})`);
    } else {
      this.tenantToken = options.tenantToken;
    }
    const api = this.api;
    const names = Array.from({ length: options.agents }, (_, index) =>
      clusterName(options.clusterPrefix, index),
    );
    this.clusters = new Array<CreatedCluster>(names.length);
    let created = 0;
    await runLimited(names, 8, async (name, index) => {
      this.clusters[index] = await api.createCluster(name, `${name}.east-west.example.net`, {
        'lattice.io/simulated': 'true',
      });
      created += 1;
      if (created % 200 === 0) this.progress(`registered ${created}/${names.length} clusters`);
    });
    this.progress(`registered ${names.length} clusters`);
    if (options.globalNamespace) {
      const gns = await api.createGlobalNamespace({
        name: options.globalNamespace,
        domain: `${options.globalNamespace}.lattice.sim`,
        matchConditions: [
          {
            cluster: { type: 'PREFIX', value: `${options.clusterPrefix}-` },
            namespace: { type: 'EXACT', value: BOOKINFO_NAMESPACE },
          },
        ],
      });
      this.globalNamespaceId = gns.id;
      this.progress(`created Global Namespace ${gns.name} (${gns.id})`);
    }
  }

  /** The clusters provision() created, in agent order (a parent process hands slices to workers). */
  get provisionedClusters(): readonly CreatedCluster[] {
    return this.clusters;
  }

  /**
   * Runs agents for clusters provisioned elsewhere (by the parent of a worker process): agent `i`
   * of this simulator is agent `indexOffset + i` of the fleet (its synthetic inventory and name).
   */
  adopt(clusters: readonly CreatedCluster[], indexOffset: number, tenantId?: string): void {
    this.clusters = [...clusters];
    this.indexOffset = indexOffset;
    this.tenantId = tenantId;
  }

  /** Starts every agent (at most `connectConcurrency` registering at once) and resolves when all have connected. */
  async start(timeoutMs = 600_000): Promise<void> {
    if (this.clusters.length === 0) await this.provision();
    await this.keyPool.prepare();
    const { options } = this;
    const deadline = Date.now() + timeoutMs;
    let connected = 0;
    await runLimited(this.clusters, options.connectConcurrency, async (cluster, index) => {
      const simulated = this.createAgent(cluster, index);
      this.agents.push(simulated);
      await simulated.agent.start();
      await waitFor(
        () => simulated.agent.status().state === 'connected',
        deadline,
        () => `agent ${cluster.name} did not connect (state ${simulated.agent.status().state})`,
      );
      connected += 1;
      if (connected % 100 === 0) this.progress(`${connected}/${this.clusters.length} agents connected`);
    });
    this.agents.sort((a, b) => a.index - b.index);
    this.progress(`${this.agents.length} agents connected`);
  }

  private createAgent(cluster: CreatedCluster, index: number): SimulatedAgent {
    const { options } = this;
    const inventory = syntheticInventory(this.indexOffset + index, options.inventory);
    const store = new MemoryStateStore(`memory:${cluster.name}`);
    const sink = new MemorySink(options.keepObjects);
    const transport = new InstrumentedTransport(
      new GrpcControllerTransport({
        address: options.controllerAddress,
        registrationCaPem: options.controllerCaPem ?? cluster.controllerCaPem,
      }),
    );
    const inventorySource = new StaticInventorySource(inventory);
    const telemetrySource =
      options.telemetry.intervalMs > 0
        ? new ReplayTelemetrySource({
            seed: options.inventory.seed + this.indexOffset + index,
            edges: syntheticEdges(this.indexOffset + index, options.inventory, {
              requestsPerSecond: options.telemetry.requestsPerSecond,
              seed: options.inventory.seed,
            }),
            minutesPerReport: options.telemetry.minutesPerReport,
            backfillMinutes: options.telemetry.backfillMinutes,
            templateMinutes: options.telemetry.templateMinutes,
          })
        : undefined;
    const agent = new Agent({
      settings: {
        controllerAddress: options.controllerAddress,
        clusterName: cluster.name,
        bootstrapToken: cluster.bootstrapToken,
        heartbeatIntervalMs: options.heartbeatMs,
        telemetryIntervalMs: options.telemetry.intervalMs || undefined,
        // Thousands of agents each holding the default backlog (120 batches) when they offer more
        // than the controller stores would spend the simulator's CPU on garbage collection.
        telemetryBacklogBatches: SIM_TELEMETRY_BACKLOG_BATCHES,
        agentVersion: 'lattice-sim',
      },
      transport,
      inventorySource,
      sink,
      stateStore: store,
      render: renderClusterState,
      logger: this.logger.child({ cluster: cluster.name }),
      telemetrySource,
      createKeyAndCsr: this.keyPool.keyFactoryFor(index),
    });
    return {
      index,
      name: cluster.name,
      clusterId: cluster.id,
      agent,
      store,
      sink,
      transport,
      inventory: inventorySource,
    };
  }

  status(): FleetStatus {
    const status: FleetStatus = {
      agents: this.agents.length,
      connected: 0,
      appliedVersions: {},
      snapshotsReceived: 0,
      acksSent: 0,
      nacksSent: 0,
      telemetryItemsSent: 0,
    };
    for (const simulated of this.agents) {
      if (simulated.agent.status().state === 'connected') status.connected += 1;
      const version = String(simulated.store.appliedVersion);
      status.appliedVersions[version] = (status.appliedVersions[version] ?? 0) + 1;
      const counters = simulated.transport.counters;
      status.snapshotsReceived += counters.snapshotsReceived;
      status.acksSent += counters.acksSent;
      status.nacksSent += counters.nacksSent;
      status.telemetryItemsSent += counters.telemetryItemsSent;
    }
    return status;
  }

  /** Resolves once `predicate` holds for every agent; rejects after the timeout naming the stragglers. */
  async waitForAll(
    predicate: (agent: SimulatedAgent) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    await waitFor(
      () => this.agents.every(predicate),
      deadline,
      () => {
        const behind = this.agents.filter((agent) => !predicate(agent));
        return `${behind.length} of ${this.agents.length} agents not ${what} (e.g. ${behind
          .slice(0, 3)
          .map((agent) => agent.name)
          .join(', ')})`;
      },
    );
  }

  async stop(): Promise<void> {
    await runLimited(this.agents, 100, (simulated) => simulated.agent.stop());
  }
}

/** Runs `work` over `items`, at most `limit` at a time; the first failure rejects (after the others finish). */
export async function runLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const errors: unknown[] = [];
  const worker = async (): Promise<void> => {
    while (next < items.length && errors.length === 0) {
      const index = next++;
      try {
        await work(items[index] as T, index);
      } catch (error) {
        errors.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (errors.length > 0) throw errors[0];
}

async function waitFor(condition: () => boolean, deadline: number, describe: () => string): Promise<void> {
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(describe());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
