import type { DynamicModule, Type } from '@nestjs/common';
import { RuntimeConfigModule } from '../../apps/controller/src/platform/config/runtime-config.module';
import type { RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config.types';
import { PrismaModule } from '../../apps/controller/src/platform/database/prisma.module';
import { EventsModule } from '../../apps/controller/src/platform/events/events.module';
import { JobsModule } from '../../apps/controller/src/platform/jobs/jobs.module';
import { MetricsModule } from '../../apps/controller/src/platform/metrics/metrics.module';
import { RateLimitModule } from '../../apps/controller/src/platform/rate-limit/rate-limit.module';
import { RedisModule } from '../../apps/controller/src/platform/redis/redis.module';

/**
 * The infrastructure modules a feature module expects to find (configuration, PostgreSQL, Redis,
 * metrics, jobs, events, rate limits), so a test can build that feature's module alone instead of the whole
 * application: `Test.createTestingModule({ imports: [...platformModules(config), ClustersModule] })`.
 */
export function platformModules(config: RuntimeConfig): Array<DynamicModule | Type> {
  return [
    RuntimeConfigModule.forRoot(config),
    PrismaModule,
    RedisModule,
    MetricsModule,
    JobsModule,
    EventsModule,
    RateLimitModule,
  ];
}
