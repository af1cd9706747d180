import { parseSloSpec } from './slo-spec';

const valid = {
  name: 'checkout-availability',
  gnsId: '6f1c3f4e-1111-4111-8111-111111111111',
  services: ['checkout'],
  indicators: [
    { kind: 'ERROR_RATE', maxErrorRatePercent: 1 },
    { kind: 'LATENCY', percentile: 'p99', thresholdMs: 300 },
  ],
  targetPercent: 99.9,
  window: '30d',
};

describe('parseSloSpec', () => {
  it('accepts a valid spec and fills the defaults', () => {
    const { spec } = parseSloSpec(valid);
    expect(spec).toEqual({
      ...valid,
      description: '',
      budgeting: 'TIME_SLICES',
      type: 'MONITORED',
      noDataPolicy: 'IGNORE',
    });
  });

  it('takes a no-data policy', () => {
    expect(parseSloSpec({ ...valid, noDataPolicy: 'BAD' }).spec!.noDataPolicy).toBe('BAD');
    expect(
      parseSloSpec({ ...valid, noDataPolicy: 'GOOD', budgeting: 'OCCURRENCES' }).spec!.noDataPolicy,
    ).toBe('GOOD');
  });

  it('keeps only the fields of each indicator kind', () => {
    const { spec } = parseSloSpec({
      ...valid,
      indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1, thresholdMs: 5 }],
    });
    expect(spec!.indicators).toEqual([{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }]);
  });

  it.each([
    [{ targetPercent: 100 }, 'targetPercent'],
    [{ targetPercent: 0 }, 'targetPercent'],
    [{ targetPercent: '99.9' }, 'targetPercent'],
    [{ indicators: [{ kind: 'LATENCY', percentile: 'p99', thresholdMs: 0 }] }, 'indicators[0].thresholdMs'],
    [{ indicators: [{ kind: 'LATENCY', percentile: 'p95', thresholdMs: 10 }] }, 'indicators[0].percentile'],
    [{ indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 100 }] }, 'indicators[0].maxErrorRatePercent'],
    [{ indicators: [{ kind: 'SATURATION' }] }, 'indicators[0].kind'],
    [{ indicators: [] }, 'indicators'],
    [{ window: '0d' }, 'window'],
    [{ window: '91d' }, 'window'],
    [{ budgeting: 'EVENTS' }, 'budgeting'],
    [{ type: 'PAGED' }, 'type'],
    [{ noDataPolicy: 'SKIP' }, 'noDataPolicy'],
    [{ noDataPolicy: 'BAD', budgeting: 'OCCURRENCES' }, 'noDataPolicy'],
    [{ services: [] }, 'services'],
    [{ services: ['checkout', 'checkout'] }, 'services[1]'],
    [{ services: ['Not A Service'] }, 'services[0]'],
    [{ name: 'Checkout!' }, 'name'],
    [{ gnsId: '' }, 'gnsId'],
  ])('refuses %j naming %s', (change, field) => {
    const { spec, problems } = parseSloSpec({ ...valid, ...change });
    expect(spec).toBeNull();
    expect(problems.map((problem) => problem.field)).toEqual([field]);
  });
});
