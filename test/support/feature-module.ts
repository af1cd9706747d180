import { randomUUID } from 'node:crypto';
import type { DynamicModule, Type } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import type { TenantPrincipal } from '../../apps/controller/src/platform/auth/principal.util';
import type { RuntimeConfig } from '../../apps/controller/src/platform/config/runtime-config.types';
import { PrismaService } from '../../apps/controller/src/platform/database/prisma.service';
import { DesiredStateScheduler } from '../../apps/controller/src/features/config-distribution/desired-state-scheduler.service';
import { platformModules } from './platform-modules';

/**
 * One feature module on the platform infrastructure it stands on (configuration, database, Redis,
 * metrics, jobs, events), for testing a feature's services without booting the whole application:
 * no HTTP or GraphQL server, no other features than those the module imports. Lifecycle hooks do
 * not run, so no queue worker or scheduler starts. Close the returned module when done.
 */
export async function compileFeatureModule(
  feature: Type | DynamicModule,
  config: RuntimeConfig,
): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [...platformModules(config), feature],
  }).compile();
  quietLogger(moduleRef, config);
  return moduleRef;
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
 * A feature's modules on the platform infrastructure, as compileFeatureModule, with the
 * desired-state scheduler replaced by a RecordingScheduler so a test sees what was scheduled.
 */
export async function createFeatureModule(
  config: RuntimeConfig,
  imports: Type[],
): Promise<{ moduleRef: TestingModule; scheduler: RecordingScheduler }> {
  const scheduler = new RecordingScheduler();
  const moduleRef = await Test.createTestingModule({ imports: [...platformModules(config), ...imports] })
    .overrideProvider(DesiredStateScheduler)
    .useValue(scheduler)
    .compile();
  quietLogger(moduleRef, config);
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

/** The app logs through pino at LOG_LEVEL; here Nest's logger stands in, quiet like pino at "silent". */
function quietLogger(moduleRef: TestingModule, config: RuntimeConfig): void {
  if (config.env.LOG_LEVEL === 'silent') moduleRef.useLogger(false);
}
