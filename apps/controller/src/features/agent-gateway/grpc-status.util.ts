import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '@lattice/domain';
import { AGENT_REVOKED_TRAILER } from '@lattice/proto';
import { asTransientDatabaseError } from '../../platform/database/db.util';

/** The one mapping from domain error codes to gRPC statuses (exhaustive). */
export const GRPC_STATUS_BY_CODE: Record<DomainErrorCode, GrpcStatus> = {
  VALIDATION: GrpcStatus.INVALID_ARGUMENT,
  UNAUTHENTICATED: GrpcStatus.UNAUTHENTICATED,
  FORBIDDEN: GrpcStatus.PERMISSION_DENIED,
  NOT_FOUND: GrpcStatus.NOT_FOUND,
  CONFLICT: GrpcStatus.ALREADY_EXISTS,
  PRECONDITION_REQUIRED: GrpcStatus.FAILED_PRECONDITION,
  PRECONDITION_FAILED: GrpcStatus.FAILED_PRECONDITION,
  RATE_LIMITED: GrpcStatus.RESOURCE_EXHAUSTED,
  UNAVAILABLE: GrpcStatus.UNAVAILABLE,
};

export type AgentRevocation = 'cluster-revoked' | 'certificate-replaced';

export const CLUSTER_REVOKED =
  'the cluster of this agent was revoked or deleted; an admin can re-enrol it with POST /v1/clusters/{id}/reenrol';
export const CERTIFICATE_REPLACED =
  'this agent certificate was replaced (the cluster was bootstrapped again) or revoked; bootstrap the agent again';

/** A refusal because the agent's identity was revoked: it carries the trailer that tells the agent to stop. */
export class AgentRevokedError extends DomainError {
  constructor(
    code: 'UNAUTHENTICATED' | 'FORBIDDEN',
    message: string,
    readonly revocation: AgentRevocation,
  ) {
    super(code, message);
  }
}

export function agentRevoked(code: 'UNAUTHENTICATED' | 'FORBIDDEN', message: string): AgentRevokedError {
  return new AgentRevokedError(
    code,
    message,
    code === 'FORBIDDEN' ? 'cluster-revoked' : 'certificate-replaced',
  );
}

/** Trailers of a call refused or closed because the agent's identity was revoked. */
export function revokedTrailers(revocation: AgentRevocation): Metadata {
  const metadata = new Metadata();
  metadata.set(AGENT_REVOKED_TRAILER, revocation);
  return metadata;
}

/** Domain errors keep their message; anything else becomes an opaque INTERNAL with a reference. */
export function toServiceError(error: unknown, reference: string): Partial<ServiceError> {
  error = asTransientDatabaseError(error) ?? error;
  if (error instanceof AgentRevokedError) {
    return {
      code: GRPC_STATUS_BY_CODE[error.code],
      details: error.message,
      metadata: revokedTrailers(error.revocation),
    };
  }
  if (error instanceof DomainError) {
    return { code: GRPC_STATUS_BY_CODE[error.code], details: error.message, metadata: new Metadata() };
  }
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error (reference ${reference})`,
    metadata: new Metadata(),
  };
}
