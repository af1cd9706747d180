import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';

/**
 * A per-tenant token, shared by all replicas through Redis, replaced on every change to a tenant's
 * stored telemetry (a new batch, an hour recomputed, retention). Query answers are cached under it
 * (TelemetryQueryService): it is read before the rows are and replaced after they commit, so an
 * answer cached under a token includes every change made before that token was replaced. Tokens
 * are never reused; without one (nothing stored yet, or the key was lost) nothing is cached.
 */
@Injectable()
export class TelemetryVersionStore {
  constructor(private readonly redis: RedisService) {}

  current(tenantId: string): Promise<string | null> {
    return this.redis.client.get(this.key(tenantId));
  }

  async raise(tenantId: string): Promise<void> {
    await this.redis.client.set(this.key(tenantId), randomUUID());
  }

  private key(tenantId: string): string {
    return this.redis.key('telemetry', 'data-version', tenantId);
  }
}
