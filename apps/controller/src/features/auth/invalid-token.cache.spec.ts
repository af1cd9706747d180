import { InvalidTokenCache } from './invalid-token.cache';

describe('InvalidTokenCache', () => {
  it('remembers refused token hashes', () => {
    const cache = new InvalidTokenCache(30);
    cache.add('h1');
    expect(cache.has('h1')).toBe(true);
    expect(cache.has('h2')).toBe(false);
  });

  it('is bounded in entries (oldest forgotten first)', () => {
    const cache = new InvalidTokenCache(30, 2);
    cache.add('a');
    cache.add('b');
    cache.add('c');
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([false, true, true]);
  });

  it('caches nothing when disabled (TTL 0)', () => {
    const cache = new InvalidTokenCache(0);
    cache.add('a');
    expect(cache.has('a')).toBe(false);
  });
});
