/** Exit codes scripts can rely on (docs/cli.md#exit-codes). */
export const EXIT = {
  OK: 0,
  /** `lattice diff`: the configuration differs from what is live (like `kubectl diff`); `lattice diagnose`: ERROR findings. */
  DIFFERENCES: 1,
  /** Bad command line: unknown command or option, missing argument. */
  USAGE: 2,
  /** Invalid configuration: a manifest that does not parse or validate (locally or by the server: 400, 422). */
  INVALID: 3,
  /** Not allowed: no, a wrong or an expired token (401), too low a role (403). */
  DENIED: 4,
  /** A resource that does not exist (404). */
  NOT_FOUND: 5,
  /** Refused because of a conflicting change (409, 412, 428): read again, then retry or force. */
  CONFLICT: 6,
  /** `wait` or `cluster register` gave up at --timeout. */
  TIMEOUT: 7,
  /** The controller could not be reached or failed (network, 429, 5xx); retrying may help. */
  UNAVAILABLE: 8,
  /** No usable configuration: not logged in, unknown context, unreadable config file. */
  CONFIG: 9,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** An error the CLI reports in one message and exits with its code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly details: string[] = [],
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** The exit code for an HTTP status the controller answered with. */
export function exitCodeForStatus(status: number): ExitCode {
  if (status === 400 || status === 413 || status === 415 || status === 422) return EXIT.INVALID;
  if (status === 401 || status === 403) return EXIT.DENIED;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 409 || status === 412 || status === 428) return EXIT.CONFLICT;
  return EXIT.UNAVAILABLE;
}

/** The more serious of two outcomes (used when apply goes on after one document failed). */
export function worstExitCode(a: ExitCode, b: ExitCode): ExitCode {
  const rank = (code: ExitCode) => (code === EXIT.OK ? 0 : code === EXIT.DIFFERENCES ? 1 : 2 + code);
  return rank(a) >= rank(b) ? a : b;
}
