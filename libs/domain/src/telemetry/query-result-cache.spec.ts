import { QueryResultCache } from './query-result-cache';

describe('QueryResultCache', () => {
  it('computes a key once and shares the answer, also with requests made while computing', async () => {
    const cache = new QueryResultCache<number>(10);
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 42;
    };
    const answers = await Promise.all([cache.get('a', compute), cache.get('a', compute)]);
    expect(answers).toEqual([42, 42]);
    expect(await cache.get('a', compute)).toBe(42);
    expect(computations).toBe(1);
    expect(await cache.get('b', async () => 7)).toBe(7);
  });

  it('does not keep a failed computation', async () => {
    const cache = new QueryResultCache<number>(10);
    await expect(cache.get('a', () => Promise.reject(new Error('database down')))).rejects.toThrow(
      'database down',
    );
    expect(cache.size).toBe(0);
    expect(await cache.get('a', async () => 1)).toBe(1);
  });

  it('drops the least recently used entries beyond its size', async () => {
    const cache = new QueryResultCache<string>(2);
    await cache.get('a', async () => 'a');
    await cache.get('b', async () => 'b');
    await cache.get('a', async () => 'a again');
    await cache.get('c', async () => 'c');
    expect(cache.size).toBe(2);
    expect(await cache.get('a', async () => 'recomputed')).toBe('a');
    expect(await cache.get('b', async () => 'recomputed')).toBe('recomputed');
  });

  it('refuses a size below one', () => {
    expect(() => new QueryResultCache(0)).toThrow(RangeError);
  });
});
