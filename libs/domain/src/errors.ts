/** Error codes of the domain; each transport (REST, GraphQL, gRPC) maps them exhaustively. */
export type DomainErrorCode =
  | 'VALIDATION'
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'PRECONDITION_REQUIRED'
  | 'PRECONDITION_FAILED'
  | 'RATE_LIMITED'
  /** Well-formed but not processable as sent, e.g. an Idempotency-Key reused with another request. */
  | 'UNPROCESSABLE'
  /** A dependency (the database) is overloaded or unreachable for now; the caller should retry. */
  | 'UNAVAILABLE';

export interface FieldError {
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly fields: FieldError[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(resource: string, id: string): DomainError {
    return new DomainError('NOT_FOUND', `${resource} ${id} not found`);
  }

  static validation(fields: FieldError[]): DomainError {
    return new DomainError('VALIDATION', fields.map((f) => `${f.field}: ${f.message}`).join('; '), fields);
  }
}
