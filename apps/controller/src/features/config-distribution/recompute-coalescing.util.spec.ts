import { recomputeWaitMs } from './recompute-coalescing.util';

const policy = { quietMs: 100, maxWaitMs: 1000 };

describe('recomputeWaitMs', () => {
  it('runs at once when the last change is older than the quiet period', () => {
    expect(recomputeWaitMs(10_500, 10_000, 10_400, policy)).toBe(0);
    expect(recomputeWaitMs(10_500, 10_000, 10_100, policy)).toBe(0);
  });

  it('waits for the quiet period after the newest change', () => {
    expect(recomputeWaitMs(10_500, 10_000, 10_450, policy)).toBe(50);
    expect(recomputeWaitMs(10_500, 10_000, 10_499, policy)).toBe(99);
  });

  it('never waits past maxWaitMs after the first change (a continuous stream still gets distributed)', () => {
    expect(recomputeWaitMs(10_950, 10_000, 10_949, policy)).toBe(50);
    expect(recomputeWaitMs(11_000, 10_000, 10_999, policy)).toBe(0);
    expect(recomputeWaitMs(12_000, 10_000, 11_999, policy)).toBe(0);
  });

  it('runs at once without a recorded change (e.g. the marker expired or Redis lost it)', () => {
    expect(recomputeWaitMs(10_500, 10_000, undefined, policy)).toBe(0);
  });

  it('treats a change stamped in the future (clock skew between replicas) as bounded by maxWaitMs', () => {
    expect(recomputeWaitMs(10_000, 10_000, 60_000, policy)).toBe(1000);
  });
});
