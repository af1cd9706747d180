import { status as GrpcStatus, type ServiceError } from '@grpc/grpc-js';
import { Metadata } from '@grpc/grpc-js';
import { DomainError, type DomainErrorCode } from '@lattice/domain';
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

/** The trailer that carries the request id of a refused or failed gRPC call. */
export const REQUEST_ID_METADATA_KEY = 'x-request-id';

/**
 * Domain errors keep their message; anything else becomes an opaque INTERNAL naming the request id.
 * Every status carries the id (generated per call by the caller, and logged with the real error) in
 * the `x-request-id` trailer, so an agent's log line and the controller's can be matched.
 */
export function toServiceError(error: unknown, requestId: string): Partial<ServiceError> {
  error = asTransientDatabaseError(error) ?? error;
  const metadata = new Metadata();
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
