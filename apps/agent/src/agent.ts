import type { AgentMessage, ControllerMessage__Output, Snapshot__Output } from '@lattice/proto';
import { type BackoffPolicy, DEFAULT_BACKOFF_POLICY, ReconnectBackoff } from './backoff';
import type { ClusterInventory, InventorySource } from './inventory/cluster-inventory';
import { diffInventory, isEmptyDelta } from './inventory/inventory-diff';
import { type AgentLogger, errorMessage } from './logger';
import {
  certificateValidity,
  firstCertificatePem,
  generateKeyAndCsr,
  type KeyAndCsr,
  keyMatchesCertificate,
  renewalTimeMs,
} from './pki/agent-keys';
import type { ApplySink } from './sink/apply-sink';
import {
  type ClusterStateRenderer,
  type SnapshotOutcome,
  SnapshotApplier,
} from './snapshot/snapshot-applier';
import { type AgentCredentials, type AgentStateStorage, isSafeGnsId } from './state/agent-state.store';
import { TelemetrySender, type TelemetrySource } from './telemetry/telemetry-sender';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
} from './transport/controller-transport';
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

export type AgentConnectionState =
  'idle' | 'registering' | 'connecting' | 'connected' | 'backing-off' | 'stopped';

export interface AgentStatus {
  state: AgentConnectionState;
  clusterId: string | undefined;
  appliedVersion: number;
  /** Revision of the last inventory message sent. */
  inventoryRevision: number;
  certificateNotAfterMs: number | undefined;
}

/** Configuration or state problems the agent cannot recover from by retrying. */
export class AgentFatalError extends Error {
  override readonly name = 'AgentFatalError';
}

type IntermediateRequest__Output = NonNullable<ControllerMessage__Output['intermediateRequest']>;
type SignedIntermediate__Output = NonNullable<ControllerMessage__Output['signedIntermediate']>;

interface Session {
  stream: ControllerStream;
  /** The inventory the controller has from this stream; undefined until the full one is sent. */
  reportedInventory: ClusterInventory | undefined;
}

const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_NACK_REASON_LENGTH = 2000;

/**
 * One cluster's agent: keeps its cluster's mesh configuration equal to the controller's desired
 * state, reports the cluster's inventory and telemetry, and keeps working from its local copy
 * while the controller is away. Side effects sit behind the injected dependencies, so a fleet
 * simulator can run many agents in one process.
 */
export class Agent {
  private readonly logger: AgentLogger;
  private readonly now: () => number;
  private readonly createKeyAndCsr: (commonName: string, modulusLength: 2048 | 3072) => Promise<KeyAndCsr>;
  private readonly applier: SnapshotApplier;
  private readonly backoff: ReconnectBackoff;
  private readonly telemetry: TelemetrySender | undefined;
  private credentials: AgentCredentials | undefined;
  private session: Session | undefined;
  private state: AgentConnectionState = 'idle';
  private stopping = false;
  private inventoryRevision: number;
  private loop: Promise<void> | undefined;
  private unsubscribeInventory: (() => void) | undefined;
  private renewalTimer: NodeJS.Timeout | undefined;
  private telemetryTimer: NodeJS.Timeout | undefined;
  private telemetryCollecting = false;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly intermediatesInFlight = new Set<string>();
  private readonly stopped: Promise<void>;
  private settleStopped!: (error?: Error) => void;

  constructor(private readonly deps: AgentDependencies) {
    this.logger = deps.logger;
    this.now = deps.now ?? Date.now;
    this.createKeyAndCsr = deps.createKeyAndCsr ?? generateKeyAndCsr;
    this.backoff = new ReconnectBackoff(
      deps.settings.backoffPolicy ?? DEFAULT_BACKOFF_POLICY,
      deps.random ?? Math.random,
    );
    this.applier = new SnapshotApplier({
      store: deps.stateStore,
      sink: deps.sink,
      render: deps.render,
      logger: deps.logger,
      clusterId: () => this.credentials?.identity.clusterId,
      now: this.now,
    });
    this.telemetry = deps.telemetrySource
      ? new TelemetrySender(deps.telemetrySource, deps.logger, {
          maxPendingBatches: deps.settings.telemetryBacklogBatches,
        })
      : undefined;
    // Seeded from the clock so revisions also increase across restarts of the agent.
    this.inventoryRevision = this.now();
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
    const { stateStore, settings } = this.deps;
    await stateStore.ensureDirectory();
    this.credentials = await stateStore.readCredentials();
    if (this.credentials && settings.bootstrapToken) {
      this.logger.info(
        { clusterId: this.credentials.identity.clusterId },
        'credentials present; the bootstrap token is ignored',
      );
    }
    await this.applier.restore();
    await this.deps.inventorySource.start();
    this.unsubscribeInventory = this.deps.inventorySource.subscribe((inventory) =>
      this.reportInventory(inventory),
    );
    if (this.telemetry) {
      this.telemetryTimer = setInterval(
        () => void this.collectTelemetry(),
        settings.telemetryIntervalMs ?? 15_000,
      );
    }
    if (this.credentials) this.scheduleRenewal();
    this.loop = this.runConnectionLoop().catch((error: unknown) => this.fail(error));
  }

  /** Closes the stream and stops every timer and watch; the cluster keeps its applied state. */
  async stop(): Promise<void> {
    if (this.stopping) return this.stopped.catch(() => undefined);
    this.stopping = true;
    clearTimeout(this.renewalTimer);
    clearInterval(this.telemetryTimer);
    clearTimeout(this.sleepTimer);
    this.wakeUp?.();
    this.session?.stream.close();
    await this.loop;
    this.unsubscribeInventory?.();
    await this.deps.inventorySource.stop();
    this.deps.transport.close();
    this.state = 'stopped';
    this.settleStopped();
  }

  /** Resolves after stop(); rejects when the agent gave up (e.g. the bootstrap token was refused). */
  whenStopped(): Promise<void> {
    return this.stopped;
  }

  /** Undefined until the agent has credentials. */
  get clusterId(): string | undefined {
    return this.credentials?.identity.clusterId;
  }

  status(): AgentStatus {
    return {
      state: this.state,
      clusterId: this.credentials?.identity.clusterId,
      appliedVersion: this.applier.appliedVersion,
      inventoryRevision: this.inventoryRevision,
      certificateNotAfterMs: this.credentials
        ? certificateValidity(this.credentials.certPem).notAfterMs
        : undefined,
    };
  }

  private async fail(error: unknown): Promise<void> {
    this.logger.error({ err: errorMessage(error) }, 'agent stopped');
    this.stopping = true;
    clearTimeout(this.renewalTimer);
    clearInterval(this.telemetryTimer);
    this.unsubscribeInventory?.();
    await this.deps.inventorySource.stop().catch(() => undefined);
    this.deps.transport.close();
    this.state = 'stopped';
    this.settleStopped(error instanceof Error ? error : new Error(errorMessage(error)));
  }

  // ---- connection lifecycle ----

  private async runConnectionLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        const credentials = this.credentials ?? (await this.register());
        if (this.stopping) break;
        const livedMs = await this.runStream(credentials);
        this.backoff.connectionEnded(livedMs);
      } catch (error) {
        if (error instanceof AgentFatalError) throw error;
        this.logger.warn({ err: errorMessage(error) }, 'controller call failed');
      }
      if (this.stopping) break;
      const delayMs = this.backoff.nextDelayMs();
      this.state = 'backing-off';
      this.logger.info({ delayMs, attempt: this.backoff.failedAttempts }, 'reconnecting to the controller');
      await this.sleep(delayMs);
    }
  }

  private async register(): Promise<AgentCredentials> {
    const { settings, transport, stateStore } = this.deps;
    if (!settings.bootstrapToken || !settings.clusterName) {
      throw new AgentFatalError(
        `no credentials in ${stateStore.directory}; to register, set LATTICE_BOOTSTRAP_TOKEN and LATTICE_CLUSTER_NAME`,
      );
    }
    this.state = 'registering';
    const { keyPem, csrPem } = await this.createKeyAndCsr(settings.clusterName, 2048);
    let result;
    try {
      result = await transport.register({
        bootstrapToken: settings.bootstrapToken,
        clusterName: settings.clusterName,
        csrPem,
        agentVersion: this.agentVersion,
      });
    } catch (error) {
      if (error instanceof ControllerCallError && !error.retryable) {
        throw new AgentFatalError(`cannot register: ${error.message}`);
      }
      throw error;
    }
    if (!keyMatchesCertificate(keyPem, result.certificatePem)) {
      throw new AgentFatalError('registration returned a certificate that does not match the agent key');
    }
    const credentials: AgentCredentials = {
      keyPem,
      certPem: result.certificatePem,
      caPem: result.caBundlePem,
      identity: {
        clusterId: result.clusterId,
        tenantId: result.tenantId,
        controller: settings.controllerAddress,
      },
    };
    await stateStore.writeCredentials(credentials);
    this.credentials = credentials;
    this.logger.info(
      { clusterId: result.clusterId, tenantId: result.tenantId },
      'registered with the controller',
    );
    this.scheduleRenewal();
    return credentials;
  }

  /** Runs one stream until it ends; resolves with how long it lived. */
  private runStream(credentials: AgentCredentials): Promise<number> {
    const interval = this.deps.settings.heartbeatIntervalMs;
    return new Promise<number>((resolve) => {
      const openedAt = this.now();
      let lastHeardAt = openedAt;
      const timers: { heartbeat?: NodeJS.Timeout } = {};
      let closed = false;
      this.state = 'connecting';

      const session: Session = {
        reportedInventory: undefined,
        stream: this.deps.transport.openStream(credentials, {
          onMessage: (message) => {
            lastHeardAt = this.now();
            if (this.state !== 'connected') {
              this.state = 'connected';
              this.logger.info({ clusterId: credentials.identity.clusterId }, 'connected to the controller');
            }
            this.handleMessage(message);
          },
          onClosed: (error) => {
            closed = true;
            clearInterval(timers.heartbeat);
            if (this.session === session) this.session = undefined;
            const livedMs = this.now() - openedAt;
            if (error) this.logger.warn({ err: error.message, livedMs }, 'stream to the controller closed');
            resolve(livedMs);
          },
        }),
      };
      // A transport may report failure while opening; then there is nothing to run.
      if (closed) return;
      this.session = session;

      this.send({
        hello: {
          clusterId: credentials.identity.clusterId,
          appliedVersion: this.applier.appliedVersion,
          agentVersion: this.agentVersion,
        },
      });
      const inventory = this.deps.inventorySource.current();
      if (inventory) this.reportInventory(inventory);
      this.telemetry?.streamStarted();
      this.sendTelemetry();

      timers.heartbeat = setInterval(() => {
        const silentMs = this.now() - lastHeardAt;
        if (silentMs >= 3 * interval) {
          this.logger.warn(
            { silentMs },
            'nothing from the controller for 3 heartbeat intervals; reconnecting',
          );
          session.stream.close();
          return;
        }
        this.send({ heartbeat: { sentAtUnixMs: this.now() } });
      }, interval);
    });
  }

  private send(message: AgentMessage): void {
    this.session?.stream.send(message);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeUp = resolve;
      this.sleepTimer = setTimeout(resolve, ms);
    });
  }

  // ---- agent -> controller ----

  /** Full inventory first on each stream, then deltas against what this stream already reported. */
  private reportInventory(inventory: ClusterInventory): void {
    const session = this.session;
    if (!session) return;
    const previous = session.reportedInventory;
    if (!previous) {
      this.inventoryRevision += 1;
      session.stream.send({
        inventory: {
          full: true,
          namespaces: inventory.namespaces,
          services: inventory.services,
          revision: this.inventoryRevision,
        },
      });
    } else {
      const delta = diffInventory(previous, inventory);
      if (isEmptyDelta(delta)) return;
      this.inventoryRevision += 1;
      session.stream.send({
        inventory: {
          full: false,
          namespaces: delta.upsertedNamespaces,
          services: delta.upsertedServices,
          removedNamespaces: delta.removedNamespaces,
          removedServices: delta.removedServices,
          revision: this.inventoryRevision,
        },
      });
    }
    session.reportedInventory = inventory;
  }

  /** Sends what the in-flight window allows; the rest waits for acknowledgements or the next stream. */
  private sendTelemetry(): void {
    if (!this.session) return;
    for (const batch of this.telemetry?.takeSendable() ?? []) this.send({ telemetry: batch });
  }

  private async collectTelemetry(): Promise<void> {
    if (!this.telemetry || this.telemetryCollecting) return;
    this.telemetryCollecting = true;
    try {
      await this.telemetry.collect(new Date(this.now()));
      this.sendTelemetry();
    } catch (error) {
      this.logger.warn({ err: errorMessage(error) }, 'telemetry collection failed');
    } finally {
      this.telemetryCollecting = false;
    }
  }

  // ---- controller -> agent ----

  private handleMessage(message: ControllerMessage__Output): void {
    try {
      switch (message.body) {
        case 'snapshot':
          void this.onSnapshot(message.snapshot);
          return;
        case 'ping':
          return;
        case 'telemetryAck': {
          const ack = message.telemetryAck;
          if (!ack) return;
          // A refused batch is dropped as well: resending a malformed batch cannot succeed.
          if (ack.rejectedReason)
            this.logger.warn(
              { batchId: ack.batchId, reason: ack.rejectedReason },
              'controller refused a telemetry batch',
            );
          this.telemetry?.acknowledge(ack.batchId);
          this.sendTelemetry();
          return;
        }
        case 'intermediateRequest':
          void this.onIntermediateRequest(message.intermediateRequest);
          return;
        case 'signedIntermediate':
          void this.onSignedIntermediate(message.signedIntermediate);
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

  private async onSnapshot(snapshot: Snapshot__Output | null | undefined): Promise<void> {
    if (!snapshot) return;
    const version = snapshot.version;
    if (!Number.isSafeInteger(version) || version < 0) {
      this.send({ nack: { version: 0, reason: `invalid snapshot version ${String(version)}` } });
      return;
    }
    let outcome: SnapshotOutcome;
    try {
      outcome = await this.applier.apply({
        version,
        format: snapshot.format,
        payload: snapshot.payload ?? Buffer.alloc(0),
        checksum: snapshot.checksum,
      });
    } catch (error) {
      outcome = { result: 'rejected', version, reason: `unexpected error: ${errorMessage(error)}` };
    }
    if (outcome.result === 'rejected') {
      this.send({ nack: { version, reason: outcome.reason.slice(0, MAX_NACK_REASON_LENGTH) } });
    } else {
      this.send({ ack: { version } });
    }
  }

  /**
   * Answers with a CSR for a freshly generated key, also for a renewal at the same root generation:
   * a key is never reused across certificates. The key in use stays until a snapshot with the
   * new intermediate is applied; the snapshot applier then deletes what is no longer needed.
   */
  private async onIntermediateRequest(
    request: IntermediateRequest__Output | null | undefined,
  ): Promise<void> {
    if (!request) return;
    const { gnsId, subjectCommonName, rootGeneration } = request;
    if (!isSafeGnsId(gnsId) || subjectCommonName.trim() === '' || !Number.isSafeInteger(rootGeneration)) {
      this.logger.warn({ gnsId, subjectCommonName, rootGeneration }, 'invalid intermediate request; ignored');
      return;
    }
    const requestKey = `${gnsId}-${rootGeneration}`;
    if (this.intermediatesInFlight.has(requestKey)) return;
    this.intermediatesInFlight.add(requestKey);
    try {
      const { keyPem, csrPem } = await this.createKeyAndCsr(subjectCommonName, 3072);
      // Stored (atomically, 0600) before the CSR leaves: a signed answer always finds its key.
      await this.deps.stateStore.writeIntermediateKey(gnsId, rootGeneration, keyPem, this.now());
      this.send({ csr: { gnsId, csrPem, rootGeneration } });
      this.logger.info({ gnsId, rootGeneration }, 'sent intermediate CSR');
    } catch (error) {
      this.logger.error(
        { gnsId, rootGeneration, err: errorMessage(error) },
        'could not create the intermediate CSR',
      );
    } finally {
      this.intermediatesInFlight.delete(requestKey);
    }
  }

  /** Only a hint: the snapshot carries the chain and is what gets applied. */
  private async onSignedIntermediate(message: SignedIntermediate__Output | null | undefined): Promise<void> {
    if (!message) return;
    const certificate = firstCertificatePem(message.certChainPem);
    const keys = await this.deps.stateStore.listIntermediateKeys();
    const matched =
      certificate !== undefined && keys.some((key) => keyMatchesCertificate(key.keyPem, certificate));
    if (matched) {
      this.logger.info(
        { gnsId: message.gnsId, rootGeneration: message.rootGeneration },
        'intermediate signed; it applies with the next snapshot',
      );
    } else {
      this.logger.warn(
        { gnsId: message.gnsId, rootGeneration: message.rootGeneration },
        'signed intermediate matches no stored key',
      );
    }
  }

  // ---- certificate renewal ----

  private scheduleRenewal(): void {
    clearTimeout(this.renewalTimer);
    if (!this.credentials || this.stopping) return;
    const renewAt = renewalTimeMs(certificateValidity(this.credentials.certPem));
    this.setRenewalTimer(renewAt - this.now());
  }

  private setRenewalTimer(delayMs: number): void {
    // setTimeout cannot wait longer than ~24.8 days; wake up and re-check.
    const wait = Math.min(Math.max(0, delayMs), MAX_TIMER_MS);
    this.renewalTimer = setTimeout(() => {
      if (delayMs > MAX_TIMER_MS) this.scheduleRenewal();
      else void this.renewCertificate();
    }, wait);
  }

  private async renewCertificate(): Promise<void> {
    const current = this.credentials;
    if (!current || this.stopping) return;
    try {
      const commonName = this.deps.settings.clusterName ?? current.identity.clusterId;
      const { keyPem, csrPem } = await this.createKeyAndCsr(commonName, 2048);
      const result = await this.deps.transport.renewCertificate(current, csrPem);
      if (!keyMatchesCertificate(keyPem, result.certificatePem)) {
        throw new Error('renewed certificate does not match the new key');
      }
      const renewed: AgentCredentials = {
        ...current,
        keyPem,
        certPem: result.certificatePem,
        caPem: result.caBundlePem || current.caPem,
      };
      await this.deps.stateStore.writeCredentials(renewed);
      // The open stream keeps its TLS session; the next connection uses the new certificate.
      this.credentials = renewed;
      this.logger.info(
        { notAfter: new Date(certificateValidity(renewed.certPem).notAfterMs).toISOString() },
        'agent certificate renewed',
      );
      this.scheduleRenewal();
    } catch (error) {
      const retryMs = this.deps.settings.renewalRetryMs ?? 60_000;
      const notAfterMs = certificateValidity(current.certPem).notAfterMs;
      const level = this.now() + retryMs >= notAfterMs ? 'error' : 'warn';
      this.logger[level](
        { err: errorMessage(error), retryMs, notAfter: new Date(notAfterMs).toISOString() },
        'agent certificate renewal failed',
      );
      if (!this.stopping) this.setRenewalTimer(retryMs);
    }
  }

  private get agentVersion(): string {
    return this.deps.settings.agentVersion ?? AGENT_VERSION;
  }
}
