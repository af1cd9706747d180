/**
 * Every failure of the PKI library carries a code, so each transport (REST, GraphQL, gRPC) can map
 * it with one exhaustive switch instead of matching on messages.
 */
export const PkiErrorCode = {
  /** LATTICE_MASTER_KEY (or another master key) is not 32 bytes of base64 or hex. */
  INVALID_MASTER_KEY: 'INVALID_MASTER_KEY',
  /** A sealed private key could not be opened: wrong key, wrong associated data or tampering. */
  DECRYPTION_FAILED: 'DECRYPTION_FAILED',
  /** A CSR was refused; `CsrRejectedError.reason` says why. */
  CSR_REJECTED: 'CSR_REJECTED',
  /** A certificate (or CA key pair) is unreadable or unfit for what it was passed for. */
  INVALID_CERTIFICATE: 'INVALID_CERTIFICATE',
  /** A client certificate does not carry a Lattice agent identity. */
  AGENT_IDENTITY_MISSING: 'AGENT_IDENTITY_MISSING',
  /** A root rotation was asked to do something its current stage does not allow. */
  ROTATION_CONFLICT: 'ROTATION_CONFLICT',
  /** A caller passed a value that cannot go into a certificate (bad id, name, validity...). */
  INVALID_INPUT: 'INVALID_INPUT',
} as const;
export type PkiErrorCode = (typeof PkiErrorCode)[keyof typeof PkiErrorCode];

export class PkiError extends Error {
  constructor(
    readonly code: PkiErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InvalidMasterKeyError extends PkiError {
  constructor(message: string) {
    super(PkiErrorCode.INVALID_MASTER_KEY, message);
  }
}

export class DecryptionError extends PkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PkiErrorCode.DECRYPTION_FAILED, message, options);
  }
}

export const CsrRejectionReason = {
  MALFORMED: 'MALFORMED',
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  UNSUPPORTED_SIGNATURE_ALGORITHM: 'UNSUPPORTED_SIGNATURE_ALGORITHM',
  UNSUPPORTED_KEY: 'UNSUPPORTED_KEY',
  WEAK_KEY: 'WEAK_KEY',
  SUBJECT_MISMATCH: 'SUBJECT_MISMATCH',
  FORBIDDEN_EXTENSION: 'FORBIDDEN_EXTENSION',
} as const;
export type CsrRejectionReason = (typeof CsrRejectionReason)[keyof typeof CsrRejectionReason];

/** The message is safe to return to the agent that sent the CSR: it names the problem, not secrets. */
export class CsrRejectedError extends PkiError {
  constructor(
    readonly reason: CsrRejectionReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(PkiErrorCode.CSR_REJECTED, `CSR rejected: ${message}`, options);
  }
}

export class CertificateError extends PkiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(PkiErrorCode.INVALID_CERTIFICATE, message, options);
  }
}

export class AgentIdentityError extends PkiError {
  constructor(message: string) {
    super(PkiErrorCode.AGENT_IDENTITY_MISSING, message);
  }
}

export class RotationError extends PkiError {
  constructor(message: string) {
    super(PkiErrorCode.ROTATION_CONFLICT, message);
  }
}

export class InvalidPkiInputError extends PkiError {
  constructor(message: string) {
    super(PkiErrorCode.INVALID_INPUT, message);
  }
}
