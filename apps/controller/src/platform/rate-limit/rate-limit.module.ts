import { createHash } from 'node:crypto';
import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { RedisService } from '../redis/redis.service';
import { RedisThrottlerStorage } from './redis-throttler.store';
import { RequestThrottlerGuard } from './request-throttler.guard';

/** Per-token rate limit (per client IP for unauthenticated calls), answered with 429 and Retry-After. */
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [RUNTIME_CONFIG, RedisService],
      useFactory: (config: RuntimeConfig, redis: RedisService) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.env.LATTICE_RATE_LIMIT_PER_MINUTE }],
        storage: new RedisThrottlerStorage(redis),
        getTracker: (req: Record<string, unknown>) => trackerOf(req as unknown as Request),
        // One budget per caller across all routes, not one per route.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      }),
    }),
  ],
  providers: [{ provide: APP_GUARD, useClass: RequestThrottlerGuard }],
})
export class RateLimitModule {}

function trackerOf(req: Request): string {
  const authorization = req.headers.authorization;
  if (authorization) return `token:${createHash('sha256').update(authorization).digest('hex').slice(0, 32)}`;
  return `ip:${req.ip ?? 'unknown'}`;
}
