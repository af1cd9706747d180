import { Global, Module } from '@nestjs/common';
import { ThrottlerModule } from '@nestjs/throttler';
import type { Request } from 'express';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { RedisService } from '../redis/redis.service';
import { trackerOf, type TrackedRequest } from './rate-limit-key.util';
import { RateLimitStore } from './rate-limit.store';
import { RedisThrottlerStorage } from './redis-throttler.store';

/**
 * Per-principal rate limit (per client IP on public routes), answered with 429 and Retry-After,
 * plus RateLimitStore for the other limits (failed authentications, gRPC Register).
 *
 * RequestThrottlerGuard is NOT an APP_GUARD here: it keys on the principal the authentication
 * guard sets, so the auth feature registers it right after its AuthGuard (APP_GUARDs run in the
 * order they are provided). Global: true infrastructure, like Redis.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [RUNTIME_CONFIG, RedisService],
      useFactory: (config: RuntimeConfig, redis: RedisService) => ({
        throttlers: [{ name: 'default', ttl: 60_000, limit: config.env.LATTICE_RATE_LIMIT_PER_MINUTE }],
        storage: new RedisThrottlerStorage(redis),
        getTracker: (req: Record<string, unknown>) => trackerOf(req as unknown as Request & TrackedRequest),
        // One budget per caller across all routes, not one per route.
        generateKey: (_context, tracker, name) => `${name}:${tracker}`,
      }),
    }),
  ],
  providers: [RateLimitStore],
  exports: [RateLimitStore],
})
export class RateLimitModule {}
