import os from 'node:os';

/**
 * The fields every Lattice log line starts with after pino's `level` (number) and `time` (Unix ms):
 * `pid`, `hostname` and `service`. Controller, agent and `migrate.js` use them, so their lines have
 * one shape.
 */
export function logFields(service: string): { pid: number; hostname: string; service: string } {
  return { pid: process.pid, hostname: os.hostname(), service };
}

/** What logProcessWarnings needs of a logger; pino's satisfies it. */
export interface WarningLogger {
  debug(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * Node prints process warnings (deprecations, experimental features) as plain text on stderr;
 * these go to the JSON log instead, so every line a process writes is JSON. One is expected and
 * harmless: @grpc/grpc-js sets the TLS server name to the peer's host even when that is an IP
 * address (grpc/grpc-node#1919), which Node flags as DEP0123; the certificate is still verified
 * against the IP address, so it is logged at debug level only.
 */
export function logProcessWarnings(logger: WarningLogger, target: NodeJS.Process = process): void {
  target.removeAllListeners('warning');
  target.on('warning', (warning: Error & { code?: string }) => {
    const fields = { warning: warning.name, code: warning.code };
    if (warning.code === 'DEP0123') logger.debug(fields, warning.message);
    else logger.warn(fields, warning.message);
  });
}
