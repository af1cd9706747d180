import type { DynamicModule, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config.types';
import { PrismaModule } from '../../apps/controller/src/platform/database/prisma.module';
import { MetricsModule } from '../../apps/controller/src/platform/metrics/metrics.module';
import { RedisModule } from '../../apps/controller/src/platform/redis/redis.module';

/**
 * One feature module on the platform infrastructure it stands on (configuration, database, Redis,
 * metrics), for testing a feature's services without booting the whole application: no HTTP or
 * GraphQL server, no other features than those the module imports. Lifecycle hooks do not run, so
 * no queue worker or scheduler starts. Close the returned module when done.
 */
export async function compileFeatureModule(feature: Type | DynamicModule, config: RuntimeConfig): Promise<TestingModule> {
  class RuntimeConfigTestModule {}
  const configuration: DynamicModule = {
    module: RuntimeConfigTestModule,
    global: true,
    providers: [{ provide: RUNTIME_CONFIG, useValue: config }],
    exports: [RUNTIME_CONFIG],
  };
  const moduleRef = await Test.createTestingModule({ imports: [configuration, PrismaModule, RedisModule, MetricsModule, feature] }).compile();
  // The app logs through pino at LOG_LEVEL; here Nest's logger stands in, quiet like pino at "silent".
  if (config.env.LOG_LEVEL === 'silent') moduleRef.useLogger(false);
  return moduleRef;
}
