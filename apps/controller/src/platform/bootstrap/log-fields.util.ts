import os from 'node:os';

/**
 * The fields every controller log line starts with, the same as the agent's (apps/agent/src/logger.ts):
 * pino's `level` (number), `time` (Unix ms), then `pid`, `hostname` and `service`. One shape for the
 * start-up logger (main.ts), the request and Nest logs (nestjs-pino) and `migrate.js`.
 */
export function logBase(service = 'lattice-controller'): Record<string, unknown> {
  return { pid: process.pid, hostname: os.hostname(), service };
}
