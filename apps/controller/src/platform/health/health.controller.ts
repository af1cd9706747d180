import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/permissions.decorator';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { RedisService } from '../redis/redis.service';
import { DependencyReadiness } from './dependency-readiness.util';
import { ShutdownState } from './shutdown-state.service';

@ApiTags('health')
@Controller()
export class HealthController {
  private readonly dependencies: DependencyReadiness;

  constructor(
    private readonly database: DatabaseHealthRepository,
    private readonly redis: RedisService,
    private readonly shutdown: ShutdownState,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.dependencies = new DependencyReadiness(config.env.READINESS_DEPENDENCY_GRACE_MS);
  }

  /** Liveness: the process is up and its event loop turns. */
  @Public()
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Readiness: the process is not draining, and PostgreSQL and Redis have not been failing for
   * longer than READINESS_DEPENDENCY_GRACE_MS (a blip of a shared dependency must not take every
   * replica out of the Service at once; see DependencyReadiness).
   */
  @Public()
  @Get('readyz')
  async readyz(
    @Res({ passthrough: true }) response: Response,
  ): Promise<{ status: 'ready' | 'not ready'; checks: Record<string, string> }> {
    const [databaseOutcome, redisOutcome] = await Promise.all([
      withTimeout(this.database.ping().then(() => 'ok')),
      withTimeout(this.redis.ping().then((ok) => (ok ? 'ok' : 'unexpected reply'))),
    ]);
    const now = Date.now();
    const database = this.dependencies.observe('database', databaseOutcome, now);
    const redis = this.dependencies.observe('redis', redisOutcome, now);
    const draining = this.shutdown.draining;
    const checks = { database: database.check, redis: redis.check, shutdown: draining ? 'draining' : 'ok' };
    // Answered here, not thrown: the error filter's body has no room for the checks.
    if (draining || !database.ready || !redis.ready) {
      response.status(503);
      return { status: 'not ready', checks };
    }
    return { status: 'ready', checks };
  }
}

async function withTimeout(check: Promise<string>, ms = 2000): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>(
    (resolve) => (timer = setTimeout(() => resolve(`no answer within ${ms} ms`), ms)),
  );
  try {
    return await Promise.race([check.catch((error: Error) => `failed: ${error.message}`), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
