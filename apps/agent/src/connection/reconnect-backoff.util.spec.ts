import {
  backoffCeilingMs,
  DEFAULT_BACKOFF_POLICY,
  fullJitterDelayMs,
  ReconnectBackoff,
} from './reconnect-backoff.util';

describe('backoff', () => {
  const policy = DEFAULT_BACKOFF_POLICY;

  it('doubles the ceiling per attempt from 500 ms and caps it at 8 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((attempt) => backoffCeilingMs(attempt, policy))).toEqual([
      500, 1000, 2000, 4000, 8000, 8000, 8000, 8000,
    ]);
    expect(backoffCeilingMs(10_000, policy)).toBe(8000);
  });

  it('picks a delay uniformly in [0, ceiling) (full jitter)', () => {
    expect(fullJitterDelayMs(3, policy, () => 0)).toBe(0);
    expect(fullJitterDelayMs(3, policy, () => 0.5)).toBe(2000);
    expect(fullJitterDelayMs(3, policy, () => 0.999_999)).toBe(3999);
  });

  it('grows with consecutive failures', () => {
    const backoff = new ReconnectBackoff(policy, () => 0.999_999);
    const delays = Array.from({ length: 8 }, () => backoff.nextDelayMs());
    expect(delays).toEqual([499, 999, 1999, 3999, 7999, 7999, 7999, 7999]);
    expect(backoff.failedAttempts).toBe(8);
  });

  it('resets after a stream that lived longer than 30 s, not after a short one', () => {
    const backoff = new ReconnectBackoff(policy, () => 0.999_999);
    backoff.nextDelayMs();
    backoff.nextDelayMs();
    backoff.connectionEnded(30_000);
    expect(backoff.nextDelayMs()).toBe(1999);
    backoff.connectionEnded(30_001);
    expect(backoff.nextDelayMs()).toBe(499);
  });
});
