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

/** Domain errors keep their message; anything else becomes an opaque INTERNAL with a reference. */
export function toServiceError(error: unknown, reference: string): Partial<ServiceError> {
  error = asTransientDatabaseError(error) ?? error;
  if (error instanceof DomainError) {
    return { code: GRPC_STATUS_BY_CODE[error.code], details: error.message, metadata: new Metadata() };
  }
  return {
    code: GrpcStatus.INTERNAL,
    details: `internal error (reference ${reference})`,
    metadata: new Metadata(),
  };
}
