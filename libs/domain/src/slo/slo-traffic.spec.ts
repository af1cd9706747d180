import { DDSketch } from '../telemetry/ddsketch';
import type { MatchCondition } from '../gns/match-conditions';
import {
  SloTrafficIndex,
  spanTrafficTargets,
  uniqueTrafficServices,
  type DestinationPeriod,
  type SloTrafficSource,
} from './slo-traffic';

const MINUTE = Date.UTC(2026, 5, 10, 12, 0);
const SHOP: MatchCondition[] = ['east', 'west'].map((cluster) => ({
  cluster: { type: 'EXACT', value: cluster },
  namespace: { type: 'EXACT', value: 'shop' },
}));

function sketch(...values: number[]): unknown {
  const result = new DDSketch();
  for (const value of values) result.add(value);
  return result.toJSON();
}

function period(overrides: Partial<DestinationPeriod>): DestinationPeriod {
  return {
    tenantId: 't',
    clusterId: 'east',
    namespace: 'shop',
    service: 'checkout',
    minuteMs: MINUTE,
    requests: 10,
    errors: 1,
    sketches: [sketch(10)],
    ...overrides,
  };
}

const slo = (overrides: Partial<SloTrafficSource> = {}): SloTrafficSource => ({
  tenantId: 't',
  gnsId: 'gns',
  services: ['checkout'],
  matchConditions: SHOP,
  clusters: [
    { id: 'east', name: 'east' },
    { id: 'west', name: 'west' },
  ],
  ...overrides,
});

describe('traffic targets', () => {
  it('cover the hull of the spans per (tenant, service)', () => {
    const targets = spanTrafficTargets([
      { slo: { tenantId: 't', services: ['checkout', 'cart'] }, fromMs: 10, toMs: 20 },
      { slo: { tenantId: 't', services: ['checkout'] }, fromMs: 5, toMs: 15 },
      { slo: { tenantId: 'u', services: ['checkout'] }, fromMs: 1, toMs: 2 },
    ]);
    expect(targets).toEqual([
      { tenantId: 't', service: 'checkout', fromMs: 5, toMs: 20 },
      { tenantId: 't', service: 'cart', fromMs: 10, toMs: 20 },
      { tenantId: 'u', service: 'checkout', fromMs: 1, toMs: 2 },
    ]);
    expect(
      uniqueTrafficServices([
        { tenantId: 't', services: ['a', 'b'] },
        { tenantId: 't', services: ['a'] },
      ]),
    ).toEqual([
      { tenantId: 't', service: 'a' },
      { tenantId: 't', service: 'b' },
    ]);
  });
});

describe('SloTrafficIndex', () => {
  it("sums an SLO's destinations in its GNS per minute and merges their latency", () => {
    const index = new SloTrafficIndex([
      period({}),
      period({ clusterId: 'west', requests: 20, errors: 0, sketches: [sketch(1000)] }),
      period({ namespace: 'elsewhere', requests: 1000, errors: 1000 }),
      period({ service: 'cart', requests: 5 }),
      period({ minuteMs: MINUTE + 60_000, requests: 1, errors: 0 }),
    ]);
    const minutes = index.periodsOf(slo());
    expect([...minutes.keys()]).toEqual([MINUTE, MINUTE + 60_000]);
    const first = minutes.get(MINUTE)!;
    expect(first).toMatchObject({ minuteUnixMs: MINUTE, requests: 30, errors: 1 });
    expect(first.latency!.count).toBe(2);
  });

  it('does not let one SLO merging into a shared sketch change what another SLO reads', () => {
    const index = new SloTrafficIndex([period({}), period({ service: 'cart', sketches: [sketch(500)] })]);
    const single = index.periodsOf(slo());
    const both = index.periodsOf(slo({ services: ['checkout', 'cart'] }));
    expect(both.get(MINUTE)!.latency!.count).toBe(2);
    expect(single.get(MINUTE)!.latency!.count).toBe(1);
    expect(index.periodsOf(slo()).get(MINUTE)!.latency!.count).toBe(1);
  });
});
