import { randomUUID } from 'node:crypto';
import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { TenantPrincipal } from '../../apps/controller/src/platform/auth/principal';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config';
import { PrismaModule } from '../../apps/controller/src/platform/database/prisma.module';
import { PrismaService } from '../../apps/controller/src/platform/database/prisma.service';
import { MetricsModule } from '../../apps/controller/src/platform/metrics/metrics.module';
import { RedisModule } from '../../apps/controller/src/platform/redis/redis.module';
import { DesiredStateScheduler } from '../../apps/controller/src/features/config-distribution/desired-state.scheduler';

@Global()
@Module({})
class TestConfigModule {
  static with(config: RuntimeConfig): DynamicModule {
    return {
      module: TestConfigModule,
      providers: [{ provide: RUNTIME_CONFIG, useValue: config }],
      exports: [RUNTIME_CONFIG],
    };
  }
}

/** The desired-state port, recording what was asked (no queue, no recomputation). */
export class RecordingScheduler extends DesiredStateScheduler {
  readonly calls: { tenantId: string; reason: string }[] = [];

  schedule(tenantId: string, reason: string): Promise<void> {
    this.calls.push({ tenantId, reason });
    return Promise.resolve();
  }
}

/**
 * A feature's modules on the platform infrastructure (PostgreSQL, Redis, metrics, configuration),
 * without the HTTP/gRPC servers and the rest of the app. Not initialised: workers and schedulers
 * that start on application bootstrap stay off, so a test drives the services itself. The
 * desired-state scheduler is a RecordingScheduler.
 */
export async function createFeatureModule(
  config: RuntimeConfig,
  imports: Type[],
): Promise<{ moduleRef: TestingModule; scheduler: RecordingScheduler }> {
  const scheduler = new RecordingScheduler();
  const moduleRef = await Test.createTestingModule({
    imports: [TestConfigModule.with(config), PrismaModule, RedisModule, MetricsModule, ...imports],
  })
    .overrideProvider(DesiredStateScheduler)
    .useValue(scheduler)
    .compile();
  return { moduleRef, scheduler };
}

/** A tenant row and an admin principal acting in it (the audit trail names it). */
export async function createTestTenant(moduleRef: TestingModule, name: string): Promise<TenantPrincipal> {
  const tenant = await moduleRef.get(PrismaService).tenant.create({ data: { name } });
  return {
    kind: 'token',
    tenantId: tenant.id,
    tokenId: randomUUID(),
    tokenName: 'test-admin',
    role: 'admin',
  };
}
