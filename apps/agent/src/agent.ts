import type { ControllerMessage__Output } from '@lattice/proto';
import { type AgentConnectionState, ControllerSession } from './connection/controller-session.service';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF_POLICY,
  ReconnectBackoff,
} from './connection/reconnect-backoff.util';
import type {
  ClusterInventory,
  InventorySource,
  InventorySyncState,
} from './inventory/inventory-source.port';
import { InventoryReporter } from './inventory/inventory-reporter.service';
import { type AgentLogger, errorMessage } from './logger';
import type { MeshInstallationSource } from './mesh/mesh-installation-source.port';
import { meshInstallationMessage } from './mesh/mesh-installation.message';
import { generateKeyAndCsr, type KeyAndCsr } from './pki/agent-keys.util';
import { AgentEnrollment } from './pki/agent-enrollment.service';
import { IntermediateKeyring } from './pki/intermediate-keyring.service';
import type { ApplySink } from './sink/apply-sink.port';
import {
  type ClusterStateRenderer,
  SnapshotApplier,
  type SnapshotDelivery,
} from './snapshot/snapshot-applier.service';
import type { DesiredAutoscalingPolicy } from '@lattice/domain';
import { type ApplyRetryPolicy, SnapshotRetry } from './snapshot/snapshot-retry.service';
import type { AgentStateStorage } from './state/agent-state.store';
import { type TelemetryOutlet, TelemetrySender } from './telemetry/telemetry-sender.service';
import type { TelemetrySource } from './telemetry/telemetry-source.port';
import type { ControllerTransport } from './transport/controller-transport.port';
import type { Autoscaler, AutoscalingCondition } from './autoscaling/autoscaler.service';
import { AGENT_VERSION } from './version';

export interface AgentSettings {
  /** host:port of the controller; recorded in identity.json. */
  controllerAddress: string;
  /** Needed only to register (no credentials in the state directory yet). */
  clusterName?: string;
  bootstrapToken?: string;
  heartbeatIntervalMs: number;
  /** How often telemetry is collected and sent; default 15 s. */
  telemetryIntervalMs?: number;
  /** Unacknowledged telemetry batches kept while the controller is away or behind; default 120. */
  telemetryBacklogBatches?: number;
  agentVersion?: string;
  backoffPolicy?: BackoffPolicy;
  /** Wait before retrying a failed certificate renewal; default 60 s. */
  renewalRetryMs?: number;
  /** Retries of a snapshot the cluster refused; default DEFAULT_APPLY_RETRY_POLICY. */
  applyRetryPolicy?: ApplyRetryPolicy;
}

export interface AgentDependencies {
  settings: AgentSettings;
  transport: ControllerTransport;
  inventorySource: InventorySource;
  sink: ApplySink;
  stateStore: AgentStateStorage;
  render: ClusterStateRenderer;
  logger: AgentLogger;
  telemetrySource?: TelemetrySource;
  /** Scales workloads by the autoscaling policies of the applied snapshot (Kubernetes mode). */
  autoscaler?: Autoscaler;
  /** The cluster's Istio installation (Kubernetes or the inventory file's `mesh:` section). */
  meshSource?: MeshInstallationSource;
  /**
   * Creates the agent's client key and CSR (registration, renewal) and GNS intermediate keys;
   * default: a fresh RSA key per call. A fleet simulator hands out pre-generated keys instead.
   */
  createKeyAndCsr?: (commonName: string, modulusLength: 2048 | 3072) => Promise<KeyAndCsr>;
  /** Injected for tests and simulators. */
  now?: () => number;
  random?: () => number;
}

export interface AgentStatus {
  state: AgentConnectionState;
  clusterId: string | undefined;
  appliedVersion: number;
  /** Revision of the last inventory message sent. */
  inventoryRevision: number;
  /** The inventory source has produced an inventory (for Kubernetes: after its first full sync). */
  inventorySynced: boolean;
  /** Telemetry batches collected and not yet acknowledged by the controller. */
  telemetryBacklog: number;
  certificateNotAfterMs: number | undefined;
  /** The inventory source's InventorySynced condition; undefined for sources that do not report one. */
  inventorySync?: InventorySyncState;
  /** Autoscaling decisions not yet sent to the controller (0 without an autoscaler). */
  autoscalingBacklog?: number;
}

/**
 * One cluster's agent: keeps its cluster's mesh configuration equal to the controller's desired
 * state, reports the cluster's inventory and telemetry, and keeps working from its local copy
 * while the controller is away. Side effects sit behind the injected dependencies (ports), so a
 * fleet simulator can run many agents in one process.
 *
 * The Agent composes its parts and routes between them:
 * - ControllerSession: the stream to the controller (Hello, heartbeats, reconnect with backoff);
 * - AgentEnrollment: registration and renewal of the agent's own certificate;
 * - SnapshotApplier: applies, persists and acknowledges config snapshots;
 * - IntermediateKeyring: GNS intermediate CA keys (CSRs, lookup, pruning);
 * - InventoryReporter and TelemetrySender: what the agent reports.
 */
export class Agent {
  private readonly logger: AgentLogger;
  private readonly enrollment: AgentEnrollment;
  private readonly session: ControllerSession;
  private readonly applier: SnapshotApplier;
  private readonly applyRetry: SnapshotRetry;
  private readonly intermediateKeys: IntermediateKeyring;
  private readonly inventory: InventoryReporter;
  private readonly telemetry: TelemetrySender | undefined;
  private readonly telemetryOutlet: TelemetryOutlet;
  private readonly now: () => number;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private unsubscribeInventory: (() => void) | undefined;
  private unsubscribeSyncState: (() => void) | undefined;
  private unsubscribeAutoscaling: (() => void) | undefined;
  private unsubscribeMesh: (() => void) | undefined;
  private readonly stopped: Promise<void>;
  private settleStopped!: (error?: Error) => void;

  constructor(private readonly deps: AgentDependencies) {
    const { settings, logger } = deps;
    this.logger = logger;
    this.now = deps.now ?? Date.now;
    const createKeyAndCsr = deps.createKeyAndCsr ?? generateKeyAndCsr;
    const agentVersion = settings.agentVersion ?? AGENT_VERSION;
    this.enrollment = new AgentEnrollment({
      settings: { ...settings, agentVersion },
      transport: deps.transport,
      stateStore: deps.stateStore,
      logger,
      now: this.now,
      createKeyAndCsr,
    });
    this.intermediateKeys = new IntermediateKeyring({
      store: deps.stateStore,
      logger,
      now: this.now,
      createKeyAndCsr,
    });
    this.applier = new SnapshotApplier({
      store: deps.stateStore,
      sink: deps.sink,
      render: deps.render,
      logger,
      clusterId: () => this.enrollment.clusterId,
      now: this.now,
      intermediateKeys: this.intermediateKeys,
    });
    this.applyRetry = new SnapshotRetry({
      attempt: (snapshot) => this.applier.attempt(snapshot),
      // Dropped while disconnected: Hello then carries the applied version.
      report: (answer) => this.session.send(answer),
      appliedVersion: () => this.applier.appliedVersion,
      logger,
      policy: settings.applyRetryPolicy,
      now: this.now,
      random: deps.random,
    });
    this.session = new ControllerSession({
      transport: deps.transport,
      credentials: this.enrollment,
      logger,
      now: this.now,
      backoff: new ReconnectBackoff(
        settings.backoffPolicy ?? DEFAULT_BACKOFF_POLICY,
        deps.random ?? Math.random,
      ),
      heartbeatIntervalMs: settings.heartbeatIntervalMs,
      hello: (credentials) => ({
        clusterId: credentials.identity.clusterId,
        appliedVersion: this.applier.appliedVersion,
        agentVersion,
        // What the applied snapshot consists of, so the controller sends only the difference.
        supportsDelta: true,
        heldResources: this.applier.heldResources(),
      }),
      onStreamOpened: () => this.onStreamOpened(),
      onMessage: (message) => this.handleMessage(message),
    });
    // Seeded from the clock so revisions also increase across restarts of the agent.
    this.inventory = new InventoryReporter(this.now());
    this.telemetry = deps.telemetrySource
      ? new TelemetrySender(deps.telemetrySource, logger, {
          maxPendingBatches: settings.telemetryBacklogBatches,
        })
      : undefined;
    const session = this.session;
    this.telemetryOutlet = {
      get isOpen() {
        return session.isOpen;
      },
      send: (batch) => session.send({ telemetry: batch }),
    };
    this.stopped = new Promise<void>((resolve, reject) => {
      this.settleStopped = (error) => (error ? reject(error) : resolve());
    });
    // whenStopped() may never be awaited (e.g. in a simulator); do not turn a fatal error into an unhandled rejection.
    this.stopped.catch(() => undefined);
  }

  /**
   * Loads credentials, re-applies the persisted snapshot (the cluster keeps working without the
   * controller), starts the inventory source and then connects in the background.
   */
  async start(): Promise<void> {
    await this.deps.stateStore.ensureDirectory();
    await this.enrollment.load();
    await this.applier.restore();
    await this.deps.inventorySource.start();
    this.unsubscribeInventory = this.deps.inventorySource.subscribe((inventory) => {
      // The cluster changed (a CRD, a namespace...): a refused snapshot may apply now.
      this.applyRetry.nudge();
      this.reportInventory(inventory);
    });
    this.unsubscribeSyncState = this.deps.inventorySource.subscribeSyncState?.((state) =>
      this.reportSyncState(state),
    );
    if (this.deps.meshSource) {
      await this.deps.meshSource.start();
      this.unsubscribeMesh = this.deps.meshSource.subscribe(() => this.reportMesh());
    }
    this.telemetry?.start(this.deps.settings.telemetryIntervalMs ?? 15_000, this.telemetryOutlet, this.now);
    if (this.deps.autoscaler) {
      const session = this.session;
      this.unsubscribeAutoscaling = this.deps.autoscaler.onCondition((condition) =>
        this.reportAutoscalingCondition(condition),
      );
      this.deps.autoscaler.start({
        get isOpen() {
          return session.isOpen;
        },
        send: (decisions) => session.send({ autoscalingDecisions: { decisions } }),
      });
    }
    this.enrollment.startRenewal();
    this.loop = this.session.run().catch((error: unknown) => this.fail(error));
  }

  /** Closes the stream and stops every timer and watch; the cluster keeps its applied state. */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopped.catch(() => undefined);
    this.stopping = true;
    this.enrollment.stop();
    this.applyRetry.stop();
    this.telemetry?.stop();
    this.unsubscribeAutoscaling?.();
    await this.deps.autoscaler?.stop();
    this.session.close();
    await this.loop;
    this.unsubscribeInventory?.();
    this.unsubscribeSyncState?.();
    this.unsubscribeMesh?.();
    await this.deps.meshSource?.stop();
    await this.deps.inventorySource.stop();
    this.deps.transport.close();
    this.session.markStopped();
    this.settleStopped();
  }

  /** Resolves after stop(); rejects when the agent gave up (e.g. the bootstrap token was refused). */
  whenStopped(): Promise<void> {
    return this.stopped;
  }

  /** Undefined until the agent has credentials. */
  get clusterId(): string | undefined {
    return this.enrollment.clusterId;
  }

  status(): AgentStatus {
    return {
      state: this.session.state,
      clusterId: this.enrollment.clusterId,
      appliedVersion: this.applier.appliedVersion,
      inventoryRevision: this.inventory.revision,
      inventorySynced: this.deps.inventorySource.current() !== undefined,
      telemetryBacklog: this.telemetry?.unacknowledged().length ?? 0,
      certificateNotAfterMs: this.enrollment.certificateNotAfterMs,
      inventorySync: this.deps.inventorySource.syncState?.(),
      autoscalingBacklog: this.deps.autoscaler?.backlog ?? 0,
    };
  }

  /** The autoscaling policies of the applied snapshot: the autoscaler keeps running on them offline. */
  autoscalingPolicies(): DesiredAutoscalingPolicy[] {
    return this.applier.state?.autoscaling ?? [];
  }

  private async fail(error: unknown): Promise<void> {
    this.logger.error({ err: errorMessage(error) }, 'agent stopped');
    this.stopping = true;
    this.enrollment.stop();
    this.applyRetry.stop();
    this.telemetry?.stop();
    this.unsubscribeAutoscaling?.();
    await this.deps.autoscaler?.stop().catch(() => undefined);
    this.unsubscribeInventory?.();
    this.unsubscribeSyncState?.();
    this.unsubscribeMesh?.();
    await this.deps.meshSource?.stop().catch(() => undefined);
    await this.deps.inventorySource.stop().catch(() => undefined);
    this.deps.transport.close();
    this.session.markStopped();
    this.settleStopped(error instanceof Error ? error : new Error(errorMessage(error)));
  }

  // ---- agent -> controller ----

  /**
   * After Hello on a new stream: the inventory's sync state (before the inventory, so the
   * controller knows this agent reports it), the full inventory, then the telemetry backlog.
   */
  private onStreamOpened(): void {
    this.inventory.streamStarted();
    const syncState = this.deps.inventorySource.syncState?.();
    if (syncState) this.reportSyncState(syncState);
    const inventory = this.deps.inventorySource.current();
    if (inventory) this.reportInventory(inventory);
    this.reportMesh();
    this.telemetry?.streamStarted();
    this.telemetry?.flush(this.telemetryOutlet);
    if (this.deps.autoscaler) {
      this.reportAutoscalingCondition(this.deps.autoscaler.currentCondition());
      this.deps.autoscaler.flush();
    }
  }

  /** AutoscalingReady: False while a policy cannot act here (an HPA owns its workload, it is missing). */
  private reportAutoscalingCondition(condition: AutoscalingCondition): void {
    if (!this.session.isOpen) return;
    this.session.send({
      conditions: {
        conditions: [
          {
            type: 'AutoscalingReady',
            status: condition.status,
            reason: condition.reason,
            message: condition.message,
            lastTransitionUnixMs: condition.lastTransitionMs,
          },
        ],
      },
    });
  }

  private reportInventory(inventory: ClusterInventory): void {
    if (!this.session.isOpen) return;
    const report = this.inventory.report(inventory);
    if (report) this.session.send({ inventory: report });
  }

  /** The Istio installation, complete, on every new stream and whenever it changes. */
  private reportMesh(): void {
    const installation = this.deps.meshSource?.current();
    if (!installation || !this.session.isOpen) return;
    this.session.send({ mesh: meshInstallationMessage(installation) });
  }

  /** The InventorySynced condition; while it is False the controller keeps the last inventory sent. */
  private reportSyncState(state: InventorySyncState): void {
    if (!this.session.isOpen) return;
    this.session.send({
      conditions: {
        conditions: [
          {
            type: 'InventorySynced',
            status: state.status,
            reason: state.reason,
            message: state.message,
            lastTransitionUnixMs: state.lastTransitionMs,
          },
        ],
      },
    });
  }

  // ---- controller -> agent ----

  /** ACK or NACK a delivered snapshot; one the cluster refused is retried later. */
  private answerDelivery(delivery: SnapshotDelivery | undefined): void {
    if (!delivery) return;
    this.session.send(delivery.answer);
    if (delivery.retry) this.applyRetry.refused(delivery.retry, delivery.answer.nack?.reason ?? '');
  }

  private handleMessage(message: ControllerMessage__Output): void {
    try {
      switch (message.body) {
        case 'snapshot':
          this.applyRetry.superseded();
          void this.applier.deliver(message.snapshot).then((delivery) => this.answerDelivery(delivery));
          return;
        case 'deltaSnapshot':
          this.applyRetry.superseded();
          void this.applier
            .deliverDelta(message.deltaSnapshot)
            .then((delivery) => this.answerDelivery(delivery));
          return;
        case 'ping':
          return;
        case 'telemetryAck':
          this.telemetry?.onAcknowledgement(message.telemetryAck, this.telemetryOutlet);
          return;
        case 'intermediateRequest':
          void this.intermediateKeys.answerRequest(message.intermediateRequest, (csr) =>
            this.session.send({ csr }),
          );
          return;
        case 'signedIntermediate':
          void this.intermediateKeys
            .noteSigned(message.signedIntermediate)
            .then(() => this.applyRetry.nudge());
          return;
        default:
          this.logger.warn({ body: message.body }, 'unknown message from the controller; ignored');
      }
    } catch (error) {
      this.logger.error(
        { err: errorMessage(error), body: message.body },
        'could not handle a controller message',
      );
    }
  }
}
