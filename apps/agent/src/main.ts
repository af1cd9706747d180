import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { renderClusterState } from '@lattice/istio';
import { Agent, type AgentStatus } from './agent';
import {
  AGENT_USAGE,
  type AgentConfig,
  AgentConfigError,
  parseAgentConfig,
  resolveControllerCa,
} from './config/agent-config';
import type { InventorySource } from './inventory/inventory-source.port';
import { FileInventorySource } from './inventory/file-inventory.source';
import { type AgentLogger, createAgentLogger, errorMessage, logProcessWarnings } from './logger';
import { FileMeshSource } from './mesh/file-mesh.source';
import type { MeshInstallationSource } from './mesh/mesh-installation-source.port';
import { AgentHttpServer } from './observability/agent-http.server';
import { AgentMetrics } from './observability/agent-metrics.service';
import type { ApplySink } from './sink/apply-sink.port';
import { DirectorySink } from './sink/directory.sink';
import { AgentStateStore } from './state/agent-state.store';
import { NotPrometheusError, PrometheusTelemetrySource } from './telemetry/prometheus-telemetry.source';
import { SyntheticHistoryStore } from './telemetry/synthetic-history.store';
import {
  parseSyntheticTelemetryFile,
  SyntheticTelemetrySource,
} from './telemetry/synthetic-telemetry.source';
import type { TelemetrySource } from './telemetry/telemetry-source.port';
import { GrpcControllerTransport } from './transport/grpc-controller.transport';
import type { DesiredAutoscalingPolicy } from '@lattice/domain';
import { Autoscaler } from './autoscaling/autoscaler.service';
import { PrometheusMeshMetrics } from './autoscaling/prometheus-autoscaling.metrics';

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
  logProcessWarnings(logger);
  const holder: { agent?: Agent } = {};
  const status = (): AgentStatus => {
    if (!holder.agent) throw new Error('the agent is not created yet');
    return holder.agent.status();
  };
  const metrics = new AgentMetrics(status);
  // The inventory first: with --inventory=kubernetes, an unusable kubeconfig stops the agent there.
  const inventorySource = await createInventorySource(config, logger);
  const autoscaler = await createAutoscaler(
    config,
    logger,
    metrics,
    () => holder.agent?.autoscalingPolicies() ?? [],
  );
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
    inventorySource,
    sink: metrics.measure(await createSink(config, logger, () => holder.agent?.clusterId)),
    stateStore: new AgentStateStore(path.resolve(config.stateDir)),
    render: renderClusterState,
    logger,
    telemetrySource: await createTelemetrySource(config, logger),
    ...(autoscaler ? { autoscaler } : {}),
    meshSource: await createMeshSource(config, logger),
  });
  holder.agent = agent;
  const httpServer = new AgentHttpServer(status, metrics, logger);
  try {
    const port = await httpServer.listen(config.httpPort);
    logger.info({ port }, 'serving /healthz, /readyz and /metrics');
  } catch (error) {
    logger.error({ err: `--http-port ${config.httpPort}: ${errorMessage(error)}` }, 'agent could not start');
    process.exit(2);
  }

  let shuttingDown = false;
  const shutdown = (signal: string): void => {
    if (shuttingDown) return;
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    Promise.all([agent.stop(), httpServer.close()]).then(
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

/** The Istio installation: read from the cluster, or from the inventory file's `mesh:` section. */
async function createMeshSource(config: AgentConfig, logger: AgentLogger): Promise<MeshInstallationSource> {
  if (config.inventory.kind === 'file')
    return new FileMeshSource(path.resolve(config.inventory.path), logger);
  const { loadKubeConfig } = await import('./inventory/kubernetes-inventory.source');
  const { KubernetesMeshSource } = await import('./mesh/kubernetes-mesh.source');
  // The inventory source has already refused an unusable kubeconfig.
  const kubeConfig = loadKubeConfig(await import('@kubernetes/client-node'), process.env);
  return KubernetesMeshSource.create(kubeConfig, logger, {
    eastWestGatewaySelector: config.eastWestGatewaySelector,
    refreshMs: config.meshRefreshSeconds * 1000,
    timeoutMs: config.kubeTimeoutSeconds * 1000,
  });
}

async function createTelemetrySource(
  config: AgentConfig,
  logger: AgentLogger,
): Promise<TelemetrySource | undefined> {
  if (!config.telemetry) return undefined;
  if (config.telemetry.kind === 'prometheus') return startPrometheusSource(config.telemetry.url, logger);
  const file = path.resolve(config.telemetry.path);
  try {
    return await SyntheticTelemetrySource.open(
      parseSyntheticTelemetryFile(await readFile(file, 'utf8'), file),
      {
        historyLedger: new SyntheticHistoryStore(path.resolve(config.stateDir)),
        logger,
      },
    );
  } catch (error) {
    process.stderr.write(`lattice-agent: --telemetry-synthetic: ${errorMessage(error)}\n`);
    process.exit(2);
  }
}

/** Stops with a clear message when the URL is not a Prometheus; an unreachable one is retried later. */
async function startPrometheusSource(url: string, logger: AgentLogger): Promise<TelemetrySource> {
  const source = new PrometheusTelemetrySource(url, logger);
  try {
    const probe = await source.probe();
    if (probe.reachable)
      logger.info({ url: source.url, version: probe.version }, 'reading Istio metrics from Prometheus');
    else
      logger.warn(
        { url: source.url, err: probe.reason },
        'Prometheus is not reachable yet; telemetry is retried every interval',
      );
  } catch (error) {
    if (!(error instanceof NotPrometheusError)) throw error;
    logger.error({ err: `--telemetry-prometheus-url: ${error.message}` }, 'agent could not start');
    process.exit(2);
  }
  return source;
}

/**
 * The autoscaler runs where the agent writes to the cluster (--sink kubernetes): it reads CPU and
 * memory from metrics.k8s.io and, with --telemetry-prometheus-url, request rate, errors and latency
 * from that Prometheus.
 */
async function createAutoscaler(
  config: AgentConfig,
  logger: AgentLogger,
  metrics: AgentMetrics,
  policies: () => DesiredAutoscalingPolicy[],
): Promise<Autoscaler | undefined> {
  if (config.sink.kind !== 'kubernetes') return undefined;
  const k8s = await import('@kubernetes/client-node');
  const { KubeConfigError, loadKubeConfig } = await import('./inventory/kubernetes-inventory.source');
  const { KubernetesAutoscalingClient } = await import('./autoscaling/kubernetes-autoscaling.client');
  let kubeConfig;
  try {
    kubeConfig = loadKubeConfig(k8s, process.env);
  } catch (error) {
    if (!(error instanceof KubeConfigError)) throw error;
    // The sink reports the same problem on every apply (NACK); autoscaling waits for a restart.
    logger.error({ err: error.message }, 'autoscaling disabled: the kubeconfig is unusable');
    return undefined;
  }
  return new Autoscaler({
    workloads: new KubernetesAutoscalingClient(kubeConfig),
    ...(config.telemetry?.kind === 'prometheus'
      ? { mesh: new PrometheusMeshMetrics(config.telemetry.url) }
      : {}),
    logger,
    policies,
    intervalMs: config.autoscalingIntervalSeconds * 1000,
    observer: metrics.autoscalingObserver(),
  });
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
