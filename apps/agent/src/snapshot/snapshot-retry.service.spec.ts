import { RecordingLogger, desiredState, snapshotOf } from '../testing/agent.test-fixtures';
import type { SnapshotAnswer, SnapshotOutcome } from './snapshot-applier.service';
import { type ApplyRetryPolicy, SnapshotRetry, applyRetryDelayMs } from './snapshot-retry.service';

const POLICY: ApplyRetryPolicy = { baseMs: 2_000, capMs: 60_000, minIntervalMs: 5_000 };
const snapshot = snapshotOf(4, desiredState('c-1', { shop: 'shop.local' }));

/** A cluster that refuses with `cause` until it is cleared; counts attempts and when they happened. */
class FlakyCluster {
  cause: string | undefined = 'admission webhook "istio" denied the request';
  retryable = true;
  readonly attemptsAt: number[] = [];
  applied = 0;

  attempt = async (): Promise<SnapshotOutcome> => {
    this.attemptsAt.push(Date.now());
    if (this.cause === undefined) {
      this.applied = snapshot.version;
      return { result: 'applied', version: snapshot.version };
    }
    return { result: 'rejected', version: snapshot.version, reason: this.cause, retryable: this.retryable };
  };
}

describe('applyRetryDelayMs', () => {
  it('waits between half and all of a doubling ceiling, capped', () => {
    expect(applyRetryDelayMs(0, POLICY, () => 0)).toBe(1_000);
    expect(applyRetryDelayMs(0, POLICY, () => 0.999_999)).toBe(1_999);
    expect(applyRetryDelayMs(3, POLICY, () => 0)).toBe(8_000);
    expect(applyRetryDelayMs(40, POLICY, () => 0)).toBe(30_000);
    expect(applyRetryDelayMs(2_000, POLICY, () => 0.999_999)).toBe(59_999);
  });
});

describe('SnapshotRetry', () => {
  let cluster: FlakyCluster;
  let reports: SnapshotAnswer[];
  let logger: RecordingLogger;
  let retry: SnapshotRetry;
  let start: number;

  beforeEach(() => {
    jest.useFakeTimers();
    start = Date.now();
    cluster = new FlakyCluster();
    reports = [];
    logger = new RecordingLogger();
    retry = new SnapshotRetry({
      attempt: cluster.attempt,
      report: (answer) => reports.push(answer),
      appliedVersion: () => cluster.applied,
      logger,
      policy: POLICY,
      random: () => 0,
    });
  });

  afterEach(() => {
    retry.stop();
    jest.useRealTimers();
  });

  const offsets = () => cluster.attemptsAt.map((at) => at - start);

  it('retries with growing, capped delays and converges once the cause is gone', async () => {
    retry.refused(snapshot, cluster.cause!);
    await jest.advanceTimersByTimeAsync(40_000);
    // 1 s, then 2, 4, 8, 16 s after each failed retry (random 0: half the ceiling).
    expect(offsets()).toEqual([1_000, 3_000, 7_000, 15_000, 31_000]);
    expect(reports).toEqual([]); // the same reason is not NACKed again

    cluster.cause = undefined;
    await jest.advanceTimersByTimeAsync(32_000);
    // The ceiling reached its cap (60 s): 30 s after the fifth failure.
    expect(offsets().at(-1)).toBe(61_000);
    expect(reports).toEqual([{ ack: { version: 4 } }]);
    expect(retry.pendingVersion).toBeUndefined();
    expect(logger.messages('info')).toContain('snapshot applied on retry');

    await jest.advanceTimersByTimeAsync(600_000);
    expect(cluster.attemptsAt).toHaveLength(6);
  });

  it('never storms: ten minutes of failures and a local change every 100 ms stay bounded', async () => {
    retry.refused(snapshot, cluster.cause!);
    for (let elapsed = 0; elapsed < 600_000; elapsed += 100) {
      retry.nudge();
      await jest.advanceTimersByTimeAsync(100);
    }
    // Local changes make it retry every minIntervalMs (5 s) at most: 120 in ten minutes.
    expect(cluster.attemptsAt.length).toBeLessThanOrEqual(121);
    const gaps = cluster.attemptsAt.slice(1).map((at, index) => at - cluster.attemptsAt[index]!);
    // The first backoff delays (1, 2, 4 s) are shorter; a local change never brings one closer.
    expect(gaps.slice(0, 3)).toEqual([2_000, 4_000, 5_000]);
    expect(Math.min(...gaps.slice(2))).toBeGreaterThanOrEqual(POLICY.minIntervalMs);

    // Without local changes, the capped backoff: about one attempt every 30-60 s.
    const before = cluster.attemptsAt.length;
    await jest.advanceTimersByTimeAsync(600_000);
    expect(cluster.attemptsAt.length - before).toBeLessThanOrEqual(20);
  });

  it('retries at once on a local change instead of waiting out the backoff', async () => {
    retry.refused(snapshot, cluster.cause!);
    await jest.advanceTimersByTimeAsync(40_000); // next retry due at 63 s
    cluster.cause = undefined;
    retry.nudge(); // 9 s after the last attempt: no need to wait
    await jest.advanceTimersByTimeAsync(0);
    expect(offsets().at(-1)).toBe(40_000);
    expect(reports).toEqual([{ ack: { version: 4 } }]);
  });

  it('NACKs again only when the reason changes', async () => {
    retry.refused(snapshot, cluster.cause!);
    await jest.advanceTimersByTimeAsync(1_000);
    cluster.cause = 'services "x" is forbidden';
    await jest.advanceTimersByTimeAsync(2_000);
    await jest.advanceTimersByTimeAsync(4_000);
    expect(cluster.attemptsAt).toHaveLength(3);
    expect(reports).toEqual([{ nack: { version: 4, reason: 'services "x" is forbidden' } }]);
  });

  it('stops retrying when a newer snapshot arrives, or the refusal is not one retrying can fix', async () => {
    retry.refused(snapshot, cluster.cause!);
    retry.superseded();
    await jest.advanceTimersByTimeAsync(120_000);
    expect(cluster.attemptsAt).toEqual([]);

    retry.refused(snapshot, cluster.cause!);
    cluster.retryable = false;
    await jest.advanceTimersByTimeAsync(120_000);
    expect(cluster.attemptsAt).toHaveLength(1);
    expect(retry.pendingVersion).toBeUndefined();
  });

  it('ignores the outcome of an attempt overtaken by a newer snapshot', async () => {
    let finish!: () => void;
    const slow = new SnapshotRetry({
      attempt: () =>
        new Promise<SnapshotOutcome>((resolve) => {
          finish = () => resolve({ result: 'applied', version: 4 });
        }),
      report: (answer) => reports.push(answer),
      appliedVersion: () => 0,
      logger,
      policy: POLICY,
      random: () => 0,
    });
    slow.refused(snapshot, 'x');
    await jest.advanceTimersByTimeAsync(1_000);
    slow.superseded();
    finish();
    await jest.advanceTimersByTimeAsync(0);
    expect(reports).toEqual([]);
    slow.stop();
  });
});
