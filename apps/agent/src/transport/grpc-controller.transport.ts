import * as grpc from '@grpc/grpc-js';
import {
  AGENT_REVOKED_TRAILER,
  type AgentMessage,
  type AgentServiceClient,
  type ControllerMessage__Output,
  loadAgentProto,
  MAX_MESSAGE_BYTES,
} from '@lattice/proto';
import type { AgentCredentials } from '../state/agent-state.store';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
  type RegisterRequestInput,
  type RegisterResult,
  type RenewResult,
  type StreamHandlers,
} from './controller-transport.port';

export interface GrpcControllerTransportOptions {
  /** host:port */
  address: string;
  /** CA to trust for the unary Register call (before the agent has its CA bundle); PEM. */
  registrationCaPem?: string;
  unaryTimeoutMs?: number;
}

const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
  'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
};

const RETRYABLE_CODES = new Set<grpc.status>([
  grpc.status.UNAVAILABLE,
  grpc.status.DEADLINE_EXCEEDED,
  grpc.status.RESOURCE_EXHAUSTED,
  grpc.status.ABORTED,
  grpc.status.INTERNAL,
  grpc.status.UNKNOWN,
  grpc.status.CANCELLED,
]);

export class GrpcControllerTransport implements ControllerTransport {
  private readonly clients = new Set<grpc.Client>();

  constructor(private readonly options: GrpcControllerTransportOptions) {}

  register(request: RegisterRequestInput): Promise<RegisterResult> {
    if (!this.options.registrationCaPem) {
      return Promise.reject(
        new ControllerCallError(
          'registration needs the controller CA certificate (--ca-file or LATTICE_CA_CERT)',
          false,
        ),
      );
    }
    const client = this.newClient(grpc.credentials.createSsl(Buffer.from(this.options.registrationCaPem)));
    return new Promise<RegisterResult>((resolve, reject) => {
      client.Register(request, { deadline: this.deadline() }, (error, response) => {
        this.dispose(client);
        if (error || !response) return reject(toCallError('Register', error));
        resolve({
          clusterId: response.clusterId,
          tenantId: response.tenantId,
          certificatePem: response.certificatePem,
          caBundlePem: response.caBundlePem,
        });
      });
    });
  }

  renewCertificate(credentials: AgentCredentials, csrPem: string): Promise<RenewResult> {
    const client = this.newClient(mutualTls(credentials));
    return new Promise<RenewResult>((resolve, reject) => {
      client.RenewCertificate({ csrPem }, { deadline: this.deadline() }, (error, response) => {
        this.dispose(client);
        if (error || !response) return reject(toCallError('RenewCertificate', error));
        resolve({ certificatePem: response.certificatePem, caBundlePem: response.caBundlePem });
      });
    });
  }

  openStream(credentials: AgentCredentials, handlers: StreamHandlers): ControllerStream {
    const client = this.newClient(mutualTls(credentials));
    const call = client.Connect();
    let closed = false;
    const finish = (error?: Error): void => {
      if (closed) return;
      closed = true;
      call.removeAllListeners();
      // A late error event after cleanup must not become an unhandled 'error' and crash the process.
      call.on('error', () => undefined);
      this.dispose(client);
      handlers.onClosed(error);
    };
    call.on('data', (message: ControllerMessage__Output) => handlers.onMessage(message));
    call.on('error', (error: grpc.ServiceError) => finish(toCallError('Connect', error)));
    call.on('end', () => finish(new ControllerCallError('controller ended the stream', true)));
    return {
      send: (message: AgentMessage) => {
        if (!closed) call.write(message);
      },
      close: () => {
        if (closed) return;
        call.cancel();
        finish();
      },
    };
  }

  close(): void {
    for (const client of this.clients) client.close();
    this.clients.clear();
  }

  private newClient(credentials: grpc.ChannelCredentials): AgentServiceClient {
    const { AgentService } = loadAgentProto().lattice.agent.v1;
    const client = new AgentService(this.options.address, credentials, CHANNEL_OPTIONS);
    this.clients.add(client);
    return client;
  }

  private dispose(client: grpc.Client): void {
    client.close();
    this.clients.delete(client);
  }

  private deadline(): Date {
    return new Date(Date.now() + (this.options.unaryTimeoutMs ?? 30_000));
  }
}

function mutualTls(credentials: AgentCredentials): grpc.ChannelCredentials {
  return grpc.credentials.createSsl(
    Buffer.from(credentials.caPem),
    Buffer.from(credentials.keyPem),
    Buffer.from(credentials.certPem),
  );
}

function toCallError(method: string, error: grpc.ServiceError | null): ControllerCallError {
  if (!error) return new ControllerCallError(`${method}: empty response`, true);
  const code = grpc.status[error.code] ?? String(error.code);
  return new ControllerCallError(
    `${method} failed: ${code}: ${error.details || error.message}`,
    RETRYABLE_CODES.has(error.code),
    revocationOf(error),
  );
}

/** The controller's revocation trailer, honoured only on the statuses a revocation comes with. */
function revocationOf(error: grpc.ServiceError): string | undefined {
  if (error.code !== grpc.status.PERMISSION_DENIED && error.code !== grpc.status.UNAUTHENTICATED)
    return undefined;
  const value = error.metadata?.get(AGENT_REVOKED_TRAILER)[0];
  return value === undefined ? undefined : String(value).slice(0, 64);
}
