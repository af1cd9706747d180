import { Test, type TestingModule } from '@nestjs/testing';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { RUNTIME_CONFIG } from '../config/runtime-config.types';
import { RedisService } from '../redis/redis.service';
import { RateLimitStore } from './rate-limit.store';
import { RedisThrottlerStorage } from './redis-throttler.store';

/** One controller replica's Redis connection and limiter. */
async function replica(config: ReturnType<typeof testRuntimeConfig>): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    providers: [{ provide: RUNTIME_CONFIG, useValue: config }, RedisService, RateLimitStore],
  }).compile();
  return moduleRef.init();
}

describe('RateLimitStore on real Redis', () => {
  const config = testRuntimeConfig('postgresql://unused');
  let first: TestingModule;
  let second: TestingModule;

  beforeAll(async () => {
    first = await replica(config);
    second = await replica(config);
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
  });

  it('allows `limit` hits per window, then refuses with the seconds left in the window', async () => {
    const store = first.get(RateLimitStore);
    const decisions = [];
    for (let i = 0; i < 4; i++) decisions.push(await store.hit('test', 'a', 3, 60_000));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions[3]!.hits).toBe(4);
    expect(decisions[3]!.retryAfterSeconds).toBeGreaterThanOrEqual(59);
    expect(decisions[3]!.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('shares one budget between replicas, even under concurrent hits', async () => {
    const [a, b] = [first.get(RateLimitStore), second.get(RateLimitStore)];
    const decisions = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).hit('test', 'shared', 5, 60_000)),
    );
    expect(decisions.filter((d) => d.allowed)).toHaveLength(5);
  });

  it('keeps keys and buckets apart', async () => {
    const store = first.get(RateLimitStore);
    expect((await store.hit('test', 'b', 1, 60_000)).allowed).toBe(true);
    expect((await store.hit('test', 'c', 1, 60_000)).allowed).toBe(true);
    expect((await store.hit('other', 'b', 1, 60_000)).allowed).toBe(true);
    expect((await store.hit('test', 'b', 1, 60_000)).allowed).toBe(false);
  });

  it('peeks without counting: over the limit only once `limit` hits are recorded', async () => {
    const store = first.get(RateLimitStore);
    expect(await store.peek('test', 'd', 2)).toMatchObject({ allowed: true, hits: 0 });
    await store.hit('test', 'd', 2, 60_000);
    expect(await store.peek('test', 'd', 2)).toMatchObject({ allowed: true, hits: 1 });
    await store.hit('test', 'd', 2, 60_000);
    const over = await second.get(RateLimitStore).peek('test', 'd', 2);
    expect(over).toMatchObject({ allowed: false, hits: 2 });
    expect(over.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('starts a new window once the old one expires', async () => {
    const store = first.get(RateLimitStore);
    expect((await store.hit('test', 'e', 1, 150)).allowed).toBe(true);
    expect((await store.hit('test', 'e', 1, 150)).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect((await store.hit('test', 'e', 1, 150)).allowed).toBe(true);
  });

  it('blocks a throttler key once past its limit, for the block duration', async () => {
    const storage = new RedisThrottlerStorage(first.get(RedisService));
    expect((await storage.increment('k', 60_000, 1, 30_000, 'edge-test')).isBlocked).toBe(false);
    const blocked = await storage.increment('k', 60_000, 1, 30_000, 'edge-test');
    expect(blocked).toMatchObject({ isBlocked: true, timeToBlockExpire: 30 });
  });
});
