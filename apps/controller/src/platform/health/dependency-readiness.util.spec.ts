import { DependencyReadiness } from './dependency-readiness.util';

describe('DependencyReadiness', () => {
  it('stays ready through a blip shorter than the grace period, and says what is failing', () => {
    const readiness = new DependencyReadiness(30_000);
    expect(readiness.observe('database', 'ok', 0)).toEqual({ check: 'ok', ready: true });
    expect(readiness.observe('database', 'failed: ECONNREFUSED', 1_000)).toEqual({
      check: 'failed: ECONNREFUSED (failing for 0 s; not ready after 30 s)',
      ready: true,
    });
    expect(readiness.observe('database', 'failed: ECONNREFUSED', 12_500).check).toBe(
      'failed: ECONNREFUSED (failing for 11 s; not ready after 30 s)',
    );
    expect(readiness.observe('database', 'ok', 13_000)).toEqual({ check: 'ok', ready: true });
  });

  it('takes the replica out once a dependency stays down past the grace period', () => {
    const readiness = new DependencyReadiness(30_000);
    readiness.observe('redis', 'no answer within 2000 ms', 0);
    expect(readiness.observe('redis', 'no answer within 2000 ms', 29_999).ready).toBe(true);
    expect(readiness.observe('redis', 'no answer within 2000 ms', 30_000)).toEqual({
      check: 'no answer within 2000 ms (failing for 30 s; not ready)',
      ready: false,
    });
  });

  it('counts the grace period again after a recovery, and per dependency', () => {
    const readiness = new DependencyReadiness(10_000);
    readiness.observe('database', 'failed', 0);
    readiness.observe('database', 'ok', 9_000);
    expect(readiness.observe('database', 'failed', 15_000).ready).toBe(true);
    readiness.observe('redis', 'failed', 0);
    expect(readiness.observe('redis', 'failed', 10_000).ready).toBe(false);
    expect(readiness.observe('database', 'failed', 20_000).ready).toBe(true);
  });

  it('fails at once with a grace period of 0', () => {
    expect(new DependencyReadiness(0).observe('database', 'failed', 5).ready).toBe(false);
  });
});
