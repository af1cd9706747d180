/**
 * A benchmark's fleet worker: a child process (forked by WorkerFleet, with an IPC channel) that
 * runs a slice of the simulated fleet — real agents with FleetSimulator — so that the agents'
 * CPU (TLS, protobuf, JSON parsing, rendering) is not spent in the benchmark's process and the
 * controller's own CPU time can be told apart from theirs.
 *
 * Protocol (process.send / 'message'; see WorkerFleet):
 * - parent → worker: `start` (options, its clusters, index offset), `status` (id), `scale` (an
 *   agent's service gets another number of ready pods in its first endpoint group), `stop`;
 * - worker → parent: `started`, `events` (ACKs and snapshots received, batched every 25 ms, each
 *   with the Date.now() at which it happened in the agent), `status` (per-agent state), `error`.
 */
import { FleetSimulator, type FleetOptions } from '../../apps/sim/src/fleet-simulator.service';
import type { CreatedCluster } from '../../apps/sim/src/controller-api.client';

export type WorkerRequest =
  | {
      type: 'start';
      options: FleetOptions;
      clusters: CreatedCluster[];
      offset: number;
      tenantId: string;
    }
  | { type: 'status'; id: number }
  | { type: 'scale'; agent: number; service: string; ready: number }
  | { type: 'stop' };

/** [local agent index, version, Date.now() in the worker] */
export type AgentEvent = [number, number, number];

export interface WorkerAgentStatus {
  applied: number[];
  snapshots: number[];
  streams: number[];
  connected: boolean[];
}

export type WorkerReply =
  | { type: 'started'; agents: number }
  | { type: 'events'; acks: AgentEvent[]; snapshots: AgentEvent[] }
  | ({ type: 'status'; id: number } & WorkerAgentStatus)
  | { type: 'stopped' }
  | { type: 'error'; message: string };

const FLUSH_EVERY_MS = 25;

function reply(message: WorkerReply): void {
  process.send?.(message);
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

let fleet: FleetSimulator | undefined;
const pending: { acks: AgentEvent[]; snapshots: AgentEvent[] } = { acks: [], snapshots: [] };

function flush(): void {
  if (pending.acks.length === 0 && pending.snapshots.length === 0) return;
  reply({ type: 'events', acks: pending.acks.splice(0), snapshots: pending.snapshots.splice(0) });
}

async function start(request: Extract<WorkerRequest, { type: 'start' }>): Promise<void> {
  const simulator = new FleetSimulator(request.options, log);
  fleet = simulator;
  simulator.adopt(request.clusters, request.offset, request.tenantId);
  await simulator.start();
  for (const agent of simulator.agents) {
    agent.transport.onAck((version, atMs) => pending.acks.push([agent.index, version, atMs]));
    agent.transport.onSnapshotReceived((version, atMs) =>
      pending.snapshots.push([agent.index, version, atMs]),
    );
  }
  setInterval(flush, FLUSH_EVERY_MS).unref();
  reply({ type: 'started', agents: simulator.agents.length });
}

function status(id: number): void {
  const agents = fleet?.agents ?? [];
  reply({
    type: 'status',
    id,
    applied: agents.map((agent) => agent.store.appliedVersion),
    snapshots: agents.map((agent) => agent.transport.counters.snapshotsReceived),
    streams: agents.map((agent) => agent.transport.counters.streamsOpened),
    connected: agents.map((agent) => agent.agent.status().state === 'connected'),
  });
}

/** Reports `ready` pods in the first endpoint group of `service` of local agent `agent` (a deployment). */
function scale(request: Extract<WorkerRequest, { type: 'scale' }>): void {
  const simulated = fleet?.agents.find((agent) => agent.index === request.agent);
  if (!simulated) throw new Error(`no agent ${request.agent} in this worker`);
  const inventory = simulated.inventory.current();
  const target = inventory.services.find((service) => service.name === request.service);
  if (!target || target.endpointGroups.length === 0)
    throw new Error(`agent ${request.agent} runs no service ${request.service} with endpoints`);
  simulated.inventory.update({
    ...inventory,
    services: inventory.services.map((service) =>
      service === target
        ? {
            ...service,
            endpointGroups: service.endpointGroups.map((group, i) =>
              i === 0 ? { ...group, ready: request.ready } : group,
            ),
          }
        : service,
    ),
  });
}

async function stop(): Promise<void> {
  flush();
  await fleet?.stop();
  reply({ type: 'stopped' });
  process.disconnect?.();
  setTimeout(() => process.exit(0), 100).unref();
}

process.on('message', (message: WorkerRequest) => {
  const run = async () => {
    switch (message.type) {
      case 'start':
        return start(message);
      case 'status':
        return status(message.id);
      case 'scale':
        return scale(message);
      case 'stop':
        return stop();
    }
  };
  run().catch((error: unknown) => {
    reply({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    });
  });
});
// The parent went away (benchmark killed): do not linger holding agent streams.
process.on('disconnect', () => setTimeout(() => process.exit(0), 1000).unref());
