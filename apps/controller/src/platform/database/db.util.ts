import { DomainError } from '@lattice/domain';
import { Prisma } from '../../generated/prisma/client';
import type { PrismaService } from './prisma.service';

/** A repository method runs on the client or inside a caller's transaction. */
export type Db = PrismaService | Prisma.TransactionClient;

/** A write that a unique index refused (P2002): another writer got there first. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * For a write's `.catch`: a unique violation becomes the domain error `conflict()` builds (e.g.
 * "name is taken"); anything else is rethrown as is.
 */
export function rethrowUniqueViolation(conflict: () => DomainError): (error: unknown) => never {
  return (error: unknown): never => {
    if (isUniqueViolation(error)) throw conflict();
    throw error;
  };
}

/**
 * Prisma codes for a database that is overloaded or unreachable for now (the request may succeed
 * when retried): P2028 a transaction could not start within maxWait (pool exhausted) or outlived
 * its timeout, P2024 no pool connection in time, P2034 write conflict or deadlock, P2037 too many
 * connections, P1001/P1002/P1008/P1017 unreachable, timed out or connection closed.
 */
const TRANSIENT_PRISMA_CODES = new Set([
  'P2028',
  'P2024',
  'P2034',
  'P2037',
  'P1001',
  'P1002',
  'P1008',
  'P1017',
]);

/**
 * The same for errors that reach us from pg directly (raw SQL through the adapter): SQLSTATE
 * 53000 insufficient resources, 53300 too many connections, 57P03 cannot connect now,
 * 40001 serialization failure, 40P01 deadlock.
 */
const TRANSIENT_SQLSTATES = new Set(['53000', '53300', '57P03', '40001', '40P01']);

/**
 * And for plain `pg` pools (PgPool, telemetry reads and ingest): the server unreachable (Node's
 * socket error codes), the connection lost, or no pool connection within connectionTimeoutMillis.
 */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);
const TRANSIENT_PG_MESSAGE = /^(timeout exceeded when trying to connect|Connection terminated)/;

/**
 * A transient database failure as a domain error (UNAVAILABLE: 503 with Retry-After, gRPC
 * UNAVAILABLE), so that overload is answered as "retry" rather than as an internal error.
 * Anything else: undefined.
 */
export function asTransientDatabaseError(error: unknown): DomainError | undefined {
  // Prisma's known-request errors carry `code`, initialization errors `errorCode`; the transaction
  // manager's own errors (P2028) are plain Errors with a `code`. P-codes are Prisma's alone.
  if (!(error instanceof Error)) return undefined;
  const { code, errorCode } = error as { code?: unknown; errorCode?: unknown };
  const prismaCode = typeof code === 'string' ? code : typeof errorCode === 'string' ? errorCode : undefined;
  const sqlState = originalSqlState(error) ?? prismaCode;
  const transient =
    (prismaCode !== undefined && TRANSIENT_PRISMA_CODES.has(prismaCode)) ||
    (sqlState !== undefined && TRANSIENT_SQLSTATES.has(sqlState)) ||
    (prismaCode !== undefined && TRANSIENT_SOCKET_CODES.has(prismaCode)) ||
    TRANSIENT_PG_MESSAGE.test(error.message);
  return transient ? new DomainError('UNAVAILABLE', 'the database is busy; retry shortly') : undefined;
}

/** The SQLSTATE a driver adapter error carries (meta.driverAdapterError.cause.originalCode). */
function originalSqlState(error: object): string | undefined {
  const meta = (error as { meta?: { driverAdapterError?: { cause?: { originalCode?: unknown } } } }).meta;
  const original = meta?.driverAdapterError?.cause?.originalCode;
  return typeof original === 'string' ? original : undefined;
}
