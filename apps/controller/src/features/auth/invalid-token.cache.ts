import { LRUCache } from 'lru-cache';

/**
 * Hashes of bearer tokens the database just said are unknown, revoked or expired, kept for a short
 * while so that repeating a fake token does not cost a database lookup each time. Only negative
 * answers are cached: a revoked token must stop at once, so valid tokens are always looked up.
 * Bounded in entries; random fake tokens are bounded separately by the per-IP failure limit.
 */
export class InvalidTokenCache {
  private readonly entries?: LRUCache<string, true>;

  constructor(ttlSeconds: number, maxEntries = 10_000) {
    if (ttlSeconds > 0) this.entries = new LRUCache({ max: maxEntries, ttl: ttlSeconds * 1000 });
  }

  has(tokenHash: string): boolean {
    return this.entries?.has(tokenHash) ?? false;
  }

  add(tokenHash: string): void {
    this.entries?.set(tokenHash, true);
  }
}
