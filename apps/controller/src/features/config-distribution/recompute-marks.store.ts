import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';

/** A mark outlives any wait it can cause (RECOMPUTE max wait) by far; it only needs to be recent. */
const MARK_TTL_MS = 60_000;

/**
 * When each tenant's desired state last changed, in Redis so that every replica sees every
 * replica's changes: the recomputation job waits until changes pause (see recomputeWaitMs).
 */
@Injectable()
export class RecomputeMarksStore {
  constructor(private readonly redis: RedisService) {}

  private key(tenantId: string): string {
    return this.redis.key('desired-state', 'last-change', tenantId);
  }

  async markChanged(tenantId: string, at: number): Promise<void> {
    await this.redis.client.set(this.key(tenantId), String(at), 'PX', MARK_TTL_MS);
  }

  /** The newest change on record, undefined when none (expired, or never marked). */
  async lastChangeAt(tenantId: string): Promise<number | undefined> {
    const value = await this.redis.client.get(this.key(tenantId));
    const at = value === null ? Number.NaN : Number(value);
    return Number.isFinite(at) ? at : undefined;
  }
}
