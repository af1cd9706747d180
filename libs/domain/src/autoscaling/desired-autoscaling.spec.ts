import type { DesiredClusterState } from '../desired-state';
import type { AutoscalingPolicySpec } from './autoscaling-spec';
import { withAutoscaling, type AutoscalingPolicyRecord } from './desired-autoscaling';

const spec: AutoscalingPolicySpec = {
  mode: 'EFFICIENCY',
  instances: { min: 1, max: 5, default: 2, stepsUp: 1, stepsDown: 1 },
  triggers: [{ metric: 'CPU', scaleUp: 800, scaleDown: 200 }],
  windowSeconds: 60,
  gracePeriodSeconds: 120,
  recommendOnly: false,
  targets: [],
};

function cluster(id: string, name: string): DesiredClusterState {
  return {
    clusterId: id,
    clusterName: name,
    globalNamespaces: [
      {
        id: 'g1',
        name: 'shop',
        domain: 'shop.lattice.local',
        mtlsMode: 'STRICT',
        localNamespaces: ['shop'],
        services: [
          {
            name: 'cart',
            hostname: 'cart.shop.lattice.local',
            ports: [],
            endpoints: [
              {
                kind: 'LOCAL',
                clusterId: 'c1',
                clusterName: 'east',
                namespace: 'shop',
                address: 'cart.shop.svc.cluster.local',
              },
              {
                kind: 'REMOTE',
                clusterId: 'c2',
                clusterName: 'west',
                namespace: 'shop',
                address: '203.0.113.2',
                port: 15443,
              },
            ],
          },
        ],
      },
    ],
  };
}

const states = new Map([
  ['c1', cluster('c1', 'east')],
  ['c2', cluster('c2', 'west')],
]);
const policy: AutoscalingPolicyRecord = { id: 'p1', gnsId: 'g1', service: 'cart', version: 3, spec };

describe('withAutoscaling', () => {
  it('gives the policy to the clusters where the service runs, with the default Deployment', () => {
    const result = withAutoscaling(states, [policy], []);
    expect(result.get('c1')!.autoscaling).toEqual([
      expect.objectContaining({
        policyId: 'p1',
        version: 3,
        service: 'cart',
        serviceNamespace: 'shop',
        target: { kind: 'Deployment', namespace: 'shop', name: 'cart' },
        scaleDownBlocked: false,
        blockingSlos: [],
      }),
    ]);
    // west only reaches cart remotely: nothing to scale there, and its state is untouched.
    expect(result.get('c2')).toBe(states.get('c2'));
  });

  it('uses the target named for the cluster', () => {
    const targeted = {
      ...policy,
      spec: { ...spec, targets: [{ cluster: 'east', kind: 'StatefulSet' as const, name: 'cart-db' }] },
    };
    expect(withAutoscaling(states, [targeted], []).get('c1')!.autoscaling![0]!.target).toEqual({
      kind: 'StatefulSet',
      namespace: 'shop',
      name: 'cart-db',
    });
  });

  it('blocks scale-down with the actionable SLOs in violation on that service only', () => {
    const result = withAutoscaling(
      states,
      [policy],
      [
        { sloId: 's2', name: 'cart-latency', gnsId: 'g1', services: ['cart'] },
        { sloId: 's1', name: 'cart-errors', gnsId: 'g1', services: ['cart', 'web'] },
        { sloId: 's3', name: 'web-only', gnsId: 'g1', services: ['web'] },
        { sloId: 's4', name: 'other-gns', gnsId: 'g9', services: ['cart'] },
      ],
    );
    expect(result.get('c1')!.autoscaling![0]).toMatchObject({
      scaleDownBlocked: true,
      blockingSlos: [
        { id: 's1', name: 'cart-errors' },
        { id: 's2', name: 'cart-latency' },
      ],
    });
  });

  it('leaves every state as it is without policies or for services not in the GNS', () => {
    expect(withAutoscaling(states, [], []).get('c1')).toBe(states.get('c1'));
    expect(
      withAutoscaling(states, [{ ...policy, service: 'web' }], []).get('c1')!.autoscaling,
    ).toBeUndefined();
  });
});
