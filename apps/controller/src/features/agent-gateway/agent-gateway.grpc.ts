import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { loadAgentProto, MAX_MESSAGE_BYTES, type AgentServiceHandlers } from '@lattice/proto';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { AgentIdentityCaService } from '../agent-identity/agent-identity-ca.service';
import { AgentGatewayService } from './agent-gateway.service';
import { AgentRegistrationService } from './agent-registration.service';
import { AGENT_STRING_LIMITS, boundAgentString } from './agent-strings.util';
import { toServiceError } from './grpc-status.util';
import { grpcPeerHost } from '../../platform/rate-limit/rate-limit-key.util';
import { RateLimitStore } from '../../platform/rate-limit/rate-limit.store';

/** Register refused by its rate limit: RESOURCE_EXHAUSTED, the wait in the message and `retry-after` metadata. */
class RegisterRateLimited extends DomainError {
  constructor(
    scope: string,
    readonly retryAfterSeconds: number,
  ) {
    super('RATE_LIMITED', `too many Register calls ${scope}; retry in ${retryAfterSeconds} s`);
  }
}

/**
 * The agent gRPC endpoint. Register runs over server-authenticated TLS; RenewCertificate and
 * Connect require a client certificate issued by the agent identity CA and still on record.
 * Any replica accepts any agent; AgentGatewayService holds the streams.
 */
@Injectable()
export class AgentGatewayGrpc implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('AgentGateway');
  private server?: grpc.Server;

  constructor(
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
    private readonly agentCa: AgentIdentityCaService,
    private readonly registration: AgentRegistrationService,
    private readonly gateway: AgentGatewayService,
    private readonly limits: RateLimitStore,
  ) {}

  /** Agents are served by replicas with the `agent-gateway` role (LATTICE_ROLES). */
  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.env.LATTICE_ROLES.includes('agent-gateway')) {
      this.logger.log('no agent gRPC endpoint on this replica (LATTICE_ROLES has no "agent-gateway")');
      return;
    }
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
      server.bindAsync(
        // The configured HOST, as for HTTP (an IPv6 literal in brackets).
        `${this.config.env.HOST.includes(':') ? `[${this.config.env.HOST}]` : this.config.env.HOST}:${this.config.env.GRPC_PORT}`,
        serverCredentials(credentials),
        (error, bound) =>
          error
            ? reject(
                new Error(`cannot listen for agents on port ${this.config.env.GRPC_PORT}: ${error.message}`),
              )
            : resolve(bound),
      ),
    );
    this.server = server;
    this.logger.log(`agent gRPC endpoint listening on port ${port} (replica ${this.gateway.replica})`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    // Agents reconnect (to another replica behind the load balancer) as soon as their stream ends.
    this.gateway.closeAll('controller is shutting down');
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

  private handlers(): AgentServiceHandlers {
    return {
      Register: (call, callback) => {
        // Limited per peer address and per cluster name (in Redis: across replicas) before the
        // bootstrap token is looked at, so tokens cannot be guessed at line rate.
        this.registerBudget(call.getPeer(), call.request.clusterName)
          .then(() => this.registration.register(call.request))
          .then(
            (response) => callback(null, response),
            (error: unknown) => {
              const refused = this.reject('Register', error);
              if (error instanceof RegisterRateLimited)
                refused.metadata.set('retry-after', String(error.retryAfterSeconds));
              callback(refused);
            },
          );
      },
      RenewCertificate: (call, callback) => {
        this.gateway
          .authenticate(call)
          .then((identity) => this.registration.renew(identity, call.request))
          .then(
            (response) => callback(null, response),
            (error: unknown) => callback(this.reject('RenewCertificate', error)),
          );
      },
      Connect: (call) => {
        this.gateway.authenticate(call).then(
          (identity) => this.gateway.open(call, identity),
          (error: unknown) => call.emit('error', this.reject('Connect', error)),
        );
      },
    };
  }

  private async registerBudget(peer: string, clusterName: string): Promise<void> {
    const env = this.config.env;
    const byPeer = await this.limits.hit(
      'register-peer',
      grpcPeerHost(peer),
      env.LATTICE_REGISTER_PER_MINUTE_PER_PEER,
      60_000,
    );
    if (!byPeer.allowed) throw new RegisterRateLimited('from this address', byPeer.retryAfterSeconds);
    const clusterKey = createHash('sha256').update(clusterName).digest('hex').slice(0, 32);
    const byCluster = await this.limits.hit(
      'register-cluster',
      clusterKey,
      env.LATTICE_REGISTER_PER_MINUTE_PER_CLUSTER,
      60_000,
    );
    if (!byCluster.allowed)
      throw new RegisterRateLimited('for this cluster name', byCluster.retryAfterSeconds);
  }

  private reject(rpc: string, error: unknown): grpc.ServiceError {
    const requestId = randomUUID();
    // Refusal messages may quote what the agent sent (e.g. its cluster name): bounded in the log.
    if (error instanceof DomainError)
      this.logger.warn(
        `${rpc} refused (request id ${requestId}): ${boundAgentString(error.message, AGENT_STRING_LIMITS.message)}`,
      );
    else
      this.logger.error(
        `${rpc} failed (request id ${requestId}): ${boundAgentString(String(error), AGENT_STRING_LIMITS.message)}`,
      );
    return Object.assign(
      new Error('agent request refused'),
      toServiceError(error, requestId),
    ) as grpc.ServiceError;
  }
}

/**
 * TLS that asks for a client certificate but lets callers without one through (Register), since
 * grpc-js's createSsl can only require or ignore client certificates. Connect and RenewCertificate
 * verify the certificate themselves (AgentIdentityCaService.verifyPeer).
 */
function serverCredentials(credentials: {
  caBundlePem: string;
  certChainPem: string;
  privateKeyPem: string;
}): grpc.ServerCredentials {
  // grpc-js expects providers to call listeners asynchronously, as its file watcher does.
  const provider: grpc.experimental.CertificateProvider = {
    addCaCertificateListener: (listener) =>
      setImmediate(() => listener({ caCertificate: Buffer.from(credentials.caBundlePem) })),
    removeCaCertificateListener: () => undefined,
    addIdentityCertificateListener: (listener) =>
      setImmediate(() =>
        listener({
          certificate: Buffer.from(credentials.certChainPem),
          privateKey: Buffer.from(credentials.privateKeyPem),
        }),
      ),
    removeIdentityCertificateListener: () => undefined,
  };
  // The parameter names of this experimental function are swapped relative to the class it builds;
  // one provider serving both CA and identity sidesteps that.
  return grpc.experimental.createCertificateProviderServerCredentials(provider, provider, false);
}
