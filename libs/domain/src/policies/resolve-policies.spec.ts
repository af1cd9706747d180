import type { DesiredClusterState, DesiredGlobalNamespace } from '../desired-state';
import { stateHash } from '../gns/snapshot-hash';
import { buildDesiredStates } from '../gns/desired-states';
import { computeMembership } from '../gns/membership';
import { shopContext, shopMesh, shopStates, versioned } from './policy.test-fixtures';
import {
  groupPoliciesByGns,
  principalsOf,
  resolveSecurityPolicy,
  resolveTrafficPolicy,
  withPolicies,
} from './resolve-policies';

const OUTLIER = { consecutiveErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 };

describe('policy resolution', () => {
  it('groups stored policies by GNS: traffic policies by service, at most one security policy', () => {
    const grouped = groupPoliciesByGns(
      [
        { gnsId: 'shop', service: 'cart', spec: { timeout: '2s' } },
        { gnsId: 'shop', service: 'pay', spec: { timeout: '1s' } },
        { gnsId: 'bank', service: 'ledger', spec: { timeout: '5s' } },
      ],
      [{ gnsId: 'bank', spec: { defaultAction: 'DENY', rules: [] } }],
    );
    expect([...grouped.keys()].sort()).toEqual(['bank', 'shop']);
    expect([...grouped.get('shop')!.trafficPolicies.keys()]).toEqual(['cart', 'pay']);
    expect(grouped.get('shop')!.securityPolicy).toBeUndefined();
    expect(grouped.get('bank')).toEqual({
      trafficPolicies: new Map([['ledger', { timeout: '5s' }]]),
      securityPolicy: { defaultAction: 'DENY', rules: [] },
    });
    expect(groupPoliciesByGns([], []).size).toBe(0);
  });

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
    // Endpoints carry the membership label of each subset they serve; the subsets select those.
    expect(cart?.endpoints.map((endpoint) => [endpoint.kind, endpoint.labels])).toEqual([
      ['LOCAL', { app: 'cart', version: 'v1', 'subset.lattice.io/v1': 'true' }],
      ['REMOTE', { app: 'cart', version: 'v2', 'subset.lattice.io/v2': 'true' }],
    ]);
    expect(east.trafficPolicies?.find((policy) => policy.service === 'cart')?.subsets).toEqual([
      { name: 'v1', labels: { 'subset.lattice.io/v1': 'true' } },
      { name: 'v2', labels: { 'subset.lattice.io/v2': 'true' } },
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

describe('per-version endpoints of split instances', () => {
  const canary = {
    subsets: [
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
    routes: [
      {
        destinations: [
          { subset: 'v1', weight: 90 },
          { subset: 'v2', weight: 10 },
        ],
      },
    ],
  };
  const policies = (spec: object = canary) =>
    new Map([['g-shop', { trafficPolicies: new Map([['reviews', spec]]) }]]);

  /** shopMesh plus reviews v2 in west. */
  function meshWithWestReviews() {
    const { clusters, definition } = shopMesh();
    const west = clusters.find((cluster) => cluster.id === 'c-west') as (typeof clusters)[number];
    const withWest = clusters.map((cluster) =>
      cluster === west
        ? {
            ...cluster,
            inventory: {
              ...cluster.inventory,
              services: [...cluster.inventory.services, versioned('shop', 'reviews', ['v2'])],
            },
          }
        : cluster,
    );
    const membership = computeMembership([definition], withWest);
    return { membership, clusters: withWest, states: buildDesiredStates(membership, withWest) };
  }

  it('splits v1 and v2 behind one Service into per-version endpoints, here and at the gateway', () => {
    const { membership, clusters, states } = shopStates();
    const result = withPolicies(states, membership, clusters, policies());
    const reviewsIn = (clusterId: string) =>
      result.get(clusterId)?.globalNamespaces[0].services.find((service) => service.name === 'reviews');

    expect(reviewsIn('c-east')?.endpoints).toEqual([
      {
        kind: 'LOCAL',
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: 'reviews.shop.svc.cluster.local',
        labels: { app: 'reviews', version: 'v1', 'subset.lattice.io/v1': 'true' },
        weight: 1,
        // The per-version Service forwards to the instance's target port, selecting the pod labels.
        versionService: {
          subset: 'v1',
          selector: { app: 'reviews', version: 'v1' },
          ports: [{ number: 80, targetPort: 8080 }],
        },
      },
      {
        kind: 'LOCAL',
        clusterId: 'c-east',
        clusterName: 'east',
        namespace: 'shop',
        address: 'reviews.shop.svc.cluster.local',
        labels: { app: 'reviews', version: 'v2', 'subset.lattice.io/v2': 'true' },
        weight: 1,
        versionService: {
          subset: 'v2',
          selector: { app: 'reviews', version: 'v2' },
          ports: [{ number: 80, targetPort: 8080 }],
        },
      },
    ]);
    // West reaches east's gateway through one endpoint in both subsets (two at one address and
    // port would collide in istiod's endpoint keys); the subset's SNI picks the version there.
    expect(
      reviewsIn('c-west')?.endpoints.map((endpoint) => [endpoint.kind, endpoint.address, endpoint.labels]),
    ).toEqual([
      [
        'REMOTE',
        '203.0.113.10',
        { app: 'reviews', 'subset.lattice.io/v1': 'true', 'subset.lattice.io/v2': 'true' },
      ],
    ]);
  });

  it('splits only where versions share a Service: v1+v2 in east, v2 alone in west', () => {
    const { membership, clusters, states } = meshWithWestReviews();
    const result = withPolicies(states, membership, clusters, policies());
    const reviewsIn = (clusterId: string) =>
      result.get(clusterId)?.globalNamespaces[0].services.find((service) => service.name === 'reviews');
    const subsetsOf = (labels: Record<string, string> | undefined) =>
      Object.keys(labels ?? {})
        .filter((key) => key.startsWith('subset.lattice.io/'))
        .map((key) => key.slice('subset.lattice.io/'.length))
        .join('+');
    const summary = (clusterId: string) =>
      reviewsIn(clusterId)?.endpoints.map((endpoint) => [
        endpoint.kind,
        subsetsOf(endpoint.labels),
        endpoint.kind === 'LOCAL' ? endpoint.versionService?.subset : endpoint.address,
      ]);
    expect(summary('c-east')).toEqual([
      ['LOCAL', 'v1', 'v1'],
      ['LOCAL', 'v2', 'v2'],
      ['REMOTE', 'v2', '203.0.113.20'],
    ]);
    expect(summary('c-west')).toEqual([
      ['LOCAL', 'v2', undefined],
      ['REMOTE', 'v1+v2', '203.0.113.10'],
    ]);
    // No two endpoints share an address anywhere.
    for (const clusterId of ['c-east', 'c-west']) {
      const addresses = reviewsIn(clusterId)?.endpoints.map((endpoint) =>
        endpoint.kind === 'LOCAL' && endpoint.versionService
          ? `${endpoint.namespace}/${endpoint.versionService.subset}`
          : endpoint.address,
      );
      expect(new Set(addresses).size).toBe(addresses?.length);
    }
  });

  it('keeps one endpoint per instance without subsets, when every pod is in the subset, and for unrouted subsets', () => {
    const { membership, clusters, states } = shopStates();
    const noSubsets = withPolicies(states, membership, clusters, policies({ timeout: '2s' }));
    expect(noSubsets.get('c-east')?.globalNamespaces[0].services.find((s) => s.name === 'reviews')).toEqual(
      states.get('c-east')?.globalNamespaces[0].services.find((s) => s.name === 'reviews'),
    );
    const whole = withPolicies(
      states,
      membership,
      clusters,
      policies({ subsets: [{ name: 'all', labels: { app: 'reviews' } }] }),
    );
    expect(
      whole.get('c-east')?.globalNamespaces[0].services.find((s) => s.name === 'reviews')?.endpoints,
    ).toEqual([
      expect.objectContaining({ kind: 'LOCAL', labels: { app: 'reviews', 'subset.lattice.io/all': 'true' } }),
    ]);
    // Subsets no route sends traffic to leave the instance whole (its own Service spreads per pod).
    const unrouted = withPolicies(
      states,
      membership,
      clusters,
      policies({ subsets: canary.subsets, timeout: '2s' }),
    );
    expect(
      unrouted.get('c-east')?.globalNamespaces[0].services.find((s) => s.name === 'reviews')?.endpoints,
    ).toEqual([
      expect.objectContaining({
        kind: 'LOCAL',
        address: 'reviews.shop.svc.cluster.local',
        labels: { app: 'reviews' },
      }),
    ]);
  });
});
