import { validateAutoscalingPolicy } from './autoscaling-spec';

const valid = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 5, default: 2, stepsUp: 2, stepsDown: 1 },
  triggers: [{ metric: 'LATENCY', percentile: 'p99', scaleUp: 250, scaleDown: 100 }],
  windowSeconds: 60,
  gracePeriodSeconds: 120,
};

function errorsOf(input: unknown) {
  return validateAutoscalingPolicy(input).errors;
}

describe('validateAutoscalingPolicy', () => {
  it('accepts a policy and fills in the defaults', () => {
    expect(validateAutoscalingPolicy(valid)).toEqual({
      errors: [],
      policy: { ...valid, recommendOnly: false, targets: [] },
    });
    const steps = validateAutoscalingPolicy({ ...valid, instances: { min: 0, max: 3, default: 0 } });
    expect(steps.policy?.instances).toEqual({ min: 0, max: 3, default: 0, stepsUp: 1, stepsDown: 1 });
  });

  it('names min > max, default outside the bounds and a max of zero', () => {
    expect(errorsOf({ ...valid, instances: { min: 4, max: 2, default: 3 } })).toEqual([
      { field: 'instances.min', message: 'must be at most max (2)' },
      { field: 'instances.default', message: 'must be between min (4) and max (2)' },
    ]);
    expect(errorsOf({ ...valid, instances: { min: 0, max: 0, default: 0 } })).toEqual([
      { field: 'instances.max', message: 'must be at least 1' },
    ]);
  });

  it('refuses scaleDown >= scaleUp, a missing or misplaced percentile and duplicate triggers', () => {
    expect(
      errorsOf({
        ...valid,
        triggers: [
          { metric: 'CPU', scaleUp: 500, scaleDown: 500 },
          { metric: 'LATENCY', scaleUp: 250, scaleDown: 100 },
          { metric: 'MEMORY', percentile: 'p50', scaleUp: 512, scaleDown: 128 },
          { metric: 'CPU', scaleUp: 900, scaleDown: 100 },
          { metric: 'ERROR_RATE', scaleUp: 150, scaleDown: 1 },
        ],
      }),
    ).toEqual([
      { field: 'triggers[0].scaleDown', message: 'must be below scaleUp (500), or the policy would flap' },
      { field: 'triggers[1].percentile', message: 'is required for LATENCY (p50, p90 or p99)' },
      { field: 'triggers[2].percentile', message: 'is only for LATENCY' },
      { field: 'triggers[3].metric', message: 'triggers[0] already measures CPU' },
      { field: 'triggers[4].scaleUp', message: 'is a percentage: at most 100' },
    ]);
  });

  it('refuses thresholds past any real workload (1e308, 2^53 + 2) with the bound', () => {
    for (const scaleUp of [1e308, 9007199254740994])
      expect(
        errorsOf({
          ...valid,
          triggers: [{ metric: 'CPU', scaleUp, scaleDown: 100 }],
        }),
      ).toContainEqual({ field: 'triggers[0].scaleUp', message: 'must be at most 1000000000' });
  });

  it('names shape problems field by field: types, enums, unknown and missing fields, bounds', () => {
    expect(
      errorsOf({
        mode: 'FAST',
        instances: { min: -1, max: 2.5, default: 1, stepsUp: 0 },
        triggers: [{ metric: 'GPU', scaleUp: 'high', scaleDown: 1 }],
        windowSeconds: 0,
        gracePeriodSeconds: 100_000,
        recommendedOnly: true,
      }).map((error) => error.field),
    ).toEqual([
      'mode',
      'instances.min',
      'instances.max',
      'instances.stepsUp',
      'triggers[0].metric',
      'triggers[0].scaleUp',
      'windowSeconds',
      'gracePeriodSeconds',
      'recommendedOnly',
    ]);
    expect(errorsOf({ ...valid, triggers: [] })).toEqual([
      { field: 'triggers', message: 'needs at least one trigger' },
    ]);
    expect(errorsOf({ mode: 'EFFICIENCY' }).map((error) => error.field)).toEqual([
      'instances',
      'triggers',
      'windowSeconds',
      'gracePeriodSeconds',
    ]);
    expect(errorsOf(null)).toEqual([{ field: '(body)', message: expect.any(String) }]);
  });

  it('checks targets: kind, names, one per cluster', () => {
    expect(
      errorsOf({
        ...valid,
        targets: [
          { cluster: 'east', kind: 'Deployment', name: 'cart-v2' },
          { cluster: 'east', kind: 'StatefulSet', namespace: 'shop', name: 'cart' },
          { cluster: 'west', kind: 'DaemonSet', name: 'Cart_1' },
        ],
      }).map((error) => error.field),
    ).toEqual(['targets[2].kind', 'targets[2].name']);
    expect(
      errorsOf({
        ...valid,
        targets: [
          { cluster: 'east', kind: 'Deployment', name: 'cart-v2' },
          { cluster: 'east', kind: 'StatefulSet', namespace: 'shop', name: 'cart' },
        ],
      }),
    ).toEqual([{ field: 'targets[1].cluster', message: 'targets[0] already names the workload in east' }]);
  });

  it('allows windows of one second (tests) and refuses over an hour', () => {
    expect(errorsOf({ ...valid, windowSeconds: 1, gracePeriodSeconds: 0 })).toEqual([]);
    expect(errorsOf({ ...valid, windowSeconds: 3601 })).toEqual([
      { field: 'windowSeconds', message: 'must be at most 3600' },
    ]);
  });
});
