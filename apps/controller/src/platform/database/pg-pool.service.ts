import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { createPgPool } from './pg-pool.factory';

/** Connections of the pool: its statements are small, answered in a millisecond or a few. */
const HOT_READ_POOL_SIZE = 4;

/**
 * Plain `pg` on the primary database, for the small statements that run most often: the reads of
 * every API request (the token lookup, a Global Namespace's telemetry scope), the agent streams'
 * batched ACK and heartbeat writes, the clusters a recomputation reads. Prisma compiles each query
 * in its WebAssembly query compiler, which cost more CPU than the rest of a cached GraphQL request
 * (the graphql benchmark saturated the controller at ~100 requests/s) and than the recomputation
 * of a 1,000-agent change; a parameterised statement sent by `pg` costs none. Repositories that
 * use it still scope every tenant-owned query by tenant id.
 */
@Injectable()
export class PgPool implements OnModuleDestroy {
  private readonly pool: Pool;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    this.pool = createPgPool(config.databaseUrl, {
      max: HOT_READ_POOL_SIZE,
      // Past this, the request gets 503 (asTransientDatabaseError), as with Prisma's pool.
      connectionTimeoutMillis: config.env.LATTICE_DATABASE_TRANSACTION_WAIT_MS,
      application_name: 'lattice-hot-path',
    });
  }

  async query<R extends QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    return (await this.pool.query<R>(text, values)).rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
