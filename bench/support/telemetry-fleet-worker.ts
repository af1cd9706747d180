/**
 * A simulated fleet in its own process (forked by bench/support/fleet-process.ts), so the agents'
 * CPU (sketch generation, protobuf, gRPC) is not the benchmark process's, as with real agents in
 * real clusters. Talks to its parent over the IPC channel: `start` (FleetOptions) -> `started`;
 * `status` -> `status`; `sample` -> `sent` (the next telemetry batch an agent sends); `stop` (then it exits).
 */
import { FleetSimulator, type FleetOptions } from '../../apps/sim/src/fleet-simulator.service';

export type FleetWorkerRequest =
  { type: 'start'; options: FleetOptions } | { type: 'status' } | { type: 'sample' } | { type: 'stop' };

export type FleetWorkerReply =
  | { type: 'started'; tenantToken?: string; globalNamespaceId?: string; clusterIds: string[] }
  | { type: 'status'; itemsSent: number; batchesSent: number; connected: number; rssBytes: number }
  | { type: 'sent'; clusterId: string; batchId: string; sentAtMs: number }
  | { type: 'error'; message: string };

let fleet: FleetSimulator | undefined;
let sampling = false;

function reply(message: FleetWorkerReply): void {
  process.send?.(message);
}

async function handle(request: FleetWorkerRequest): Promise<void> {
  switch (request.type) {
    case 'start': {
      fleet = new FleetSimulator(request.options, (message) =>
        process.stderr.write(`[fleet ${process.pid}] ${message}\n`),
      );
      await fleet.provision();
      await fleet.start();
      for (const agent of fleet.agents) {
        agent.transport.onTelemetrySent((batch, atMs) => {
          if (!sampling || !batch.batchId) return;
          sampling = false;
          reply({ type: 'sent', clusterId: agent.clusterId, batchId: batch.batchId, sentAtMs: atMs });
        });
      }
      reply({
        type: 'started',
        tenantToken: fleet.tenantToken,
        globalNamespaceId: fleet.globalNamespaceId,
        clusterIds: fleet.agents.map((agent) => agent.clusterId),
      });
      return;
    }
    case 'status': {
      const status = fleet?.status();
      const batchesSent =
        fleet?.agents.reduce((sum, agent) => sum + agent.transport.counters.telemetryBatchesSent, 0) ?? 0;
      reply({
        type: 'status',
        itemsSent: status?.telemetryItemsSent ?? 0,
        batchesSent,
        connected: status?.connected ?? 0,
        rssBytes: process.memoryUsage.rss(),
      });
      return;
    }
    case 'sample':
      sampling = true;
      return;
    case 'stop':
      await fleet?.stop();
      process.exit(0);
  }
}

process.on('message', (request: FleetWorkerRequest) => {
  handle(request).catch((error: Error) => {
    reply({ type: 'error', message: error.stack ?? error.message });
  });
});
// The parent went away (Ctrl-C, crash): do not keep agents running.
process.on('disconnect', () => process.exit(0));
