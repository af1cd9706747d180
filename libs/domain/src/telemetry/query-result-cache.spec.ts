import { QueryResultCache } from './query-result-cache';

/** A computation that resolves when told to, counting how often it was started. */
function controlled<V>() {
  const pending: ((value: V) => void)[] = [];
  const compute = () => new Promise<V>((resolve) => pending.push(resolve));
  return {
    compute,
    get started() {
      return pending.length;
    },
    finish(index: number, value: V) {
      pending[index]!(value);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('QueryResultCache', () => {
  it('computes a key once and shares the answer, also with requests made while computing', async () => {
    const cache = new QueryResultCache<number>(10);
    let computations = 0;
    const compute = async () => {
      computations++;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return 42;
    };
    const answers = await Promise.all([cache.get('a', 'v1', compute), cache.get('a', 'v1', compute)]);
    expect(answers).toEqual([42, 42]);
    expect(await cache.get('a', 'v1', compute)).toBe(42);
    expect(computations).toBe(1);
    expect(await cache.get('b', 'v1', async () => 7)).toBe(7);
  });

  it('does not keep a failed computation', async () => {
    const cache = new QueryResultCache<number>(10);
    await expect(cache.get('a', 'v1', () => Promise.reject(new Error('database down')))).rejects.toThrow(
      'database down',
    );
    expect(cache.size).toBe(0);
    expect(await cache.get('a', 'v1', async () => 1)).toBe(1);
  });

  it('drops the least recently used keys beyond its size', async () => {
    const cache = new QueryResultCache<string>(2);
    await cache.get('a', 'v', async () => 'a');
    await cache.get('b', 'v', async () => 'b');
    await cache.get('a', 'v', async () => 'a again');
    await cache.get('c', 'v', async () => 'c');
    expect(cache.size).toBe(2);
    expect(await cache.get('a', 'v', async () => 'recomputed')).toBe('a');
    expect(await cache.get('b', 'v', async () => 'recomputed')).toBe('recomputed');
  });

  it('without staleness, recomputes as soon as the version changes', async () => {
    const cache = new QueryResultCache<string>(10, 0);
    const clock = () => 1_000;
    expect(await cache.get('a', 'v1', async () => 'old', clock)).toBe('old');
    expect(await cache.get('a', 'v2', async () => 'new', clock)).toBe('new');
  });

  it('serves a recent answer of an older version while one refresh for the newest runs', async () => {
    let time = 0;
    const clock = () => time;
    const cache = new QueryResultCache<string>(10, 1_000);
    const work = controlled<string>();
    const first = cache.get('a', 'v1', work.compute, clock);
    // Another version while the first computation runs: it shares it instead of starting its own.
    const shared = cache.get('a', 'v2', work.compute, clock);
    expect(work.started).toBe(1);
    work.finish(0, 'read at 0');
    expect(await first).toBe('read at 0');
    expect(await shared).toBe('read at 0');

    time = 400;
    // Newer versions within the bound: the old answer at once, and one refresh started.
    expect(await cache.get('a', 'v3', work.compute, clock)).toBe('read at 0');
    expect(await cache.get('a', 'v4', work.compute, clock)).toBe('read at 0');
    expect(work.started).toBe(2);
    work.finish(1, 'read at 400');
    await settle();
    expect(await cache.get('a', 'v3', work.compute, clock)).toBe('read at 400');
    // The refresh was read at v3: v4 gets it too (still within the bound), and a refresh.
    expect(await cache.get('a', 'v4', work.compute, clock)).toBe('read at 400');
    expect(work.started).toBe(3);
    work.finish(2, 'read at 400 for v4');
    await settle();

    // Past the bound: the caller waits for a fresh answer.
    time = 2_000;
    const late = cache.get('a', 'v5', work.compute, clock);
    expect(work.started).toBe(4);
    work.finish(3, 'read at 2000');
    expect(await late).toBe('read at 2000');
  });

  it('keeps serving the stale answer when a refresh fails, and tries again on the next request', async () => {
    let time = 0;
    const clock = () => time;
    const cache = new QueryResultCache<string>(10, 1_000);
    await cache.get('a', 'v1', async () => 'old', clock);
    time = 100;
    let attempts = 0;
    const failing = async () => {
      attempts++;
      throw new Error('database down');
    };
    expect(await cache.get('a', 'v2', failing, clock)).toBe('old');
    await settle();
    expect(await cache.get('a', 'v2', async () => 'new', clock)).toBe('old');
    await settle();
    expect(attempts).toBe(1);
    expect(await cache.get('a', 'v2', failing, clock)).toBe('new');
  });

  it('refuses a size below one and a negative staleness', () => {
    expect(() => new QueryResultCache(0)).toThrow(RangeError);
    expect(() => new QueryResultCache(1, -1)).toThrow(RangeError);
  });
});
