import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

/** How long a completed answer is replayed for the same key. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long a key stays claimed by a request that never finished (a crashed replica). */
export const IDEMPOTENCY_PENDING_TTL_SECONDS = 5 * 60;

/** A completed answer, as replayed. */
export interface StoredAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

type Entry = { fingerprint: string } & ({ state: 'pending' } | ({ state: 'done' } & StoredAnswer));

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'replay'; answer: StoredAnswer }
  | { kind: 'mismatch' }
  | { kind: 'in-progress' };

/**
 * Idempotency keys in Redis, per scope (a tenant, or the platform operator): the first request
 * with a key claims it; its answer is kept for 24 hours and replayed to the same request with the
 * same key; another request with the same key is told so.
 */
@Injectable()
export class IdempotencyStore {
  constructor(private readonly redis: RedisService) {}

  async claim(scope: string, key: string, fingerprint: string): Promise<Claim> {
    const redisKey = this.keyOf(scope, key);
    for (let attempt = 0; attempt < 3; attempt++) {
      const pending: Entry = { state: 'pending', fingerprint };
      const claimed = await this.redis.client.set(
        redisKey,
        JSON.stringify(pending),
        'EX',
        IDEMPOTENCY_PENDING_TTL_SECONDS,
        'NX',
      );
      if (claimed === 'OK') return { kind: 'claimed' };
      const raw = await this.redis.client.get(redisKey);
      if (raw === null) continue; // expired between the two commands: claim again
      const entry = JSON.parse(raw) as Entry;
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch' };
      if (entry.state === 'pending') return { kind: 'in-progress' };
      return { kind: 'replay', answer: { status: entry.status, headers: entry.headers, body: entry.body } };
    }
    return { kind: 'in-progress' };
  }

  async complete(scope: string, key: string, fingerprint: string, answer: StoredAnswer): Promise<void> {
    const entry: Entry = { state: 'done', fingerprint, ...answer };
    await this.redis.client.set(this.keyOf(scope, key), JSON.stringify(entry), 'EX', IDEMPOTENCY_TTL_SECONDS);
  }

  /** Gives the key back after a failed request, so that a retry runs again. */
  async release(scope: string, key: string): Promise<void> {
    await this.redis.client.del(this.keyOf(scope, key));
  }

  private keyOf(scope: string, key: string): string {
    return this.redis.key('idempotency', scope, createHash('sha256').update(key).digest('base64url'));
  }
}
