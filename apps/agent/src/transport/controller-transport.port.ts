import type { AgentMessage, ControllerMessage__Output } from '@lattice/proto';
import type { AgentCredentials } from '../state/agent-state.store';

export interface RegisterRequestInput {
  bootstrapToken: string;
  clusterName: string;
  csrPem: string;
  agentVersion: string;
}

export interface RegisterResult {
  clusterId: string;
  tenantId: string;
  certificatePem: string;
  caBundlePem: string;
}

export interface RenewResult {
  certificatePem: string;
  caBundlePem: string;
}

export interface StreamHandlers {
  onMessage(message: ControllerMessage__Output): void;
  /** Called once when the stream is over, with the reason unless it was closed by us. */
  onClosed(error?: Error): void;
}

export interface ControllerStream {
  send(message: AgentMessage): void;
  /** Ends the stream from our side; onClosed follows. */
  close(): void;
}

/** How the agent talks to the controller; gRPC in production, fakes in unit tests. */
export interface ControllerTransport {
  /** Server-authenticated TLS with the configured controller CA. */
  register(request: RegisterRequestInput): Promise<RegisterResult>;
  /** mTLS with the current credentials. */
  renewCertificate(credentials: AgentCredentials, csrPem: string): Promise<RenewResult>;
  /** mTLS with the given credentials; a new connection each time, so renewed certificates are used. */
  openStream(credentials: AgentCredentials, handlers: StreamHandlers): ControllerStream;
  close(): void;
}

/**
 * A failed call; `retryable` tells transient trouble (unreachable, overloaded) from a refusal.
 * `revocation` is set when the controller refused or closed the call because this agent's identity
 * was revoked (`cluster-revoked`, `certificate-replaced`): retrying cannot help.
 */
export class ControllerCallError extends Error {
  override readonly name = 'ControllerCallError';
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly revocation?: string,
  ) {
    super(message);
  }
}
