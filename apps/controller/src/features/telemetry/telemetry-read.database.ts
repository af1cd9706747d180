import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgPoolConfigFromUrl } from '@lattice/platform';
import { PrismaClient } from '../../generated/prisma/client';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { PrismaService } from '../../platform/database/prisma.service';

/**
 * Where telemetry queries read: a read replica when DATABASE_READ_URL is set, else the primary
 * (the one PrismaService). Only TelemetryRepository's query reads use it; ingest, rollups,
 * retention and every transaction stay on the primary.
 */
@Injectable()
export class TelemetryReadDatabase implements OnModuleDestroy {
  readonly client: PrismaClient;
  private readonly own: PrismaClient | undefined;

  constructor(primary: PrismaService, @Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    const readUrl = config.env.DATABASE_READ_URL;
    if (readUrl) {
      this.own = new PrismaClient({
        adapter: new PrismaPg({
          ...pgPoolConfigFromUrl(readUrl),
          max: config.env.LATTICE_DATABASE_POOL_SIZE,
        }),
      });
    }
    this.client = this.own ?? primary;
  }

  /** True when queries go to DATABASE_READ_URL. */
  get isReplica(): boolean {
    return this.own !== undefined;
  }

  async onModuleDestroy(): Promise<void> {
    await this.own?.$disconnect();
  }
}
