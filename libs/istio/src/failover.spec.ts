import type { DesiredGnsService, ServiceEndpoint } from '@lattice/domain';
import { failoverLabels, failoverOrder, failoverPriority } from './failover';

const local = (clusterName: string, locality?: string): ServiceEndpoint => ({
  kind: 'LOCAL',
  clusterId: `c-${clusterName}`,
  clusterName,
  namespace: 'shop',
  address: 'cart.shop.svc.cluster.local',
  ...(locality ? { locality } : {}),
});
const remote = (clusterName: string, locality?: string): ServiceEndpoint => ({
  kind: 'REMOTE',
  clusterId: `c-${clusterName}`,
  clusterName,
  namespace: 'shop',
  address: `${clusterName}.gw.example.com`,
  port: 15443,
  ...(locality ? { locality } : {}),
});
const cart = (endpoints: ServiceEndpoint[]): DesiredGnsService => ({
  name: 'cart',
  hostname: 'cart.shop.lattice.local',
  ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
  endpoints,
});

describe('failoverOrder (local first by default)', () => {
  const endpoints = [
    local('east', 'eu-west-1/eu-west-1a/east'),
    remote('far', 'us-east-1/us-east-1a/far'),
    remote('zone-b', 'eu-west-1/eu-west-1b/zone-b'),
    remote('same-zone', 'eu-west-1/eu-west-1a/same-zone'),
    remote('unknown'),
  ];
  const client = { clusterName: 'east', locality: { region: 'eu-west-1', zone: 'eu-west-1a' } };

  it('puts the local cluster first, then same zone, same region, the rest (by name)', () => {
    expect(failoverOrder(client, cart(endpoints), undefined)).toEqual([
      'east',
      'same-zone',
      'zone-b',
      'far',
      'unknown',
    ]);
  });

  it('orders remote clusters only when the service does not run here', () => {
    expect(failoverOrder(client, cart(endpoints.slice(1)), undefined)).toEqual([
      'same-zone',
      'zone-b',
      'far',
      'unknown',
    ]);
  });

  it('orders remote clusters by name when this cluster has no locality', () => {
    expect(failoverOrder('east', cart(endpoints), undefined)).toEqual([
      'east',
      'far',
      'same-zone',
      'unknown',
      'zone-b',
    ]);
  });

  it('has nothing to order for a service in one cluster', () => {
    expect(failoverOrder(client, cart([local('east')]), undefined)).toEqual([]);
  });

  it('lets an explicit failover policy replace the order after the local cluster', () => {
    const policy = { service: 'cart', subsets: [], routes: [], failover: ['far', 'zone-b'] };
    expect(failoverOrder(client, cart(endpoints), policy)).toEqual(['east', 'far', 'zone-b']);
  });
});

describe('failover priority labels', () => {
  it('gives the k-th of n clusters n-k+1 labels, matched from the first', () => {
    expect(failoverPriority(3)).toEqual([
      'lattice.io/failover-1=y',
      'lattice.io/failover-2=y',
      'lattice.io/failover-3=y',
    ]);
    expect(failoverLabels(['a', 'b', 'c'], 'b')).toEqual({
      'lattice.io/failover-1': 'y',
      'lattice.io/failover-2': 'y',
    });
    expect(failoverLabels(['a', 'b', 'c'], 'x')).toEqual({});
  });

  it('builds the same labels for long orders, past the sets it keeps built', () => {
    for (const size of [255, 256, 257, 400]) {
      const order = Array.from({ length: size }, (_, index) => `cluster-${index}`);
      const first = failoverLabels(order, 'cluster-0');
      expect(Object.keys(first)).toHaveLength(size);
      expect(first[`lattice.io/failover-${size}`]).toBe('y');
      expect(Object.keys(failoverLabels(order, `cluster-${size - 1}`))).toEqual(['lattice.io/failover-1']);
    }
  });
});
