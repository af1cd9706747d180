import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** What a limiter answered: allowed, or refused with the seconds until the window resets. */
export interface RateLimitDecision {
  allowed: boolean;
  hits: number;
  retryAfterSeconds: number;
}

// Fixed window per key, atomic in Redis so a limit holds across every controller replica.
const HIT = `
local hits = redis.call('INCR', KEYS[1])
if hits == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {hits, ttl}`;

/**
 * Named fixed-window counters in Redis, for limits that are not per-route HTTP throttling: failed
 * authentications per client IP, gRPC Register per peer and per cluster name, and any other caller
 * (e.g. pre-parse GraphQL limits) that needs "at most N per window for this key".
 */
@Injectable()
export class RateLimitStore {
  constructor(private readonly redis: RedisService) {}

  /** Counts one hit against `bucket`/`key`; refused once the window holds more than `limit`. */
  async hit(bucket: string, key: string, limit: number, windowMs: number): Promise<RateLimitDecision> {
    const [hits, ttlMs] = (await this.redis.client.eval(
      HIT,
      1,
      this.redis.key('ratelimit', bucket, key),
      String(windowMs),
    )) as [number, number];
    return { allowed: hits <= limit, hits, retryAfterSeconds: retryAfterSecondsOf(ttlMs) };
  }

  /** Whether `key` is already over `limit` in this window, without counting a hit. */
  async peek(bucket: string, key: string, limit: number): Promise<RateLimitDecision> {
    const redisKey = this.redis.key('ratelimit', bucket, key);
    const [hitsText, ttlMs] = (await this.redis.client
      .multi()
      .get(redisKey)
      .pttl(redisKey)
      .exec()
      .then((results) => (results ?? []).map(([, value]) => value))) as [string | null, number];
    const hits = Number(hitsText ?? 0);
    return { allowed: hits < limit, hits, retryAfterSeconds: retryAfterSecondsOf(ttlMs) };
  }
}

function retryAfterSecondsOf(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}
