import { Injectable, Logger } from '@nestjs/common';
import type {
  InventoryUpdate,
  MeshInstallation,
  ReportedCondition,
  SnapshotCaSummary,
} from '@lattice/domain';
import type { TelemetryBatch__Output } from '@lattice/proto';
import { DesiredStateScheduler } from '../config-distribution/desired-state-scheduler.service';
import { DesiredStateService } from '../config-distribution/desired-state.service';
import type { SnapshotResource } from '../config-distribution/config-distribution.types';
import { AutoscalingService, type ReportedAutoscalingDecision } from '../autoscaling/autoscaling.service';
import { CaRotationService } from '../gns-ca/ca-rotation.service';
import type { CsrOutcome, IncomingCsr, IntermediateRequestMessage } from '../gns-ca/gns-ca.types';
import { IntermediateIssuanceService } from '../gns-ca/intermediate-issuance.service';
import { MeshDiagnosticsService } from '../mesh-diagnostics/mesh-diagnostics.service';
import { TelemetryIngestService } from '../telemetry/telemetry-ingest.service';
import type { IngestResult } from '../telemetry/telemetry.types';
import { AgentGatewayMetrics } from './agent-gateway.metrics';
import { type ClusterAck, ClusterLinkRepository, type StreamSeen } from './cluster-link.repository';
import { TickBatcher } from '../../platform/database/tick-batcher';

/** ACKs written in one statement at most. */
const ACK_BATCH_CLUSTERS = 500;
/** Heartbeats written in one statement at most, and how long the first one waits for others. */
const HEARTBEAT_BATCH_CLUSTERS = 2_000;
const HEARTBEAT_WRITE_DELAY_MS = 1_000;

/**
 * What a stream tells the CA's ACK gate: snapshots it sent (true: its CA part — membership, roots —
 * differs from the one sent before), ACKs (true: may matter to a rotation) and NACKs.
 */
export interface RotationAckGate {
  snapshotSent(version: number, caPart: SnapshotCaSummary): boolean;
  acked(version: number, newestSentVersion: number): boolean;
  nacked(version: number): void;
}

/** A desired snapshot ready to push: the payload bytes and their sha256 (the stored desired_hash). */
export interface SnapshotToPush {
  version: number;
  payload: Buffer;
  hash: string;
}

/**
 * What an agent's Connect stream does to the rest of the controller, one method per effect: the
 * cluster's connection record, snapshots to push, inventory, ACK/NACK, telemetry and the per-GNS
 * CA. AgentSession keeps the stream's protocol (order, flow control, heartbeats) and calls these.
 */
@Injectable()
export class AgentStreamService {
  private readonly logger = new Logger('AgentGateway');
  private readonly acks = new TickBatcher<ClusterAck, Date | null>(
    (tenantId, acks) => this.links.recordAcks(tenantId, acks),
    ACK_BATCH_CLUSTERS,
  );
  private readonly heartbeats = new TickBatcher<StreamSeen, void>(
    async (tenantId, seen) => {
      // Two heartbeats of one stream in a second: the later one is the one that counts.
      await this.links.touchMany(tenantId, [
        ...new Map(seen.map((entry) => [entry.connectionId, entry])).values(),
      ]);
      return seen.map(() => undefined);
    },
    HEARTBEAT_BATCH_CLUSTERS,
    HEARTBEAT_WRITE_DELAY_MS,
  );

  constructor(
    private readonly links: ClusterLinkRepository,
    private readonly desiredStates: DesiredStateService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly telemetry: TelemetryIngestService,
    private readonly intermediates: IntermediateIssuanceService,
    private readonly rotations: CaRotationService,
    private readonly metrics: AgentGatewayMetrics,
    private readonly autoscaling: AutoscalingService,
    private readonly mesh: MeshDiagnosticsService,
  ) {}

  /** Autoscaling decisions the agent reported: stored once each (docs/autoscaling.md). */
  async autoscalingDecisions(
    tenantId: string,
    clusterId: string,
    decisions: readonly ReportedAutoscalingDecision[],
  ): Promise<void> {
    await this.autoscaling.recordDecisions(tenantId, clusterId, decisions);
  }

  async connected(
    tenantId: string,
    clusterId: string,
    connectionId: string,
    agentVersion: string,
    now = new Date(),
  ): Promise<void> {
    await this.links.markConnected(tenantId, clusterId, connectionId, agentVersion.slice(0, 64), now);
  }

  /** Only the stream that holds the cluster marks it disconnected (a newer stream may have taken over). */
  async disconnected(
    tenantId: string,
    clusterId: string,
    connectionId: string,
    now = new Date(),
  ): Promise<void> {
    await this.links.markDisconnected(tenantId, clusterId, connectionId, now);
  }

  /**
   * Records that the stream `connectionId` heard from its agent. Written about a second later with
   * the other streams' heartbeats of that second, in one statement; resolves once written.
   */
  async seen(tenantId: string, clusterId: string, connectionId: string, now = new Date()): Promise<void> {
    await this.heartbeats.add(tenantId, { clusterId, connectionId, at: now });
  }

  /**
   * The cluster's newest desired snapshot when it is newer than `newerThan`. An announced version
   * is taken from this replica's recent snapshots when it holds it, otherwise read from the
   * database (batched with the other streams' reads of the same moment).
   */
  snapshotToPush(
    tenantId: string,
    clusterId: string,
    newerThan: number,
    announcedVersion?: number,
  ): Promise<SnapshotToPush | null> {
    return this.desiredStates.snapshotNewerThan(tenantId, clusterId, newerThan, announcedVersion);
  }

  /** The resources of a snapshot to push as a DeltaSnapshot (split once per payload held). */
  snapshotResources(snapshot: SnapshotToPush): SnapshotResource[] {
    return this.desiredStates.snapshotResources(snapshot);
  }

  /** The CA part of a snapshot to push, for the stream's rotation gate (read once per payload held). */
  snapshotCaSummary(snapshot: SnapshotToPush): SnapshotCaSummary {
    return this.desiredStates.snapshotCaSummary(snapshot);
  }

  /**
   * Stores an inventory report; a change asks for the tenant's desired states to be recomputed.
   * `reportsConditions`: whether this agent sends AgentConditions (false: an older agent, whose
   * full inventory then sets InventorySynced itself).
   */
  async applyInventory(
    tenantId: string,
    clusterId: string,
    update: InventoryUpdate,
    now = new Date(),
    reportsConditions = true,
  ): Promise<void> {
    if (await this.links.applyInventory(tenantId, clusterId, update, now, reportsConditions)) {
      await this.scheduler.schedule(tenantId, `inventory of cluster ${clusterId} changed`);
    }
  }

  /**
   * Conditions the agent reported (validated). They change no desired state: an agent that cannot
   * read its cluster keeps its last good inventory, so nothing is recomputed.
   */
  async conditionsReported(
    tenantId: string,
    clusterId: string,
    conditions: readonly ReportedCondition[],
    now = new Date(),
  ): Promise<void> {
    await this.links.recordReportedConditions(tenantId, clusterId, conditions, now);
  }

  /**
   * The Istio installation the agent read (AgentMessage.mesh). A malformed one is refused (logged,
   * and MeshReady names the fields) without ending the stream: it is a report, not configuration.
   */
  async meshReported(tenantId: string, clusterId: string, installation: MeshInstallation): Promise<void> {
    const problems = await this.mesh.recordInstallation(tenantId, clusterId, installation);
    if (problems.length > 0)
      this.logger.warn(
        `cluster ${clusterId} sent a malformed mesh installation; refused: ` +
          problems.map((problem) => `${problem.field}: ${problem.message}`).join('; '),
      );
  }

  /**
   * Records an ACK. The ACKs of one turn of the event loop are written together (a change reaches
   * every member of a GNS at once, and their ACKs come back together).
   */
  async acked(tenantId: string, clusterId: string, version: number, now = new Date()): Promise<void> {
    const desiredAt = await this.acks.add(tenantId, { clusterId, version, now });
    if (desiredAt)
      this.metrics.configPropagation.observe(Math.max(0, now.getTime() - desiredAt.getTime()) / 1000);
  }

  async nacked(
    tenantId: string,
    clusterId: string,
    version: number,
    reason: string,
    now = new Date(),
  ): Promise<void> {
    await this.links.recordNack(tenantId, clusterId, version, reason, now);
  }

  /** Which ACKs of one stream may complete a root rotation stage (the per-GNS CA decides). */
  newRotationAckGate(): RotationAckGate {
    return this.rotations.newAckGate();
  }

  /** An ACK that may complete a root rotation stage (see newRotationAckGate): the rotation moves on soon. */
  async rotationMayAdvance(tenantId: string): Promise<void> {
    await this.rotations
      .snapshotAcked(tenantId)
      .catch((error: Error) => this.logger.warn(`scheduling a CA rotation step: ${error.message}`));
  }

  ingestTelemetry(tenantId: string, clusterId: string, batch: TelemetryBatch__Output): Promise<IngestResult> {
    return this.telemetry.ingest(tenantId, clusterId, batch);
  }

  intermediateRequestsFor(tenantId: string, clusterId: string): Promise<IntermediateRequestMessage[]> {
    return this.intermediates.intermediateRequestsFor(tenantId, clusterId);
  }

  handleCsr(tenantId: string, clusterId: string, csr: IncomingCsr): Promise<CsrOutcome> {
    return this.intermediates.handleCsr(tenantId, clusterId, csr);
  }
}
