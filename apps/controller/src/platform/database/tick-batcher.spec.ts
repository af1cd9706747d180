import { TickBatcher } from './tick-batcher';

describe('TickBatcher', () => {
  it('folds the calls of one turn into one run per key, in order, bounded by maxBatch', async () => {
    const runs: { key: string; items: number[] }[] = [];
    const batcher = new TickBatcher<number, string>((key, items) => {
      runs.push({ key, items });
      return Promise.resolve(items.map((item) => `${key}:${item}`));
    }, 3);
    const results = await Promise.all([
      batcher.add('a', 1),
      batcher.add('b', 2),
      batcher.add('a', 3),
      batcher.add('a', 4),
      batcher.add('a', 5),
    ]);
    expect(results).toEqual(['a:1', 'b:2', 'a:3', 'a:4', 'a:5']);
    expect(runs).toEqual([
      { key: 'a', items: [1, 3, 4] },
      { key: 'a', items: [5] },
      { key: 'b', items: [2] },
    ]);
    // A later turn is a new batch.
    await batcher.add('a', 6);
    expect(runs.at(-1)).toEqual({ key: 'a', items: [6] });
  });

  it('fails every item of a batch whose run fails, synchronously or not, and only that batch', async () => {
    const batcher = new TickBatcher<number, number>((key, items) => {
      if (key === 'sync') throw new Error('sync failure');
      if (key === 'async') return Promise.reject(new Error('async failure'));
      return Promise.resolve(items);
    }, 10);
    const outcomes = await Promise.allSettled([
      batcher.add('sync', 1),
      batcher.add('async', 2),
      batcher.add('async', 3),
      batcher.add('fine', 4),
    ]);
    expect(
      outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value : String(outcome.reason))),
    ).toEqual(['Error: sync failure', 'Error: async failure', 'Error: async failure', 4]);
  });

  it('with a delay, folds the calls made within it after the first', async () => {
    jest.useFakeTimers();
    try {
      const runs: number[][] = [];
      const batcher = new TickBatcher<number, number>(
        (_key, items) => {
          runs.push(items);
          return Promise.resolve(items);
        },
        10,
        1000,
      );
      const first = batcher.add('k', 1);
      jest.advanceTimersByTime(600);
      const second = batcher.add('k', 2);
      expect(runs).toEqual([]);
      jest.advanceTimersByTime(400);
      await expect(Promise.all([first, second])).resolves.toEqual([1, 2]);
      expect(runs).toEqual([[1, 2]]);
    } finally {
      jest.useRealTimers();
    }
  });
});
