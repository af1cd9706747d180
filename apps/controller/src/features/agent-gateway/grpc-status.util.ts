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
  UNPROCESSABLE: GrpcStatus.INVALID_ARGUMENT,
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

/** The trailer that carries the request id of a refused or failed gRPC call. */
export const REQUEST_ID_METADATA_KEY = 'x-request-id';

/**
 * Domain errors keep their message; anything else becomes an opaque INTERNAL naming the request id.
 * Every status carries the id (generated per call by the caller, and logged with the real error) in
 * the `x-request-id` trailer, so an agent's log line and the controller's can be matched; a refusal
 * because the agent's identity was revoked also carries the trailer that tells the agent to stop.
 */
export function toServiceError(error: unknown, requestId: string): Partial<ServiceError> {
  error = asTransientDatabaseError(error) ?? error;
  const metadata = error instanceof AgentRevokedError ? revokedTrailers(error.revocation) : new Metadata();
  metadata.set(REQUEST_ID_METADATA_KEY, requestId);
  if (error instanceof DomainError) {
    return { code: GRPC_STATUS_BY_CODE[error.code], details: error.message, metadata };
  }
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error (request id ${requestId})`,
    metadata,
  };
}
