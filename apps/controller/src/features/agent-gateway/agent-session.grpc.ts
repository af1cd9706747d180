import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { randomUUID } from 'node:crypto';
import { status as GrpcStatus, type Metadata, type ServerDuplexStream } from '@grpc/grpc-js';
import type { Logger } from '@nestjs/common';
import {
  diffResources,
  DomainError,
  resourceHashes,
  validateInventoryUpdate,
  validateReportedConditions,
} from '@lattice/domain';
import {
  SNAPSHOT_FORMAT,
  type AgentMessage__Output,
  type ControllerMessage,
  type Hello__Output,
  type Inventory__Output,
} from '@lattice/proto';
import type { MetricsService } from '../../platform/metrics/metrics.service';
import type { AgentStreamService, RotationAckGate, SnapshotToPush } from './agent-stream.service';
import { inventoryUpdateFromProto, meshInstallationFromProto } from './agent-messages.util';
import { AGENT_STRING_LIMITS, boundAgentString } from './agent-strings.util';
import { toServiceError } from './grpc-status.util';

const tracer = trace.getTracer('lattice-agent-gateway');

export interface AgentIdentityOnStream {
  tenantId: string;
  clusterId: string;
  fingerprint: string;
}

export interface AgentSessionDeps {
  /** What the stream's messages do to the rest of the controller. */
  stream: AgentStreamService;
  metrics: Pick<MetricsService, 'grpcMessages' | 'grpcMessagesSent'>;
  /** Counts the snapshot bytes written to agent streams (what a change costs on the wire). */
  snapshotBytesSent: { inc(bytes: number): void };
  logger: Logger;
  heartbeatMs: number;
  onClosed(session: AgentSession): void;
}

/** Heartbeat intervals between two checks of a stream for a newer snapshot it missed. */
const SNAPSHOT_RECHECK_BEATS = 3;
/** Heartbeat intervals between two checks for intermediates due (2 minutes at the default 10 s). */
const INTERMEDIATES_RECHECK_BEATS = 12;
/** Touching last_seen_at on every heartbeat would write once per agent every few seconds. */
const LAST_SEEN_WRITE_INTERVAL_MS = 10_000;
/**
 * Agent messages read ahead of the one being processed. Past this the stream is paused, so HTTP/2
 * flow control holds the agent back; without it an agent sending telemetry faster than it can be
 * stored filled the controller's memory with decoded batches (and its CPU with garbage collection).
 */
export const MAX_READ_AHEAD_MESSAGES = 4;
/** Held resources a Hello may list: far above any real cluster state, well below the 16 MiB message. */
export const MAX_HELD_RESOURCES = 100_000;
const MAX_RESOURCE_NAME_LENGTH = 512;
const SHA256_HEX = /^[0-9a-f]{64}$/;
/** Unanswered deltas remembered per stream (for a NACK's resend decision). */
const MAX_UNANSWERED_DELTAS = 64;

/** What a delta-capable agent holds: the resources of one version (docs/agent-protocol.md). */
interface HeldResources {
  version: number;
  hashes: Map<string, string>;
}

/**
 * One agent's Connect stream on this replica: Hello first, then inventory, ACK/NACK, telemetry and
 * heartbeats, processed strictly in order. Pushes the cluster's newest snapshot on connect and
 * whenever a new version is announced.
 */
export class AgentSession {
  readonly connectionId: string;
  private helloReceived = false;
  private lastInventoryRevision = -1;
  /** Set once the agent sends AgentConditions (agents older than that message never do). */
  private reportsConditions = false;
  private lastSentVersion = 0;
  /** A snapshot whose CA part differs from the one before was sent since intermediates were last checked. */
  private caPartSentSinceCheck = true;
  /** The agent's Hello set supports_delta: it gets DeltaSnapshot instead of Snapshot. */
  private supportsDelta = false;
  /** What the agent holds (optimistically: as of the last delta sent); null when unknown. */
  private held: HeldResources | null = null;
  /** Base version of each unanswered DeltaSnapshot, by version: a NACK of one based on a held set resends everything. */
  private readonly deltaBases = new Map<number, number>();
  private lastHeardAt = Date.now();
  private lastSeenWrittenAt = 0;
  private beats = 0;
  private unprocessedMessages = 0;
  private queue: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly rotationAcks: RotationAckGate;

  constructor(
    private readonly call: ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
    readonly identity: AgentIdentityOnStream,
    replicaId: string,
    private readonly deps: AgentSessionDeps,
  ) {
    this.connectionId = `${replicaId}:${randomUUID()}`;
    this.rotationAcks = deps.stream.newRotationAckGate();
  }

  get clusterId(): string {
    return this.identity.clusterId;
  }

  start(): void {
    this.call.on('data', (message: AgentMessage__Output) => {
      this.lastHeardAt = Date.now();
      if (++this.unprocessedMessages > MAX_READ_AHEAD_MESSAGES) this.call.pause();
      this.queue = this.queue
        .then(() => this.handleTraced(message))
        .catch((error: unknown) => this.fail(error))
        .finally(() => this.messageProcessed());
    });
    this.call.on('end', () => this.finish('agent closed the stream'));
    this.call.on('error', (error) => this.finish(`stream error: ${error.message}`));
    this.call.on('cancelled', () => this.finish('stream cancelled'));
    this.timers.push(
      setTimeout(() => {
        if (!this.helloReceived)
          this.close(GrpcStatus.INVALID_ARGUMENT, 'expected Hello as the first message within 10 s');
      }, 10_000),
      setInterval(() => this.beat(), this.deps.heartbeatMs),
    );
  }

  /**
   * Sends the newest desired snapshot if the agent does not have it yet. An announced version is
   * taken from this replica's recent snapshots when it holds it, otherwise read from the database.
   */
  async pushLatestSnapshot(announcedVersion?: number): Promise<boolean> {
    if (!this.helloReceived || this.closed) return false;
    const { tenantId, clusterId } = this.identity;
    const snapshot = await this.deps.stream.snapshotToPush(
      tenantId,
      clusterId,
      this.lastSentVersion,
      announcedVersion,
    );
    if (!snapshot || snapshot.version <= this.lastSentVersion) return false;
    this.lastSentVersion = snapshot.version;
    if (this.rotationAcks.snapshotSent(snapshot.version, this.deps.stream.snapshotCaSummary(snapshot)))
      this.caPartSentSinceCheck = true;
    if (this.supportsDelta) {
      this.sendDelta(snapshot);
      return true;
    }
    if (
      this.send({
        snapshot: {
          version: snapshot.version,
          format: SNAPSHOT_FORMAT,
          payload: snapshot.payload,
          checksum: snapshot.hash,
        },
      })
    )
      this.deps.snapshotBytesSent.inc(snapshot.payload.length + snapshot.hash.length);
    return true;
  }

  /**
   * Sends the resources of `snapshot` the agent does not hold, and what it holds that is gone.
   * Sent even when both are empty: the agent still has to move to (and ACK) the new version. From
   * here on the agent is taken to hold the new set (optimistic); a NACK makes it unknown again.
   */
  private sendDelta(snapshot: SnapshotToPush): void {
    const resources = this.deps.stream.snapshotResources(snapshot);
    const { upserts, removed } = diffResources(this.held?.hashes ?? null, resources);
    const baseVersion = this.held?.version ?? 0;
    this.held = { version: snapshot.version, hashes: resourceHashes(resources) };
    this.deltaBases.set(snapshot.version, baseVersion);
    // An agent that answers nothing must not grow the map; the oldest unanswered is the least useful.
    if (this.deltaBases.size > MAX_UNANSWERED_DELTAS)
      this.deltaBases.delete(this.deltaBases.keys().next().value as number);
    const sent = this.send({
      deltaSnapshot: {
        version: snapshot.version,
        baseVersion,
        format: SNAPSHOT_FORMAT,
        resources: upserts.map(({ name, hash, payload }) => ({ name, hash, payload })),
        removed,
        stateChecksum: snapshot.hash,
      },
    });
    if (sent) {
      let bytes = snapshot.hash.length;
      for (const resource of upserts)
        bytes += resource.name.length + resource.hash.length + resource.payload.length;
      for (const name of removed) bytes += name.length;
      this.deps.snapshotBytesSent.inc(bytes);
    }
  }

  /** A Hello's delta fields: what the agent holds, or an error naming the malformed entry. */
  private heldResourcesOf(hello: Hello__Output): HeldResources | null {
    if (!hello.supportsDelta) return null;
    const list = hello.heldResources ?? [];
    if (list.length > MAX_HELD_RESOURCES)
      throw DomainError.validation([
        {
          field: 'hello.heldResources',
          message: `at most ${MAX_HELD_RESOURCES} resources, got ${list.length}`,
        },
      ]);
    const hashes = new Map<string, string>();
    list.forEach(({ name, hash }, index) => {
      const field = `hello.heldResources[${index}]`;
      if (typeof name !== 'string' || name.length === 0 || name.length > MAX_RESOURCE_NAME_LENGTH)
        throw DomainError.validation([
          { field: `${field}.name`, message: `must be 1 to ${MAX_RESOURCE_NAME_LENGTH} characters` },
        ]);
      if (typeof hash !== 'string' || !SHA256_HEX.test(hash))
        throw DomainError.validation([
          { field: `${field}.hash`, message: 'must be a sha256 in lowercase hex (64 characters)' },
        ]);
      if (hashes.has(name))
        throw DomainError.validation([
          { field: `${field}.name`, message: `${boundAgentString(name, 128)} is listed twice` },
        ]);
      hashes.set(name, hash);
    });
    return { version: Number(hello.appliedVersion) || 0, hashes };
  }

  /**
   * Pushes an announced version, then asks for intermediates if what was sent changed the cluster's
   * CA part (a new membership needs an intermediate). The other reasons for a request come on their
   * own: a rotation stage as a CA event, a renewal with the periodic check. Skipping the check
   * after a snapshot with the same CA part (a service or policy change) saves its queries for
   * every member of a changed GNS.
   */
  async pushAnnounced(version: number): Promise<void> {
    await this.pushLatestSnapshot(version);
    if (this.caPartSentSinceCheck) await this.requestIntermediates();
  }

  /**
   * Asks the agent for the intermediate CSRs its cluster needs (new member, renewal due, rotation
   * stage). Called on Hello, after a pushed snapshot changed the cluster's CA part, on CA events
   * and every few heartbeats; only the replica holding the stream asks.
   */
  async requestIntermediates(): Promise<void> {
    if (!this.helloReceived || this.closed) return;
    this.caPartSentSinceCheck = false;
    const requests = await this.deps.stream.intermediateRequestsFor(
      this.identity.tenantId,
      this.identity.clusterId,
    );
    for (const request of requests) this.send({ intermediateRequest: request });
  }

  /**
   * An agent that reconnects with the newest version (after a controller restart: all of them at
   * once) is asked for intermediates at a random moment of its first heartbeat interval instead of
   * in its Hello: the check reads the cluster's membership, intermediates and GNS rows, and a
   * thousand of those at the same instant queue up every stream's Hello behind them. A new
   * snapshot (new membership) is still followed by the check at once.
   */
  private requestIntermediatesSoon(): void {
    const timer = setTimeout(
      () => this.enqueue(() => this.requestIntermediates()),
      Math.floor(Math.random() * this.deps.heartbeatMs),
    );
    timer.unref();
    this.timers.push(timer);
  }

  /** Runs after whatever this stream is processing, in order, like the agent's own messages. */
  enqueue(task: () => Promise<void>): void {
    this.queue = this.queue.then(task).catch((error: unknown) => this.fail(error));
  }

  /** Ends the stream with a status (and trailers: the request id, or the one telling a revoked agent to stop). */
  close(code: GrpcStatus, details: string, metadata?: Metadata): void {
    if (this.closed) return;
    this.deps.logger.warn(`closing stream of cluster ${this.clusterId}: ${details}`);
    this.call.emit('error', { code, details, ...(metadata ? { metadata } : {}) });
    this.finish(details);
  }

  /**
   * One span per agent message (`agent.message <kind>`, with the tenant and cluster): a stream lives
   * for hours, so the gRPC instrumentation's one span per call says nothing about a single ACK or
   * telemetry batch. The database and Redis spans of the handling nest under it. A no-op without
   * tracing (platform/tracing).
   */
  private handleTraced(message: AgentMessage__Output): Promise<void> {
    const kind = message.body ?? 'unknown';
    return tracer.startActiveSpan(
      `agent.message ${kind}`,
      {
        kind: SpanKind.SERVER,
        attributes: { 'lattice.tenant_id': this.identity.tenantId, 'lattice.cluster_id': this.clusterId },
      },
      async (span) => {
        try {
          await this.handle(message);
        } catch (error) {
          span.recordException(error as Error);
          span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async handle(message: AgentMessage__Output): Promise<void> {
    if (this.closed) return;
    const kind = message.body ?? 'unknown';
    this.deps.metrics.grpcMessages.inc({ kind });
    const { tenantId, clusterId } = this.identity;
    if (!this.helloReceived && kind !== 'hello') {
      throw new DomainError('VALIDATION', `expected Hello as the first message, got ${kind}`);
    }
    switch (message.body) {
      case 'hello': {
        const hello = message.hello!;
        if (hello.clusterId && hello.clusterId !== clusterId) {
          throw new DomainError(
            'FORBIDDEN',
            `Hello names cluster ${boundAgentString(hello.clusterId, AGENT_STRING_LIMITS.identifier)} but the certificate is for ${clusterId}`,
          );
        }
        const agentVersion = boundAgentString(hello.agentVersion, AGENT_STRING_LIMITS.agentVersion);
        const held = this.heldResourcesOf(hello);
        this.helloReceived = true;
        // The agent reports what it has applied; anything newer is pushed below.
        this.lastSentVersion = Number(hello.appliedVersion) || 0;
        this.supportsDelta = hello.supportsDelta === true;
        this.held = held;
        await this.deps.stream.connected(tenantId, clusterId, this.connectionId, agentVersion, new Date());
        this.lastSeenWrittenAt = Date.now();
        this.deps.logger.log(
          `cluster ${clusterId} connected (agent ${agentVersion}, applied version ${this.lastSentVersion})`,
        );
        const pushed = await this.pushLatestSnapshot();
        if (pushed) await this.requestIntermediates();
        else {
          // Up to date: answer at once, so the agent knows the stream is live without waiting a
          // heartbeat interval for the first ping (after a restart, the whole fleet).
          this.send({ ping: { sentAtUnixMs: Date.now() } });
          this.requestIntermediatesSoon();
        }
        return;
      }
      case 'inventory':
        return this.handleInventory(message.inventory!);
      case 'conditions':
        return this.handleConditions(message);
      case 'mesh':
        return this.deps.stream.meshReported(
          this.identity.tenantId,
          this.identity.clusterId,
          meshInstallationFromProto(message.mesh!),
        );
      case 'ack': {
        const version = Number(message.ack!.version);
        for (const sent of [...this.deltaBases.keys()]) if (sent <= version) this.deltaBases.delete(sent);
        await this.deps.stream.acked(tenantId, clusterId, version, new Date());
        // Most ACKs cannot move a root rotation; those skip the (deduplicated) queue round trip.
        if (this.rotationAcks.acked(version, this.lastSentVersion))
          await this.deps.stream.rotationMayAdvance(tenantId);
        return;
      }
      case 'nack': {
        const version = Number(message.nack!.version);
        // Up to 16 MiB of agent text: bounded and stripped of control characters for log and column.
        const reason = boundAgentString(message.nack!.reason, AGENT_STRING_LIMITS.reason);
        this.rotationAcks.nacked(version);
        this.deps.logger.warn(`cluster ${clusterId} refused snapshot ${version}: ${reason}`);
        await this.deps.stream.nacked(tenantId, clusterId, version, reason, new Date());
        return this.deltaRefused(version);
      }
      case 'telemetry':
        return this.handleTelemetry(message);
      case 'autoscalingDecisions':
        return this.handleAutoscalingDecisions(message);
      case 'heartbeat':
        // Answering every heartbeat lets the agent detect a dead stream at its own pace,
        // whatever this controller's ping interval is.
        this.send({ ping: { sentAtUnixMs: Date.now() } });
        this.recordSeen();
        return;
      case 'csr': {
        const csr = message.csr!;
        const outcome = await this.deps.stream.handleCsr(tenantId, clusterId, {
          gnsId: csr.gnsId,
          csrPem: csr.csrPem,
          rootGeneration: Number(csr.rootGeneration),
        });
        // A refusal is recorded (lastError in the CA status); the stream carries on.
        if (outcome.signed) {
          this.send({
            signedIntermediate: {
              gnsId: outcome.gnsId,
              certChainPem: outcome.certChainPem,
              trustBundlePem: outcome.trustBundlePem,
              rootGeneration: outcome.rootGeneration,
            },
          });
        }
        return;
      }
      default:
        throw new DomainError('VALIDATION', 'message has no known body');
    }
  }

  /**
   * A NACKed DeltaSnapshot: what the agent holds is unknown. When the refused delta was based on a
   * held set (the agent may simply not have had that base), the newest version is sent again as
   * the complete set (base 0); a refused complete set is not resent (the agent retries on its own,
   * as with Snapshot), so a state the agent cannot apply does not loop.
   */
  private async deltaRefused(version: number): Promise<void> {
    const baseVersion = this.deltaBases.get(version);
    if (baseVersion === undefined) return;
    this.deltaBases.delete(version);
    this.held = null;
    // A later delta is on its way and will be refused as well; its NACK resends.
    if (baseVersion === 0 || version !== this.lastSentVersion) return;
    this.lastSentVersion = version - 1;
    await this.pushLatestSnapshot();
  }

  private async handleInventory(inventory: Inventory__Output): Promise<void> {
    const revision = Number(inventory.revision);
    if (!inventory.full && revision <= this.lastInventoryRevision) return; // reordered or repeated delta
    this.lastInventoryRevision = revision;
    const update = inventoryUpdateFromProto(inventory);
    const problems = validateInventoryUpdate(update);
    if (problems.length > 0) throw DomainError.validation(problems);
    const { tenantId, clusterId } = this.identity;
    await this.deps.stream.applyInventory(tenantId, clusterId, update, new Date(), this.reportsConditions);
  }

  private async handleConditions(message: AgentMessage__Output): Promise<void> {
    this.reportsConditions = true;
    // More than 32 is refused by the validation; one past it is enough to tell.
    const reported = message.conditions!.conditions.slice(0, 33).map((condition) => ({
      type: boundAgentString(condition.type, AGENT_STRING_LIMITS.identifier),
      status: boundAgentString(condition.status, AGENT_STRING_LIMITS.identifier),
      reason: boundAgentString(condition.reason, AGENT_STRING_LIMITS.identifier),
      message: boundAgentString(condition.message, AGENT_STRING_LIMITS.reason),
      lastTransitionUnixMs: Number(condition.lastTransitionUnixMs) || 0,
    }));
    const { problems, accepted } = validateReportedConditions(reported);
    if (problems.length > 0) throw DomainError.validation(problems);
    if (accepted.length === 0) return;
    await this.deps.stream.conditionsReported(this.identity.tenantId, this.identity.clusterId, accepted);
  }

  /**
   * Decisions the agent's autoscaler made, bounded and stripped of control characters here and
   * validated by the autoscaling service. A malformed message is logged and dropped: decisions are
   * a record, not a reason to end the stream (the agent resends only what it still buffers).
   */
  private async handleAutoscalingDecisions(message: AgentMessage__Output): Promise<void> {
    const id = (value: unknown) => boundAgentString(value, AGENT_STRING_LIMITS.identifier);
    const decisions = message.autoscalingDecisions!.decisions.slice(0, 101).map((decision) => ({
      decisionId: id(decision.decisionId),
      policyId: id(decision.policyId),
      policyVersion: Number(decision.policyVersion) || 0,
      gnsId: id(decision.gnsId),
      service: id(decision.service),
      targetKind: id(decision.targetKind),
      targetNamespace: id(decision.targetNamespace),
      targetName: boundAgentString(decision.targetName, 253),
      decidedAtUnixMs: Number(decision.decidedAtUnixMs) || 0,
      action: id(decision.action),
      outcome: id(decision.outcome),
      fromReplicas: Number(decision.fromReplicas) || 0,
      toReplicas: Number(decision.toReplicas) || 0,
      rule: boundAgentString(decision.rule, AGENT_STRING_LIMITS.message),
      blockedBy: id(decision.blockedBy),
      windows: decision.windows.slice(0, 6).map((window) => ({
        trigger: id(window.trigger),
        scaleUp: Number(window.scaleUp),
        scaleDown: Number(window.scaleDown),
        samples: Number(window.samples) || 0,
        min: Number(window.min),
        max: Number(window.max),
        avg: Number(window.avg),
        verdict: id(window.verdict),
      })),
    }));
    try {
      await this.deps.stream.autoscalingDecisions(this.identity.tenantId, this.identity.clusterId, decisions);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      const detail =
        error.fields.map((field) => `${field.field}: ${field.message}`).join('; ') || error.message;
      this.deps.logger.warn(
        `cluster ${this.clusterId} sent malformed autoscaling decisions, dropped: ${boundAgentString(detail, AGENT_STRING_LIMITS.message)}`,
      );
    }
  }

  private async handleTelemetry(message: AgentMessage__Output): Promise<void> {
    const batch = message.telemetry!;
    try {
      const result = await this.deps.stream.ingestTelemetry(
        this.identity.tenantId,
        this.identity.clusterId,
        batch,
      );
      this.send({
        telemetryAck: { batchId: batch.batchId, duplicate: result.duplicate, acceptsPackedLatency: true },
      });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION') throw error;
      // A malformed batch is refused, not retried forever; the stream stays up.
      this.deps.logger.warn(
        `cluster ${this.clusterId} sent a malformed telemetry batch: ${boundAgentString(error.message, AGENT_STRING_LIMITS.message)}`,
      );
      this.send({
        telemetryAck: {
          batchId: batch.batchId,
          duplicate: false,
          rejectedReason: error.message,
          acceptsPackedLatency: true,
        },
      });
    }
  }

  /**
   * Not awaited: heartbeats are written with the other streams' about a second later, and this
   * stream's next messages (an ACK, a push) must not wait for that.
   */
  private recordSeen(): void {
    if (Date.now() - this.lastSeenWrittenAt < LAST_SEEN_WRITE_INTERVAL_MS) return;
    this.lastSeenWrittenAt = Date.now();
    this.deps.stream
      .seen(this.identity.tenantId, this.identity.clusterId, this.connectionId, new Date())
      .catch((error: Error) =>
        this.deps.logger.warn(`recording a heartbeat of cluster ${this.clusterId}: ${error.message}`),
      );
  }

  private messageProcessed(): void {
    this.unprocessedMessages -= 1;
    // Time spent on the agent's messages is not the agent's silence.
    this.lastHeardAt = Date.now();
    if (this.unprocessedMessages <= MAX_READ_AHEAD_MESSAGES / 2 && this.call.isPaused()) this.call.resume();
  }

  private beat(): void {
    if (this.unprocessedMessages === 0 && Date.now() - this.lastHeardAt > 3 * this.deps.heartbeatMs) {
      this.close(GrpcStatus.UNAVAILABLE, 'no message from the agent for three heartbeat intervals');
      return;
    }
    this.send({ ping: { sentAtUnixMs: Date.now() } });
    // Pub/sub delivers at most once: every few beats, check for a newer snapshot that was missed,
    // and less often for intermediates due (a renewal, a missed CA event): that check reads the
    // cluster's memberships and intermediates, a few statements per stream.
    this.beats += 1;
    if (this.beats % SNAPSHOT_RECHECK_BEATS === 0)
      this.enqueue(() => this.pushLatestSnapshot().then(() => undefined));
    if (this.beats % INTERMEDIATES_RECHECK_BEATS === 0) this.enqueue(() => this.requestIntermediates());
  }

  /** Writes one message; false when the stream can no longer take it. */
  private send(message: ControllerMessage): boolean {
    if (this.closed || !this.call.writable) return false;
    this.call.write(message);
    // Each message sets exactly one field of the `body` oneof: its name is the kind.
    this.deps.metrics.grpcMessagesSent.inc({ kind: Object.keys(message)[0] ?? 'unknown' });
    return true;
  }

  private fail(error: unknown): void {
    const requestId = randomUUID();
    if (!(error instanceof DomainError))
      this.deps.logger.error(
        `agent stream of cluster ${this.clusterId} failed (request id ${requestId}): ${boundAgentString(String(error), AGENT_STRING_LIMITS.message)}`,
      );
    const status = toServiceError(error, requestId);
    this.close(
      status.code ?? GrpcStatus.INTERNAL,
      boundAgentString(status.details ?? 'internal error', AGENT_STRING_LIMITS.message),
      status.metadata,
    );
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.deps.logger.log(`cluster ${this.clusterId} disconnected: ${reason}`);
    this.deps.onClosed(this);
    if (this.helloReceived) {
      void this.deps.stream
        .disconnected(this.identity.tenantId, this.identity.clusterId, this.connectionId, new Date())
        .catch((error: Error) =>
          this.deps.logger.warn(`marking cluster ${this.clusterId} disconnected: ${error.message}`),
        );
    }
  }
}
