// Public API of the agent (@lattice/agent): the Agent class and its pluggable parts, so a fleet
// simulator can run many agents in one process. The Kubernetes source and sink are exported from
// their own modules (import them explicitly) so importing this file never loads @kubernetes/client-node.
//
// Layout: one folder per concern (connection, pki, snapshot, inventory, telemetry, state, sink,
// transport, config, observability); agent.ts composes the parts. File roles:
//   *.port.ts       interfaces the agent reaches the outside world through (ports)
//   *.source.ts     adapters that feed the agent (inventory, telemetry)
//   *.sink.ts       adapters that apply rendered configuration
//   *.store.ts      adapters that persist the agent's state
//   *.transport.ts  adapters that talk to the controller
//   *.server.ts     the HTTP endpoints the agent serves (/healthz, /readyz, /metrics)
//   *.service.ts    stateful parts of the agent that the Agent composes
//   *.schema.ts     zod validation of input from outside; *.parser.ts text formats
//   *.mapping.ts    pure translation of outside data into the agent's types
//   *.generator.ts  deterministic synthetic data; *.util.ts small pure helpers
//   *.test-fixtures.ts test doubles; *.spec.ts unit; *.int-spec.ts integration
// Root files: agent.ts (the Agent), main.ts (the process), agent.errors.ts, logger.ts, version.ts.
export { Agent } from './agent';
export type { AgentDependencies, AgentSettings, AgentStatus } from './agent';
export { AgentFatalError } from './agent.errors';
export type { AgentConnectionState } from './connection/controller-session.service';
export {
  DEFAULT_BACKOFF_POLICY,
  ReconnectBackoff,
  backoffCeilingMs,
  fullJitterDelayMs,
} from './connection/reconnect-backoff.util';
export type { BackoffPolicy } from './connection/reconnect-backoff.util';
export { AGENT_USAGE, AgentConfigError, parseAgentConfig, resolveControllerCa } from './config/agent-config';
export type { AgentConfig, InventoryConfig, SinkConfig } from './config/agent-config';
export type {
  ClusterInventory,
  InventoryEndpointGroup,
  InventoryListener,
  InventoryNamespace,
  InventoryService,
  InventoryServicePort,
  InventorySource,
} from './inventory/inventory-source.port';
export { FileInventorySource } from './inventory/file-inventory.source';
export { diffInventory, isEmptyDelta } from './inventory/inventory-diff.util';
export type { InventoryDelta } from './inventory/inventory-diff.util';
export { InventoryFileError, parseInventoryFile } from './inventory/inventory-file.schema';
export { buildKubernetesInventory } from './inventory/kubernetes-inventory.mapping';
export { createAgentLogger, LOG_LEVELS, logProcessWarnings } from './logger';
export { AgentHttpServer } from './observability/agent-http.server';
export { AgentMetrics } from './observability/agent-metrics.service';
export { agentReadiness } from './observability/agent-readiness.util';
export type { AgentReadiness } from './observability/agent-readiness.util';
export type { AgentLogger, LogLevel } from './logger';
export type { ApplySink } from './sink/apply-sink.port';
export { DirectorySink, manifestFileName } from './sink/directory.sink';
export { objectsToPrune, withOwnershipLabels } from './sink/kubernetes-prune.util';
export { SnapshotApplier, sha256Hex } from './snapshot/snapshot-applier.service';
export type {
  ClusterStateRenderer,
  IncomingSnapshot,
  SnapshotAnswer,
  SnapshotOutcome,
} from './snapshot/snapshot-applier.service';
export { AgentStateStore, StateStoreError } from './state/agent-state.store';
export type {
  AgentCredentials,
  AgentIdentity,
  AgentStateStorage,
  PersistedSnapshot,
  StoredIntermediateKey,
} from './state/agent-state.store';
export { generateKeyAndCsr, keyMatchesCertificate } from './pki/agent-keys.util';
export type { KeyAndCsr } from './pki/agent-keys.util';
export { TelemetrySender } from './telemetry/telemetry-sender.service';
export type { TelemetryOutlet } from './telemetry/telemetry-sender.service';
export { deriveSeed, SeededRandom } from '@lattice/platform';
export {
  generateSyntheticTraffic,
  InvalidSyntheticTrafficConfigError,
  validateSyntheticTrafficConfig,
} from './telemetry/synthetic-traffic.generator';
export type {
  LatencySpec,
  SyntheticEdge,
  SyntheticTrafficConfig,
} from './telemetry/synthetic-traffic.generator';
export {
  SyntheticTelemetrySource,
  parseSyntheticTelemetryFile,
} from './telemetry/synthetic-telemetry.source';
export type { TelemetryItem, TelemetrySource } from './telemetry/telemetry-source.port';
export { ControllerCallError } from './transport/controller-transport.port';
export type {
  ControllerStream,
  ControllerTransport,
  StreamHandlers,
} from './transport/controller-transport.port';
export { GrpcControllerTransport } from './transport/grpc-controller.transport';
export { AGENT_VERSION } from './version';
