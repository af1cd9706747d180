import os from 'node:os';
import pino from 'pino';

/** The logging the agent needs; pino satisfies it and tests pass a recorder. */
export interface AgentLogger {
  debug(fields: object, message: string): void;
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
  child(bindings: Record<string, unknown>): AgentLogger;
}

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * JSON lines on stdout, in the controller's shape (pino's defaults, as nestjs-pino writes them):
 * `level` as a number, `time` in Unix milliseconds, `pid`, `hostname`, `service` and `msg`; errors
 * in `err`.
 */
export function createAgentLogger(level: LogLevel, bindings: Record<string, unknown> = {}): AgentLogger {
  return pino({
    level,
    base: { pid: process.pid, hostname: os.hostname(), service: 'lattice-agent', ...bindings },
  });
}

/**
 * Node prints process warnings (deprecations, experimental features) as plain text on stderr;
 * these go to the JSON log instead, so every line the agent writes is JSON. One is expected and
 * harmless: @grpc/grpc-js sets the TLS server name to the controller's host even when that is an
 * IP address (grpc/grpc-node#1919), which Node flags as DEP0123; the certificate is still verified
 * against the IP address, so it is logged at debug level only.
 */
export function logProcessWarnings(logger: AgentLogger, target: NodeJS.Process = process): void {
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error & { code?: string }) => {
    const fields = { warning: warning.name, code: warning.code };
    if (warning.code === 'DEP0123') logger.debug(fields, warning.message);
    else logger.warn(fields, warning.message);
  });
}

/** Turns any thrown value into a loggable message. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message;
  }
  return String(error);
}
