import { shopContext } from './policy.test-fixtures';
import { proposePolicies } from './propose-policies';
import type { TrafficPolicySpec } from './policy-spec';

const stored = {
  trafficPolicies: new Map<string, TrafficPolicySpec>([['payments', { timeout: '2s' }]]),
  securityPolicy: { defaultAction: 'DENY' as const },
};

describe('proposePolicies', () => {
  it('applies proposed, normalised policies over the stored ones and keeps what is not proposed', () => {
    const result = proposePolicies(
      stored,
      { trafficPolicies: [{ service: 'cart', spec: { timeout: '1500ms' } }] },
      shopContext(),
    );
    expect(result.errors).toEqual([]);
    expect([...result.policies.trafficPolicies]).toEqual([
      ['payments', { timeout: '2s' }],
      ['cart', { timeout: '1500ms' }],
    ]);
    expect(result.policies.securityPolicy).toEqual({ defaultAction: 'DENY' });
  });

  it('removes what is proposed as null', () => {
    const result = proposePolicies(
      stored,
      { trafficPolicies: [{ service: 'payments', spec: null }], securityPolicy: null },
      shopContext(),
    );
    expect(result.errors).toEqual([]);
    expect(result.policies).toEqual({ trafficPolicies: new Map(), securityPolicy: undefined });
  });

  it('names errors by their place in the proposal', () => {
    const result = proposePolicies(
      undefined,
      {
        trafficPolicies: [
          { service: 'Not A Label', spec: {} },
          { service: 'cart', spec: { timeout: 'soon' } },
          { service: 'cart', spec: {} },
        ],
        securityPolicy: { defaultAction: 'MAYBE' },
      },
      shopContext(),
    );
    expect(result.errors.map((error) => error.field)).toEqual([
      'trafficPolicies[0].service',
      'trafficPolicies[1].timeout',
      'trafficPolicies[2].service',
      'trafficPolicies[2]',
      'securityPolicy.defaultAction',
    ]);
    expect(result.errors[2].message).toBe('cart is proposed twice');
  });

  it('passes warnings through, prefixed', () => {
    const result = proposePolicies(
      undefined,
      {
        trafficPolicies: [
          {
            service: 'cart',
            spec: {
              subsets: [{ name: 'v3', labels: { version: 'v3' } }],
              routes: [{ destinations: [{ subset: 'v3' }] }],
            },
          },
        ],
      },
      shopContext(),
    );
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([
      { field: 'trafficPolicies[0].subsets[0]', message: expect.stringContaining('no pod of cart') },
    ]);
  });
});
