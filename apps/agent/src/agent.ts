import type { ControllerMessage__Output } from '@lattice/proto';
import { type AgentConnectionState, ControllerSession } from './connection/controller-session.service';
import {
  type BackoffPolicy,
  DEFAULT_BACKOFF_POLICY,
  ReconnectBackoff,
} from './connection/reconnect-backoff.util';
import type { ClusterInventory, InventorySource } from './inventory/inventory-source.port';
import { InventoryReporter } from './inventory/inventory-reporter.service';
import { type AgentLogger, errorMessage } from './logger';
import { generateKeyAndCsr, type KeyAndCsr } from './pki/agent-keys.util';
import { AgentEnrollment } from './pki/agent-enrollment.service';
import { IntermediateKeyring } from './pki/intermediate-keyring.service';
import type { ApplySink } from './sink/apply-sink.port';
import { type ClusterStateRenderer, SnapshotApplier } from './snapshot/snapshot-applier.service';
import type { AgentStateStorage } from './state/agent-state.store';
import { type TelemetryOutlet, TelemetrySender } from './telemetry/telemetry-sender.service';
import type { TelemetrySource } from './telemetry/telemetry-source.port';
import type { ControllerTransport } from './transport/controller-transport.port';
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
  private readonly intermediateKeys: IntermediateKeyring;
  private readonly inventory: InventoryReporter;
  private readonly telemetry: TelemetrySender | undefined;
  private readonly telemetryOutlet: TelemetryOutlet;
  private readonly now: () => number;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private unsubscribeInventory: (() => void) | undefined;
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
    this.unsubscribeInventory = this.deps.inventorySource.subscribe((inventory) =>
      this.reportInventory(inventory),
    );
    this.telemetry?.start(this.deps.settings.telemetryIntervalMs ?? 15_000, this.telemetryOutlet, this.now);
    this.enrollment.startRenewal();
    this.loop = this.session.run().catch((error: unknown) => this.fail(error));
  }

  /** Closes the stream and stops every timer and watch; the cluster keeps its applied state. */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopped.catch(() => undefined);
    this.stopping = true;
    this.enrollment.stop();
    this.telemetry?.stop();
    this.session.close();
    await this.loop;
    this.unsubscribeInventory?.();
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
    };
  }

  private async fail(error: unknown): Promise<void> {
    this.logger.error({ err: errorMessage(error) }, 'agent stopped');
    this.stopping = true;
    this.enrollment.stop();
    this.telemetry?.stop();
    this.unsubscribeInventory?.();
    await this.deps.inventorySource.stop().catch(() => undefined);
    this.deps.transport.close();
    this.session.markStopped();
    this.settleStopped(error instanceof Error ? error : new Error(errorMessage(error)));
  }

  // ---- agent -> controller ----

  /** After Hello on a new stream: the full inventory, then the telemetry backlog. */
  private onStreamOpened(): void {
    this.inventory.streamStarted();
    const inventory = this.deps.inventorySource.current();
    if (inventory) this.reportInventory(inventory);
    this.telemetry?.streamStarted();
    this.telemetry?.flush(this.telemetryOutlet);
  }

  private reportInventory(inventory: ClusterInventory): void {
    if (!this.session.isOpen) return;
    const report = this.inventory.report(inventory);
    if (report) this.session.send({ inventory: report });
  }

  // ---- controller -> agent ----

  private handleMessage(message: ControllerMessage__Output): void {
    try {
      switch (message.body) {
        case 'snapshot':
          void this.applier.answer(message.snapshot).then((answer) => {
            if (answer) this.session.send(answer);
          });
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
          void this.intermediateKeys.noteSigned(message.signedIntermediate);
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
