import { randomUUID } from 'node:crypto';
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
import { toServiceError } from './grpc-status.util';

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
  ) {}

  async onApplicationBootstrap(): Promise<void> {
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
        this.registration.register(call.request).then(
          (response) => callback(null, response),
          (error: unknown) => callback(this.reject('Register', error)),
        );
      },
      RenewCertificate: (call, callback) => {
        this.gateway
          .authenticate(call)
          .then((identity) => this.registration.renew(identity.tenantId, identity.clusterId, call.request))
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

  private reject(rpc: string, error: unknown): grpc.ServiceError {
    const reference = randomUUID();
    if (error instanceof DomainError) this.logger.warn(`${rpc} refused: ${error.message}`);
    else this.logger.error(`${rpc} failed (reference ${reference}): ${String(error)}`);
    return Object.assign(
      new Error('agent request refused'),
      toServiceError(error, reference),
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
