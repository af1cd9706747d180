import { Test, type TestingModule } from '@nestjs/testing';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG } from '../config/runtime-config.types';
import { RedisService } from '../redis/redis.service';
import { IDEMPOTENCY_TTL_SECONDS, IdempotencyStore } from './idempotency.store';

/** One controller replica's Redis connection and idempotency store. */
async function replica(config: ReturnType<typeof testRuntimeConfig>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    providers: [{ provide: RUNTIME_CONFIG, useValue: config }, RedisService, IdempotencyStore],
  }).compile();
  return moduleRef.init();
}

describe('IdempotencyStore on real Redis', () => {
  const config = testRuntimeConfig('postgresql://unused');
  let first: TestingModule;
  let second: TestingModule;
  const answer = { status: 201, headers: { etag: '"1-x"' }, body: { id: 'a' } };

  beforeAll(async () => {
    first = await replica(config);
    second = await replica(config);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('lets exactly one of concurrent requests with a key run, on any replica', async () => {
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, index) =>
        (index % 2 ? first : second).get(IdempotencyStore).claim('tenant-a', 'race', 'same-body'),
      ),
    );
    expect(claims.filter((claim) => claim.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((claim) => claim.kind === 'in-progress')).toHaveLength(9);
  });

  it('replays the answer for 24 hours to the same request and refuses another request with the key', async () => {
    const store = first.get(IdempotencyStore);
    expect(await store.claim('tenant-a', 'k1', 'body-1')).toEqual({ kind: 'claimed' });
    await store.complete('tenant-a', 'k1', 'body-1', answer);
    expect(await second.get(IdempotencyStore).claim('tenant-a', 'k1', 'body-1')).toEqual({
      kind: 'replay',
      answer,
    });
    expect(await store.claim('tenant-a', 'k1', 'body-2')).toEqual({ kind: 'mismatch' });
    const redis = first.get(RedisService);
    const keys = await redis.client.keys(`${redis.prefix}:idempotency:tenant-a:*`);
    const ttls = await Promise.all(keys.map((key) => redis.client.ttl(key)));
    expect(Math.max(...ttls)).toBeGreaterThan(IDEMPOTENCY_TTL_SECONDS - 60);
    expect(Math.max(...ttls)).toBeLessThanOrEqual(IDEMPOTENCY_TTL_SECONDS);
  });

  it('keeps tenants apart, and gives a key back after a failed request', async () => {
    const store = first.get(IdempotencyStore);
    expect(await store.claim('tenant-a', 'shared', 'body')).toEqual({ kind: 'claimed' });
    expect(await store.claim('tenant-b', 'shared', 'other-body')).toEqual({ kind: 'claimed' });
    await store.release('tenant-a', 'shared');
    expect(await store.claim('tenant-a', 'shared', 'body')).toEqual({ kind: 'claimed' });
  });
});
