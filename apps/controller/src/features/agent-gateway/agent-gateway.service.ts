import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import {
  loadAgentProto,
  MAX_MESSAGE_BYTES,
  type AgentMessage__Output,
  type AgentServiceHandlers,
  type ControllerMessage,
} from '@lattice/proto';
import { clusterRevokedChannel, type ClusterRevokedEvent } from '../clusters/cluster-events';
import { DesiredStateScheduler } from '../config-distribution/desired-state.scheduler';
import { DesiredStateService } from '../config-distribution/desired-state.service';
import { snapshotChannel, type SnapshotAnnouncement } from '../config-distribution/snapshot-channel';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config';
import { caCheckChannel, type CaCheckEvent } from '../gns-ca/gns-ca-events';
import { CaRotationService } from '../gns-ca/ca-rotation.service';
import { IntermediateIssuanceService } from '../gns-ca/intermediate-issuance.service';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import { RedisService } from '../../platform/redis/redis.service';
import { TelemetryIngest } from '../telemetry/telemetry-ingest';
import { AgentRegistrationService } from './agent-registration.service';
import { AgentSession, type AgentIdentityOnStream } from './agent-session';
import { ClusterLinkRepository } from './cluster-link.repository';
import { toServiceError } from './grpc-status';

/**
 * The agent gRPC endpoint. Register runs over server-authenticated TLS; RenewCertificate and
 * Connect require a client certificate issued by the agent identity CA and still on record.
 * Any replica accepts any agent; Redis pub/sub tells the replica holding a stream about new
 * snapshots and revocations decided elsewhere.
 */
@Injectable()
export class AgentGatewayService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AgentGateway');
  private readonly replicaId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
  private readonly sessions = new Map<string, AgentSession>();
  private server?: grpc.Server;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly agentCa: AgentIdentityCaService,
    private readonly registration: AgentRegistrationService,
    private readonly links: ClusterLinkRepository,
    private readonly desiredState: DesiredStateService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly telemetry: TelemetryIngest,
    private readonly metrics: MetricsService,
    private readonly redis: RedisService,
    private readonly caIssuance: IntermediateIssuanceService,
    private readonly caRotation: CaRotationService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.subscribe();
    const credentials = await this.agentCa.servingCredentials(this.config.env.LATTICE_GRPC_HOSTNAMES);
    const server = new grpc.Server({
      'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
      'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_permit_without_calls': 1,
    });
    const proto = loadAgentProto();
    server.addService(proto.lattice.agent.v1.AgentService.service, this.handlers());
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`0.0.0.0:${this.config.env.GRPC_PORT}`, serverCredentials(credentials), (error, bound) =>
        error ? reject(new Error(`cannot listen for agents on port ${this.config.env.GRPC_PORT}: ${error.message}`)) : resolve(bound),
      ),
    );
    this.server = server;
    this.logger.log(`agent gRPC endpoint listening on port ${port} (replica ${this.replicaId})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    // Agents reconnect (to another replica behind the load balancer) as soon as their stream ends.
    for (const session of [...this.sessions.values()]) session.close(grpc.status.UNAVAILABLE, 'controller is shutting down');
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, 5_000);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
  }

  get connectedClusters(): number {
    return this.sessions.size;
  }

  private handlers(): AgentServiceHandlers {
    return {
      Register: (call, callback) => {
        this.registration.register(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => callback(this.reject('Register', error)),
        );
      },
      RenewCertificate: (call, callback) => {
        this.authenticate(call)
          .then((identity) => this.registration.renew(identity.tenantId, identity.clusterId, call.request))
          .then(
            (response) => callback(null, response),
            (error: unknown) => callback(this.reject('RenewCertificate', error)),
          );
      },
      Connect: (call) => {
        this.authenticate(call).then(
          (identity) => this.open(call, identity),
          (error: unknown) => call.emit('error', this.reject('Connect', error)),
        );
      },
    };
  }

  private open(call: grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>, identity: AgentIdentityOnStream): void {
    const session = new AgentSession(call, identity, this.replicaId, {
      links: this.links,
      recentSnapshots: { get: (tenantId, clusterId, version) => this.desiredState.recentSnapshot(tenantId, clusterId, version) },
      scheduler: this.scheduler,
      telemetry: this.telemetry,
      metrics: this.metrics,
      logger: this.logger,
      heartbeatMs: this.config.env.LATTICE_AGENT_HEARTBEAT_SECONDS * 1000,
      ca: {
        intermediateRequestsFor: (tenantId, clusterId) => this.caIssuance.intermediateRequestsFor(tenantId, clusterId),
        handleCsr: (tenantId, clusterId, csr) => this.caIssuance.handleCsr(tenantId, clusterId, csr),
        snapshotAcked: (tenantId) =>
          this.caRotation
            .snapshotAcked(tenantId)
            .catch((error: Error) => this.logger.warn(`scheduling a CA rotation step: ${error.message}`)),
      },
      onClosed: (closed) => {
        if (this.sessions.get(closed.clusterId) === closed) this.sessions.delete(closed.clusterId);
        this.metrics.connectedAgents.set(this.sessions.size);
      },
    });
    this.sessions.get(identity.clusterId)?.close(grpc.status.ABORTED, 'replaced by a newer stream of the same cluster');
    this.sessions.set(identity.clusterId, session);
    this.metrics.connectedAgents.set(this.sessions.size);
    session.start();
  }

  /** The caller's identity from its client certificate, which must be on record and its cluster not revoked. */
  private async authenticate(call: { getAuthContext(): { sslPeerCertificate?: PeerCertificate } | null }): Promise<AgentIdentityOnStream> {
    const identity = this.agentCa.verifyPeer(call.getAuthContext()?.sslPeerCertificate);
    const cluster = await this.links.find(identity.tenantId, identity.clusterId);
    if (!cluster || cluster.revokedAt) throw new DomainError('FORBIDDEN', 'the cluster of this certificate was revoked or deleted');
    if (!(await this.links.isCertificateActive(identity.tenantId, identity.clusterId, identity.fingerprintSha256))) {
      throw new DomainError('UNAUTHENTICATED', 'this agent certificate was replaced or revoked; bootstrap the agent again');
    }
    return { tenantId: identity.tenantId, clusterId: identity.clusterId, fingerprint: identity.fingerprintSha256 };
  }

  private reject(rpc: string, error: unknown): grpc.ServiceError {
    const reference = randomUUID();
    if (error instanceof DomainError) this.logger.warn(`${rpc} refused: ${error.message}`);
    else this.logger.error(`${rpc} failed (reference ${reference}): ${String(error)}`);
    return Object.assign(new Error('agent request refused'), toServiceError(error, reference)) as grpc.ServiceError;
  }

  private async subscribe(): Promise<void> {
    const subscriber = this.redis.subscriberConnection();
    const snapshots = snapshotChannel(this.redis.prefix);
    const revocations = clusterRevokedChannel(this.redis.prefix);
    const caChecks = caCheckChannel(this.redis.prefix);
    subscriber.on('message', (channel: string, raw: string) => {
      try {
        if (channel === snapshots) {
          const event = JSON.parse(raw) as SnapshotAnnouncement;
          // A new snapshot may mean a new membership: the cluster may need an intermediate.
          this.sessions.get(event.clusterId)?.enqueue(async () => {
            await this.sessions.get(event.clusterId)?.pushLatestSnapshot(
              Number.isSafeInteger(event.version) ? event.version : undefined,
            );
            await this.sessions.get(event.clusterId)?.requestIntermediates();
          });
        } else if (channel === caChecks) {
          const event = JSON.parse(raw) as CaCheckEvent;
          const session = this.sessions.get(event.clusterId);
          session?.enqueue(() => session.requestIntermediates());
        } else if (channel === revocations) {
          const event = JSON.parse(raw) as ClusterRevokedEvent;
          this.sessions.get(event.clusterId)?.close(grpc.status.PERMISSION_DENIED, 'the cluster was revoked');
        }
      } catch (error) {
        this.logger.warn(`ignoring malformed event on ${channel}: ${(error as Error).message}`);
      }
    });
    await subscriber.subscribe(snapshots, revocations, caChecks);
  }
}

/**
 * TLS that asks for a client certificate but lets callers without one through (Register), since
 * grpc-js's createSsl can only require or ignore client certificates. Connect and RenewCertificate
 * verify the certificate themselves (AgentIdentityCaService.verifyPeer).
 */
function serverCredentials(credentials: { caBundlePem: string; certChainPem: string; privateKeyPem: string }): grpc.ServerCredentials {
  // grpc-js expects providers to call listeners asynchronously, as its file watcher does.
  const provider: grpc.experimental.CertificateProvider = {
    addCaCertificateListener: (listener) => setImmediate(() => listener({ caCertificate: Buffer.from(credentials.caBundlePem) })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) =>
      setImmediate(() => listener({ certificate: Buffer.from(credentials.certChainPem), privateKey: Buffer.from(credentials.privateKeyPem) })),
    removeIdentityCertificateListener: () => undefined,
  };
  // The parameter names of this experimental function are swapped relative to the class it builds;
  // one provider serving both CA and identity sidesteps that.
  return grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
}
