import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderClusterState } from '@lattice/istio';
import { Agent } from './agent';
import {
  AGENT_USAGE,
  type AgentConfig,
  AgentConfigError,
  parseAgentConfig,
  resolveControllerCa,
} from './config/agent-config';
import type { InventorySource } from './inventory/inventory-source.port';
import { FileInventorySource } from './inventory/file-inventory.source';
import { type AgentLogger, createAgentLogger, errorMessage } from './logger';
import type { ApplySink } from './sink/apply-sink.port';
import { DirectorySink } from './sink/directory.sink';
import { AgentStateStore } from './state/agent-state.store';
import { PrometheusTelemetrySource } from './telemetry/prometheus-telemetry.source';
import {
  parseSyntheticTelemetryFile,
  SyntheticTelemetrySource,
} from './telemetry/synthetic-telemetry.source';
import type { TelemetrySource } from './telemetry/telemetry-source.port';
import { GrpcControllerTransport } from './transport/grpc-controller.transport';

async function main(): Promise<void> {
  let config: AgentConfig;
  let controllerCaPem: string | undefined;
  try {
    const parsed = parseAgentConfig(process.argv.slice(2), process.env);
    if (parsed === 'help') {
      process.stdout.write(`${AGENT_USAGE}\n`);
      return;
    }
    config = parsed;
    controllerCaPem = await resolveControllerCa(config, (file) => readFile(file, 'utf8'));
  } catch (error) {
    if (error instanceof AgentConfigError) {
      process.stderr.write(`lattice-agent: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }

  const logger = createAgentLogger(config.logLevel);
  const holder: { agent?: Agent } = {};
  const agent = new Agent({
    settings: {
      controllerAddress: config.controllerAddress,
      clusterName: config.clusterName,
      bootstrapToken: config.bootstrapToken,
      heartbeatIntervalMs: config.heartbeatSeconds * 1000,
      telemetryIntervalMs: config.telemetryIntervalSeconds * 1000,
    },
    transport: new GrpcControllerTransport({
      address: config.controllerAddress,
      registrationCaPem: controllerCaPem,
    }),
    inventorySource: await createInventorySource(config, logger),
    sink: await createSink(config, logger, () => holder.agent?.clusterId),
    stateStore: new AgentStateStore(path.resolve(config.stateDir)),
    render: renderClusterState,
    logger,
    telemetrySource: await createTelemetrySource(config, logger),
  });
  holder.agent = agent;

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    agent.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: errorMessage(error) }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  try {
    await agent.start();
  } catch (error) {
    logger.error({ err: errorMessage(error) }, 'agent could not start');
    process.exit(1);
  }
  // The agent logs why it gave up.
  await agent.whenStopped().catch(() => process.exit(1));
}

async function createInventorySource(config: AgentConfig, logger: AgentLogger): Promise<InventorySource> {
  if (config.inventory.kind === 'file')
    return new FileInventorySource(path.resolve(config.inventory.path), logger);
  // Imported only in this mode, so file-source agents never load @kubernetes/client-node.
  const { KubeConfigError, KubernetesInventorySource } =
    await import('./inventory/kubernetes-inventory.source');
  try {
    return await KubernetesInventorySource.create(logger, {
      listTimeoutMs: config.kubeTimeoutSeconds * 1000,
    });
  } catch (error) {
    if (!(error instanceof KubeConfigError)) throw error;
    process.stderr.write(`lattice-agent: --inventory=kubernetes: ${error.message}\n`);
    process.exit(2);
  }
}

async function createTelemetrySource(
  config: AgentConfig,
  logger: AgentLogger,
): Promise<TelemetrySource | undefined> {
  if (!config.telemetry) return undefined;
  if (config.telemetry.kind === 'prometheus')
    return new PrometheusTelemetrySource(config.telemetry.url, logger);
  const file = path.resolve(config.telemetry.path);
  try {
    return new SyntheticTelemetrySource(parseSyntheticTelemetryFile(await readFile(file, 'utf8'), file));
  } catch (error) {
    process.stderr.write(`lattice-agent: --telemetry-synthetic: ${errorMessage(error)}\n`);
    process.exit(2);
  }
}

async function createSink(
  config: AgentConfig,
  logger: AgentLogger,
  clusterId: () => string | undefined,
): Promise<ApplySink> {
  if (config.sink.kind === 'directory') return new DirectorySink(path.resolve(config.sink.path));
  const { KubernetesSink } = await import('./sink/kubernetes.sink');
  return new KubernetesSink({ clusterId, logger });
}

main().catch((error: unknown) => {
  process.stderr.write(`lattice-agent: ${errorMessage(error)}\n`);
  process.exit(1);
});
