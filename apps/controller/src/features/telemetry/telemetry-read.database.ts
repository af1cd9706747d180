import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool, QueryResultRow } from 'pg';
import type { Prisma } from '../../generated/prisma/client';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { createPgPool } from '../../platform/database/pg-pool.factory';

/** Connections for telemetry queries (answers are cached, so few run at once). */
const TELEMETRY_READ_POOL_SIZE = 8;

/**
 * Where telemetry queries read: a read replica when DATABASE_READ_URL is set, else the primary.
 * Only TelemetryRepository's query reads use it; ingest, rollups, retention and every transaction
 * stay on the primary. Plain `pg`, not Prisma: a query's answer is a few hundred groups each
 * carrying kilobytes of packed sketches as hex, which Prisma's raw-query path (through its
 * WebAssembly engine) handled at several times the cost of the query itself. The statements are
 * still built with Prisma.sql (placeholders `$n`, values apart).
 */
@Injectable()
export class TelemetryReadDatabase implements OnModuleDestroy {
  /** True when queries go to DATABASE_READ_URL. */
  readonly isReplica: boolean;
  private readonly pool: Pool;

  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    const readUrl = config.env.DATABASE_READ_URL || undefined;
    this.isReplica = readUrl !== undefined;
    this.pool = createPgPool(readUrl ?? config.databaseUrl, {
      max: TELEMETRY_READ_POOL_SIZE,
      connectionTimeoutMillis: config.env.LATTICE_DATABASE_TRANSACTION_WAIT_MS,
      application_name: 'lattice-telemetry-reads',
    });
  }

  async query<R extends QueryResultRow>(statement: Prisma.Sql): Promise<R[]> {
    return (await this.pool.query<R>(statement.text, statement.values)).rows;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}
