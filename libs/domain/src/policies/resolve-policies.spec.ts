import type { DesiredClusterState, DesiredGlobalNamespace } from '../desired-state';
import { stateHash } from '../gns/snapshot-hash';
import { shopContext, shopStates } from './policy.test-fixtures';
import { principalsOf, resolveSecurityPolicy, resolveTrafficPolicy, withPolicies } from './resolve-policies';

const OUTLIER = { consecutiveErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 };

describe('policy resolution', () => {
  it('maps a service to SPIFFE principals in the GNS trust domain (service account = service name by default)', () => {
    const context = shopContext();
    expect(principalsOf('cart', undefined, context)).toEqual(['shop.lattice.local/ns/shop/sa/cart']);
    expect(
      principalsOf(
        'cart',
        { defaultAction: 'DENY', services: [{ service: 'cart', serviceAccount: 'cart-sa' }] },
        context,
      ),
    ).toEqual(['shop.lattice.local/ns/shop/sa/cart-sa']);
    expect(principalsOf('*', undefined, context)).toEqual(['shop.lattice.local/*']);
  });

  it('gives policy-wide timeout, retries and fault to every route unless a route overrides them', () => {
    const desired = resolveTrafficPolicy(
      'cart',
      {
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
        timeout: '5s',
        fault: { delay: { fixedDelay: '1s', percentage: 10 } },
        routes: [
          {
            name: 'beta',
            match: [{ headers: { 'x-beta': { exact: '1' } } }],
            destinations: [{ subset: 'v1', weight: 100 }],
            timeout: '1s',
          },
          { name: 'rest', destinations: [{ weight: 100 }] },
        ],
        outlierDetection: OUTLIER,
        failover: ['west', 'gone', 'east'],
      },
      shopContext(),
    );
    expect(desired.routes).toEqual([
      {
        name: 'beta',
        match: [{ headers: { 'x-beta': { exact: '1' } } }],
        destinations: [{ subset: 'v1', weight: 100 }],
        timeout: '1s',
        fault: { delay: { fixedDelay: '1s', percentage: 10 } },
      },
      {
        name: 'rest',
        destinations: [{ weight: 100 }],
        timeout: '5s',
        fault: { delay: { fixedDelay: '1s', percentage: 10 } },
      },
    ]);
    expect(desired.failover).toEqual(['west', 'east']);
  });

  it('makes one default route when only timeout, retries or fault are set, and none otherwise', () => {
    const context = shopContext();
    expect(resolveTrafficPolicy('cart', { retries: { attempts: 2 } }, context).routes).toEqual([
      { name: 'default', destinations: [{ weight: 100 }], retries: { attempts: 2 } },
    ]);
    expect(resolveTrafficPolicy('cart', { outlierDetection: OUTLIER }, context).routes).toEqual([]);
  });

  it('resolves access rules to principals and selectors; an ALLOW whose callers left still allows nobody', () => {
    const desired = resolveSecurityPolicy(
      {
        defaultAction: 'DENY',
        services: [{ service: 'payments', workloadLabels: { app: 'payments', tier: 'backend' } }],
        rules: [
          { name: 'cart-pays', action: 'ALLOW', from: ['cart'], to: 'payments', methods: ['POST'] },
          { name: 'gone-caller', action: 'ALLOW', from: ['left-the-gns'], to: 'reviews' },
          { name: 'gone-denied', action: 'DENY', from: ['left-the-gns'], to: 'cart' },
          { name: 'gone-target', action: 'ALLOW', from: ['cart'], to: 'left-the-gns' },
        ],
      },
      shopContext(),
    );
    expect(desired).toEqual({
      defaultAction: 'DENY',
      services: [
        { service: 'payments', workloadLabels: { app: 'payments', tier: 'backend' } },
        { service: 'reviews', workloadLabels: { app: 'reviews' } },
      ],
      rules: [
        {
          name: 'cart-pays',
          action: 'ALLOW',
          to: 'payments',
          fromPrincipals: ['shop.lattice.local/ns/shop/sa/cart'],
          methods: ['POST'],
        },
        { name: 'gone-caller', action: 'ALLOW', to: 'reviews', fromPrincipals: [] },
      ],
    });
  });

  it('adds policies to the GNS of every member cluster and labels endpoints for subsets', () => {
    const { membership, clusters, states } = shopStates();
    const result = withPolicies(
      states,
      membership,
      clusters,
      new Map([
        [
          'g-shop',
          {
            trafficPolicies: new Map([
              [
                'cart',
                {
                  subsets: [
                    { name: 'v1', labels: { version: 'v1' } },
                    { name: 'v2', labels: { version: 'v2' } },
                  ],
                },
              ],
              ['payments', { timeout: '2s' }],
              ['not-published', { timeout: '2s' }],
            ]),
            securityPolicy: {
              defaultAction: 'ALLOW' as const,
              rules: [{ action: 'DENY' as const, from: ['cart'], to: 'payments' }],
            },
          },
        ],
      ]),
    );
    const east = result.get('c-east')?.globalNamespaces[0] as DesiredGlobalNamespace;
    expect(east.trafficPolicies?.map((policy) => policy.service)).toEqual(['cart', 'payments']);
    const cart = east.services.find((service) => service.name === 'cart');
    expect(cart?.endpoints.map((endpoint) => [endpoint.kind, endpoint.labels])).toEqual([
      ['LOCAL', { app: 'cart', version: 'v1' }],
      ['REMOTE', { app: 'cart', version: 'v2' }],
    ]);
    // Services without subsets keep their endpoints as they were.
    expect(east.services.find((service) => service.name === 'payments')?.endpoints[0].labels).toBeUndefined();
    expect(east.securityPolicy?.rules).toEqual([
      {
        name: 'rule-0',
        action: 'DENY',
        to: 'payments',
        fromPrincipals: ['shop.lattice.local/ns/shop/sa/cart'],
      },
    ]);
    expect(result.get('c-west')?.globalNamespaces[0].securityPolicy).toEqual(east.securityPolicy);
    // The input states are not changed.
    expect(states.get('c-east')?.globalNamespaces[0].trafficPolicies).toBeUndefined();
    // A policy is part of what decides whether a cluster gets a new snapshot version.
    expect(stateHash(result.get('c-east') as DesiredClusterState)).not.toBe(
      stateHash(states.get('c-east') as DesiredClusterState),
    );
    // A cluster where the GNS does not reach is untouched.
    expect(result.get('c-other')).toEqual(states.get('c-other'));
  });
});
