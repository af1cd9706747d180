import { Controller, Get, HttpCode, ServiceUnavailableException } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/permissions.decorator';
import { DatabaseHealthRepository } from '../database/database-health.repository';
import { RedisService } from '../redis/redis.service';
import { ShutdownState } from './shutdown-state.service';

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly database: DatabaseHealthRepository,
    private readonly redis: RedisService,
    private readonly shutdown: ShutdownState,
  ) {}

  /** Liveness: the process is up and its event loop turns. */
  @Public()
  @Get('healthz')
  @HttpCode(200)
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** Readiness: PostgreSQL and Redis answer, and the process is not draining. */
  @Public()
  @Get('readyz')
  async readyz(): Promise<{ status: 'ready'; checks: Record<string, string> }> {
    const [database, redis] = await Promise.all([
      withTimeout(this.database.ping().then(() => 'ok')),
      withTimeout(this.redis.ping().then((ok) => (ok ? 'ok' : 'unexpected reply'))),
    ]);
    const checks = { database, redis, shutdown: this.shutdown.draining ? 'draining' : 'ok' };
    if (Object.values(checks).some((value) => value !== 'ok')) {
      throw new ServiceUnavailableException({ status: 'not ready', checks });
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
