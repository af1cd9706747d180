import type { AutoscalingPolicySpec } from './autoscaling-spec';
import { decideScale, type MetricSample, type ScaleDecisionInput } from './decide-scale';

const policy: AutoscalingPolicySpec = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 6, default: 2, stepsUp: 2, stepsDown: 1 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 300 }],
  windowSeconds: 60,
  gracePeriodSeconds: 120,
  recommendOnly: false,
  targets: [],
};
const NOW = 1_000_000;
const STEP = 10_000;

/** Samples every 10 s from `fromMs` to NOW, valued by `value(t)` with t = ms before NOW. */
function series(value: (msBeforeNow: number) => number | null, fromMs = NOW - 120_000): MetricSample[] {
  const samples: MetricSample[] = [];
  for (let at = fromMs; at <= NOW; at += STEP) samples.push({ atMs: at, value: value(NOW - at) });
  return samples;
}

function decide(overrides: Partial<ScaleDecisionInput> & { values?: MetricSample[] }) {
  const { values, ...rest } = overrides;
  return decideScale({
    policy,
    nowMs: NOW,
    currentReplicas: 3,
    samples: [values ?? series(() => 500)],
    sampleIntervalMs: STEP,
    ...rest,
  });
}

describe('decideScale', () => {
  it('holds under steady load between the thresholds', () => {
    const decision = decide({ values: series(() => 500) });
    expect(decision).toMatchObject({ action: 'HOLD', fromReplicas: 3, toReplicas: 3 });
    expect(decision.blockedBy).toBeUndefined();
    expect(decision.windows[0]).toMatchObject({ trigger: 'CPU', verdict: 'HOLD', min: 500, max: 500 });
  });

  it('scales up by stepsUp once a ramp has stayed above scaleUp for the whole window', () => {
    // Ramp: 100 millicores per 10 s, crossing 800 at 50 s before now: not yet a whole window.
    const ramp = (before: number) => 1300 - (before / STEP) * 100;
    expect(decide({ values: series(ramp) }).action).toBe('HOLD');
    // The same ramp, 60 s later: every sample of the last 60 s is above 800.
    const later = (before: number) => 1900 - (before / STEP) * 100;
    const decision = decide({ values: series(later) });
    expect(decision).toMatchObject({ action: 'SCALE_UP', fromReplicas: 3, toReplicas: 5 });
    expect(decision.rule).toContain('CPU stayed above scaleUp 800 for 60s');
    expect(decision.windows[0]).toMatchObject({ verdict: 'UP', min: 1300, max: 1900, samples: 7 });
  });

  it('ignores a spike shorter than the window', () => {
    const spike = (before: number) => (before <= 30_000 ? 5000 : 500);
    expect(decide({ values: series(spike) })).toMatchObject({ action: 'HOLD', toReplicas: 3 });
    const dip = (before: number) => (before <= 30_000 ? 0 : 500);
    expect(decide({ values: series(dip) })).toMatchObject({ action: 'HOLD', toReplicas: 3 });
  });

  it('does not flap on a value oscillating around a threshold', () => {
    const flapping = (before: number) => ((before / STEP) % 2 === 0 ? 820 : 780);
    expect(decide({ values: series(flapping) }).action).toBe('HOLD');
    const aroundDown = (before: number) => ((before / STEP) % 2 === 0 ? 290 : 310);
    expect(decide({ values: series(aroundDown) }).action).toBe('HOLD');
  });

  it('scales down by stepsDown after a whole window below scaleDown, never below min', () => {
    expect(decide({ values: series(() => 100) })).toMatchObject({
      action: 'SCALE_DOWN',
      fromReplicas: 3,
      toReplicas: 2,
    });
    expect(decide({ values: series(() => 100), currentReplicas: 1 })).toMatchObject({
      action: 'HOLD',
      blockedBy: 'MIN_REPLICAS',
    });
  });

  it('never goes above max and says so', () => {
    expect(decide({ values: series(() => 900), currentReplicas: 5 })).toMatchObject({
      action: 'SCALE_UP',
      toReplicas: 6,
    });
    expect(decide({ values: series(() => 900), currentReplicas: 6 })).toMatchObject({
      action: 'HOLD',
      toReplicas: 6,
      blockedBy: 'MAX_REPLICAS',
    });
  });

  it('brings a count outside the bounds inside at once', () => {
    expect(decide({ currentReplicas: 0 })).toMatchObject({ action: 'SCALE_UP', toReplicas: 1 });
    expect(decide({ currentReplicas: 9 })).toMatchObject({ action: 'SCALE_DOWN', toReplicas: 6 });
  });

  it('never scales down in PERFORMANCE mode, but scales up', () => {
    const performance = { ...policy, mode: 'PERFORMANCE' as const };
    expect(decide({ policy: performance, values: series(() => 100) })).toMatchObject({
      action: 'HOLD',
      toReplicas: 3,
      blockedBy: 'PERFORMANCE_MODE',
    });
    expect(decide({ policy: performance, values: series(() => 900) }).action).toBe('SCALE_UP');
  });

  it('blocks scale-down while an actionable SLO has a violated indicator, not scale-up', () => {
    const blocked = decide({ values: series(() => 100), blockingSlos: ['checkout-latency'] });
    expect(blocked).toMatchObject({ action: 'HOLD', toReplicas: 3, blockedBy: 'SLO' });
    expect(blocked.rule).toContain('checkout-latency');
    expect(decide({ values: series(() => 900), blockingSlos: ['checkout-latency'] }).action).toBe('SCALE_UP');
  });

  it('waits a whole window after the last scaling, then the grace period', () => {
    // Scaled 30 s ago: the window is not covered by post-scaling samples yet.
    expect(decide({ values: series(() => 100), lastScaleAtMs: NOW - 30_000 }).windows[0]!.verdict).toBe(
      'PARTIAL',
    );
    // Scaled 90 s ago: a full window since, but the grace period (120 s) is not over.
    expect(decide({ values: series(() => 100), lastScaleAtMs: NOW - 90_000 })).toMatchObject({
      action: 'HOLD',
      blockedBy: 'GRACE_PERIOD',
    });
    expect(decide({ values: series(() => 100), lastScaleAtMs: NOW - 121_000 }).action).toBe('SCALE_DOWN');
  });

  it('needs the whole window seen: samples starting just after its start do not hold it', () => {
    const lateStart = series(() => 900, NOW - 55_000);
    expect(decide({ values: lateStart }).windows[0]!.verdict).toBe('PARTIAL');
    expect(decide({ values: series(() => 900, NOW - 60_000) }).action).toBe('SCALE_UP');
  });

  it('waits for a full window of samples after a start, and a stalled series is not a window', () => {
    expect(decide({ values: series(() => 900, NOW - 30_000) }).action).toBe('HOLD');
    const stalled = series(() => 900).filter((sample) => sample.atMs < NOW - 40_000 || sample.atMs === NOW);
    expect(decide({ values: stalled }).windows[0]!.verdict).toBe('PARTIAL');
  });

  it('sets instances.default after a whole window of unreadable metrics', () => {
    expect(decide({ values: series(() => null), currentReplicas: 4 })).toMatchObject({
      action: 'SCALE_DOWN',
      toReplicas: 2,
    });
    expect(decide({ values: series(() => null), currentReplicas: 2 }).action).toBe('HOLD');
  });

  it('scales up when any trigger says so, down only when all do', () => {
    const two = {
      ...policy,
      triggers: [
        { metric: 'CPU' as const, scaleUp: 800, scaleDown: 300 },
        { metric: 'LATENCY' as const, percentile: 'p99' as const, scaleUp: 250, scaleDown: 100 },
      ],
    };
    const lowCpu = series(() => 100);
    expect(decide({ policy: two, samples: [lowCpu, series(() => 400)] })).toMatchObject({
      action: 'SCALE_UP',
    });
    expect(decide({ policy: two, samples: [lowCpu, series(() => 150)] }).action).toBe('HOLD');
    expect(decide({ policy: two, samples: [lowCpu, series(() => 50)] }).action).toBe('SCALE_DOWN');
    // No traffic: latency unreadable, CPU low: down.
    expect(decide({ policy: two, samples: [lowCpu, series(() => null)] }).action).toBe('SCALE_DOWN');
  });
});
