import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { AgentMessage__Output, ControllerMessage } from '@lattice/proto';
import { agentReplaced, clusterRevoked } from '../clusters/clusters.events';
import { snapshotAnnounced, snapshotsAnnounced } from '../config-distribution/config-distribution.events';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { caCheckRequested } from '../gns-ca/gns-ca.events';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import { EventBus } from '../../platform/events/event-bus.service';
import { AgentGatewayMetrics } from './agent-gateway.metrics';
import { AgentSession, type AgentIdentityOnStream } from './agent-session.grpc';
import { AgentStreamService } from './agent-stream.service';
import { ClusterLinkRepository } from './cluster-link.repository';
import { CERTIFICATE_REPLACED, CLUSTER_REVOKED, agentRevoked, revokedTrailers } from './grpc-status.util';

/**
 * The agent streams held by this replica: authenticates a Connect call, opens its session (one per
 * cluster; a newer stream replaces an older one), and relays what Redis pub/sub announces from
 * other replicas (new snapshots, CA checks, revocations) to the session of that cluster.
 */
@Injectable()
export class AgentGatewayService implements OnApplicationBootstrap {
  private readonly logger = new Logger('AgentGateway');
  private readonly replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly sessions = new Map<string, AgentSession>();

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly agentCa: AgentIdentityCaService,
    private readonly links: ClusterLinkRepository,
    private readonly stream: AgentStreamService,
    private readonly metrics: MetricsService,
    private readonly events: EventBus,
    private readonly gatewayMetrics: AgentGatewayMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscribe();
  }

  /** This replica, as agent stream connection ids and logs name it. */
  get replica(): string {
    return this.replicaId;
  }

  get connectedClusters(): number {
    return this.sessions.size;
  }

  /** The caller's identity from its client certificate, which must be on record and its cluster not revoked. */
  async authenticate(call: {
    getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null;
  }): Promise<AgentIdentityOnStream> {
    const identity = this.agentCa.verifyPeer(call.getAuthContext()?.sslPeerCertificate);
    const standing = await this.links.connectStanding(
      identity.tenantId,
      identity.clusterId,
      identity.fingerprintSha256,
    );
    if (!standing || standing.revokedAt) throw agentRevoked('FORBIDDEN', CLUSTER_REVOKED);
    if (!standing.certificateActive) throw agentRevoked('UNAUTHENTICATED', CERTIFICATE_REPLACED);
    return {
      tenantId: identity.tenantId,
      clusterId: identity.clusterId,
      fingerprint: identity.fingerprintSha256,
    };
  }

  /** Starts the session of an authenticated Connect stream, replacing the cluster's older stream. */
  open(
    call: grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
    identity: AgentIdentityOnStream,
  ): void {
    const session = new AgentSession(call, identity, this.replicaId, {
      stream: this.stream,
      metrics: this.metrics,
      snapshotBytesSent: this.gatewayMetrics.snapshotBytesSent,
      logger: this.logger,
      heartbeatMs: this.config.env.LATTICE_AGENT_HEARTBEAT_SECONDS * 1000,
      onClosed: (closed) => {
        if (this.sessions.get(closed.clusterId) === closed) this.sessions.delete(closed.clusterId);
        this.metrics.connectedAgents.set(this.sessions.size);
      },
    });
    this.sessions
      .get(identity.clusterId)
      ?.close(grpc.status.ABORTED, 'replaced by a newer stream of the same cluster');
    this.sessions.set(identity.clusterId, session);
    this.metrics.connectedAgents.set(this.sessions.size);
    session.start();
  }

  /** Ends every stream; agents reconnect (to another replica behind the load balancer) as soon as theirs ends. */
  closeAll(details: string): void {
    for (const session of [...this.sessions.values()]) session.close(grpc.status.UNAVAILABLE, details);
  }

  /** A new snapshot may mean a new membership: the cluster may need an intermediate (pushAnnounced checks). */
  private snapshotAnnounced(tenantId: string, clusterId: string, version: number): void {
    const session = this.sessions.get(clusterId);
    if (session?.identity.tenantId !== tenantId) return;
    session.enqueue(() => session.pushAnnounced(version));
  }

  private async subscribe(): Promise<void> {
    await this.events.subscribe(snapshotsAnnounced, (event) => {
      for (const { clusterId, version } of event.snapshots)
        this.snapshotAnnounced(event.tenantId, clusterId, version);
    });
    await this.events.subscribe(snapshotAnnounced, (event) =>
      this.snapshotAnnounced(event.tenantId, event.clusterId, event.version),
    );
    await this.events.subscribe(caCheckRequested, (event) => {
      const session = this.sessions.get(event.clusterId);
      session?.enqueue(() => session.requestIntermediates());
    });
    await this.events.subscribe(clusterRevoked, (event) => {
      const session = this.sessions.get(event.clusterId);
      if (session?.identity.tenantId !== event.tenantId) return;
      session.close(grpc.status.PERMISSION_DENIED, CLUSTER_REVOKED, revokedTrailers('cluster-revoked'));
    });
    // A redeemed bootstrap token replaced the agent: only the new certificate's stream may stay.
    await this.events.subscribe(agentReplaced, (event) => {
      const session = this.sessions.get(event.clusterId);
      if (session?.identity.tenantId !== event.tenantId || session.identity.fingerprint === event.fingerprint)
        return;
      session.close(
        grpc.status.UNAUTHENTICATED,
        CERTIFICATE_REPLACED,
        revokedTrailers('certificate-replaced'),
      );
    });
  }
}
