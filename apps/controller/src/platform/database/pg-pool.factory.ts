import { Pool, type PoolConfig } from 'pg';
import { pgPoolConfigFromUrl } from '@lattice/platform';

/** What differs between the controller's plain-`pg` pools; the connection itself comes from the URL. */
export type PlainPoolOptions = Pick<
  PoolConfig,
  | 'max'
  | 'application_name'
  | 'connectionTimeoutMillis'
  | 'idleTimeoutMillis'
  | 'statement_timeout'
  | 'idle_in_transaction_session_timeout'
>;

/**
 * A plain `pg` pool on `databaseUrl`: the controller's pools beside Prisma's (hot-path statements,
 * telemetry reads, ingest, hour rollups, desired snapshots). An idle client losing its connection
 * must not crash the process, so its error is dropped; the next query reconnects.
 */
export function createPgPool(databaseUrl: string, options: PlainPoolOptions): Pool {
  const pool = new Pool({ ...pgPoolConfigFromUrl(databaseUrl), ...options });
  pool.on('error', () => undefined);
  return pool;
}
