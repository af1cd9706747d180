import { logFields } from '@lattice/platform';
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
    base: { ...logFields('lattice-agent'), ...bindings },
  });
}

export { logProcessWarnings } from '@lattice/platform';

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
