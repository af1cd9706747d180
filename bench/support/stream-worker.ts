/**
 * A worker process of the idle-streams benchmark: registers its slice of clusters (Register with
 * the bootstrap token and a CSR from the cached simulator keys) and holds one bare Connect stream
 * per cluster — Hello, then a heartbeat every interval, nothing else — so that thousands of
 * streams cost this process little and the controller's memory per stream can be measured.
 *
 * Parent → worker: `start` { address, heartbeatMs, clusters, keyCacheDirectory, concurrency }.
 * Worker → parent: `progress` { registered, connected }, `connected` { streams }, `error`.
 */
import * as grpc from '@grpc/grpc-js';
import { loadAgentProto, type AgentMessage, type AgentServiceClient } from '@lattice/proto';
import { AgentKeyPool } from '../../apps/sim/src/agent-key-pool.service';
import { runLimited } from '../../apps/sim/src/fleet-simulator.service';

export interface StreamWorkerStart {
  type: 'start';
  address: string;
  heartbeatMs: number;
  concurrency: number;
  keyCacheDirectory: string;
  keyPoolSize: number;
  clusters: { name: string; bootstrapToken: string; controllerCaPem: string }[];
}

export type StreamWorkerReply =
  | { type: 'progress'; registered: number; connected: number }
  | { type: 'connected'; streams: number }
  | { type: 'error'; message: string };

const reply = (message: StreamWorkerReply) => process.send?.(message);

async function register(
  client: AgentServiceClient,
  request: { bootstrapToken: string; clusterName: string; csrPem: string },
): Promise<{ clusterId: string; certificatePem: string }> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await new Promise((resolve, reject) =>
        client.Register({ ...request, agentVersion: 'bench-idle-stream' }, (error, value) =>
          error || !value ? reject(error ?? new Error('empty Register response')) : resolve(value),
        ),
      );
    } catch (error) {
      const code = (error as grpc.ServiceError).code;
      if (attempt >= 10 || (code !== grpc.status.UNAVAILABLE && code !== grpc.status.RESOURCE_EXHAUSTED))
        throw error;
      await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
    }
  }
}

async function start(request: StreamWorkerStart): Promise<void> {
  const proto = loadAgentProto();
  const Service = proto.lattice.agent.v1.AgentService;
  const keys = new AgentKeyPool({ size: request.keyPoolSize, cacheDirectory: request.keyCacheDirectory });
  await keys.prepare();
  let registered = 0;
  let connected = 0;
  const calls: grpc.ClientDuplexStream<AgentMessage, unknown>[] = [];
  const progress = setInterval(() => reply({ type: 'progress', registered, connected }), 5000);
  await runLimited(request.clusters, request.concurrency, async (cluster, index) => {
    const { keyPem, csrPem } = await keys.keyFactoryFor(index)(cluster.name, 2048);
    const ca = Buffer.from(cluster.controllerCaPem);
    const bootstrapClient = new Service(
      request.address,
      grpc.credentials.createSsl(ca),
    ) as unknown as AgentServiceClient;
    const identity = await register(bootstrapClient, {
      bootstrapToken: cluster.bootstrapToken,
      clusterName: cluster.name,
      csrPem,
    });
    bootstrapClient.close();
    registered += 1;
    const client = new Service(
      request.address,
      grpc.credentials.createSsl(ca, Buffer.from(keyPem), Buffer.from(identity.certificatePem)),
    ) as unknown as AgentServiceClient;
    const call = client.Connect() as unknown as grpc.ClientDuplexStream<AgentMessage, unknown>;
    await new Promise<void>((resolve, reject) => {
      call.once('data', () => resolve()); // the controller answers the first heartbeat with a ping
      call.once('error', reject);
      call.write({
        // Says what a current agent says (delta snapshots, nothing held yet), so the controller keeps
        // the per-stream state it keeps for real agents.
        hello: {
          clusterId: identity.clusterId,
          appliedVersion: 0,
          agentVersion: 'bench-idle-stream',
          supportsDelta: true,
          heldResources: [],
        },
      });
      call.write({ heartbeat: { sentAtUnixMs: Date.now() } });
    });
    call.on('data', () => undefined);
    call.on('error', (error) =>
      reply({ type: 'error', message: `stream of ${cluster.name} ended: ${error.message}` }),
    );
    // Idle from here on: a heartbeat per interval, from the moment the stream opened (so spread).
    setInterval(() => call.write({ heartbeat: { sentAtUnixMs: Date.now() } }), request.heartbeatMs);
    calls.push(call);
    connected += 1;
  });
  clearInterval(progress);
  reply({ type: 'connected', streams: calls.length });
}

process.once('message', (message: StreamWorkerStart) => {
  start(message).catch((error: unknown) =>
    reply({
      type: 'error',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    }),
  );
});
process.on('disconnect', () => process.exit(0));
