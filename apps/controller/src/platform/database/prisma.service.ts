import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import { pgPoolConfigFromUrl } from '@lattice/platform';
import { PrismaClient } from '../../generated/prisma/client';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';

/** The Prisma client on its WebAssembly query compiler with the pg driver adapter. Used by repositories only. */
@Injectable()
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  constructor(@Inject(RUNTIME_CONFIG) config: RuntimeConfig) {
    super({
      adapter: new PrismaPg({
        ...pgPoolConfigFromUrl(config.databaseUrl),
        max: config.env.LATTICE_DATABASE_POOL_SIZE,
      }),
      // Prisma's default (2 s) refused GNS edits with P2028 while agent streams and a desired-state
      // recomputation held the pool; waiting longer queues them. Past this wait: 503 + Retry-After.
      transactionOptions: { maxWait: config.env.LATTICE_DATABASE_TRANSACTION_WAIT_MS },
    });
  }

  async onModuleDestroy(): Promise<void> {
    await this.$disconnect();
  }
}
