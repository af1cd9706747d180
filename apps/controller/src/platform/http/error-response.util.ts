import { HttpStatus } from '@nestjs/common';
import type { DomainErrorCode } from '@lattice/domain';

/** The one mapping from domain error codes to HTTP statuses (exhaustive: a new code fails to compile). */
export const HTTP_STATUS_BY_CODE: Record<DomainErrorCode, HttpStatus> = {
  VALIDATION: HttpStatus.BAD_REQUEST,
  UNAUTHENTICATED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  PRECONDITION_REQUIRED: HttpStatus.PRECONDITION_REQUIRED,
  PRECONDITION_FAILED: HttpStatus.PRECONDITION_FAILED,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Seconds a client should wait before retrying, for the codes that mean "try again later". */
export const RETRY_AFTER_SECONDS_BY_CODE: Partial<Record<DomainErrorCode, number>> = {
  UNAVAILABLE: 1,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  errors?: { field: string; message: string }[];
  requestId?: string;
}
