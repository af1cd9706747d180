import { computeMembership, type GnsMembership, type MembershipResult } from './membership';
import { anyCluster, cluster, gns, http, service } from './test-fixtures';

const shopEverywhere = gns({
  id: 'g-shop',
  name: 'shop',
  matchConditions: [anyCluster({ type: 'EXACT', value: 'shop' })],
});

function only(result: MembershipResult, gnsId: string): GnsMembership {
  const found = result.globalNamespaces.find((membership) => membership.gns.id === gnsId);
  if (!found) throw new Error(`no membership for ${gnsId}`);
  return found;
}

describe('computeMembership', () => {
  it('collects member namespaces and services across clusters, with hosts and instances', () => {
    const result = computeMembership(
      [shopEverywhere],
      [
        cluster('c-west', 'west', [service('shop', 'cart'), service('other', 'cart')]),
        cluster('c-east', 'east', [service('shop', 'cart', [http(80)], 3), service('shop', 'checkout')]),
      ],
    );
    const membership = only(result, 'g-shop');
    expect(membership.namespaces).toEqual([
      { clusterId: 'c-east', clusterName: 'east', namespace: 'shop' },
      { clusterId: 'c-west', clusterName: 'west', namespace: 'shop' },
    ]);
    expect(membership.services).toEqual([
      {
        name: 'cart',
        hostname: 'cart.shop.lattice.local',
        ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
        instances: [
          {
            clusterId: 'c-east',
            clusterName: 'east',
            namespace: 'shop',
            ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
            readyEndpoints: 3,
            notReadyEndpoints: 0,
          },
          {
            clusterId: 'c-west',
            clusterName: 'west',
            namespace: 'shop',
            ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
            readyEndpoints: 1,
            notReadyEndpoints: 0,
          },
        ],
      },
      expect.objectContaining({ name: 'checkout', hostname: 'checkout.shop.lattice.local' }),
    ]);
    expect(membership.conflicts).toEqual([]);
    expect(membership.warnings).toEqual([]);
  });

  it('counts a namespace with no services as a member (clients there reach remote instances)', () => {
    const result = computeMembership(
      [shopEverywhere],
      [cluster('c1', 'one', [], { extraNamespaces: ['shop'] })],
    );
    expect(only(result, 'g-shop').namespaces).toEqual([
      { clusterId: 'c1', clusterName: 'one', namespace: 'shop' },
    ]);
  });

  it('matches cluster selectors against the cluster name', () => {
    const eastOnly = gns({
      id: 'g',
      name: 'g',
      matchConditions: [
        { cluster: { type: 'PREFIX', value: 'east' }, namespace: { type: 'PREFIX', value: 'shop' } },
      ],
    });
    const result = computeMembership(
      [eastOnly],
      [
        cluster('east-id', 'east-1', [service('shop-a', 'x')]),
        cluster('west-id', 'west-1', [service('shop-a', 'x')]),
      ],
    );
    expect(only(result, 'g').namespaces.map((member) => member.clusterName)).toEqual(['east-1']);
  });

  it('never puts control-plane namespaces into a GNS, even when a selector matches them', () => {
    const everything = gns({
      id: 'g',
      name: 'g',
      matchConditions: [anyCluster({ type: 'REGEX', value: '.*' })],
    });
    const result = computeMembership(
      [everything],
      [
        cluster(
          'c',
          'c',
          [service('istio-system', 'istiod'), service('kube-system', 'kube-dns'), service('shop', 'cart')],
          { extraNamespaces: ['kube-public', 'kube-node-lease'] },
        ),
      ],
    );
    expect(only(result, 'g').namespaces.map((member) => member.namespace)).toEqual(['shop']);
  });

  describe('two GNS claiming one namespace', () => {
    const older = gns({
      id: 'g-b',
      name: 'older',
      createdAt: new Date('2024-01-01'),
      matchConditions: [anyCluster({ type: 'PREFIX', value: 'shop' })],
    });
    const newer = gns({
      id: 'g-a',
      name: 'newer',
      createdAt: new Date('2024-02-01'),
      matchConditions: [anyCluster({ type: 'EXACT', value: 'shop' })],
    });
    const clusters = [cluster('c1', 'one', [service('shop', 'cart'), service('shop-eu', 'cart')])];

    it('keeps it in the older GNS, reports it on both, and does not depend on input order', () => {
      const forward = computeMembership([older, newer], clusters);
      const backward = computeMembership([newer, older], [...clusters].reverse());
      expect(backward).toEqual(forward);

      expect(only(forward, 'g-b').namespaces.map((member) => member.namespace)).toEqual(['shop', 'shop-eu']);
      expect(only(forward, 'g-a').namespaces).toEqual([]);
      expect(only(forward, 'g-a').services).toEqual([]);

      const conflict = {
        kind: 'NAMESPACE_CLAIMED_BY_SEVERAL',
        clusterId: 'c1',
        clusterName: 'one',
        namespace: 'shop',
        claimants: [
          { gnsId: 'g-b', gnsName: 'older' },
          { gnsId: 'g-a', gnsName: 'newer' },
        ],
        keptBy: 'g-b',
        reason: expect.stringContaining('stays in "older" (the oldest)'),
      };
      expect(only(forward, 'g-a').conflicts).toEqual([conflict]);
      expect(only(forward, 'g-b').conflicts).toEqual([conflict]);
      const [reported] = only(forward, 'g-a').conflicts;
      expect(reported.reason).toBe(
        'Namespace "shop" of cluster "one" is matched by global namespaces "older", "newer". ' +
          'It stays in "older" (the oldest) and is left out of the others until their match conditions no longer overlap.',
      );
    });

    it('breaks a createdAt tie by id', () => {
      const sameTime = new Date('2024-03-01');
      const result = computeMembership(
        [
          { ...older, createdAt: sameTime },
          { ...newer, createdAt: sameTime },
        ],
        clusters,
      );
      // "g-a" < "g-b"
      expect(only(result, 'g-a').namespaces.map((member) => member.namespace)).toEqual(['shop']);
      expect(only(result, 'g-b').namespaces.map((member) => member.namespace)).toEqual(['shop-eu']);
      expect(result.globalNamespaces.map((membership) => membership.gns.id)).toEqual(['g-a', 'g-b']);
    });
  });

  describe('instances of one host with different ports', () => {
    it('keeps the host published on the ports most instances agree on and leaves the others out', () => {
      const result = computeMembership(
        [shopEverywhere],
        [
          cluster('c-east', 'east', [service('shop', 'cart', [http(80)]), service('shop', 'checkout')]),
          cluster('c-south', 'south', [service('shop', 'cart', [http(80)])]),
          cluster('c-west', 'west', [service('shop', 'cart', [http(8080)])]),
          cluster('c-north', 'north', [
            service('shop', 'cart', [{ name: 'http', port: 80, protocol: 'GRPC', targetPort: 80 }]),
          ]),
        ],
      );
      const membership = only(result, 'g-shop');
      expect(membership.services.map((svc) => svc.name)).toEqual(['cart', 'checkout']);
      const cart = membership.services[0];
      expect(cart.ports).toEqual([{ name: 'http', number: 80, protocol: 'HTTP' }]);
      expect(cart.instances.map((instance) => instance.clusterName)).toEqual(['east', 'south']);
      expect(membership.conflicts).toEqual([
        {
          kind: 'HOST_PORTS_DIFFER',
          serviceName: 'cart',
          hostname: 'cart.shop.lattice.local',
          variants: [
            {
              ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
              instances: [
                { clusterId: 'c-east', clusterName: 'east', namespace: 'shop' },
                { clusterId: 'c-south', clusterName: 'south', namespace: 'shop' },
              ],
            },
            {
              ports: [{ name: 'http', number: 80, protocol: 'GRPC' }],
              instances: [{ clusterId: 'c-north', clusterName: 'north', namespace: 'shop' }],
            },
            {
              ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
              instances: [{ clusterId: 'c-west', clusterName: 'west', namespace: 'shop' }],
            },
          ],
          publishedPorts: [{ name: 'http', number: 80, protocol: 'HTTP' }],
          leftOut: [
            { clusterId: 'c-north', clusterName: 'north', namespace: 'shop' },
            { clusterId: 'c-west', clusterName: 'west', namespace: 'shop' },
          ],
          reason:
            'Service "cart" is published as cart.shop.lattice.local, but its instances expose different ports: ' +
            '80/HTTP in east/shop, south/shop; 80/GRPC in north/shop; 8080/HTTP in west/shop. ' +
            'cart.shop.lattice.local is published on 80/HTTP (the ports most instances expose); ' +
            'north/shop, west/shop are left out of cart.shop.lattice.local until their ports include those.',
        },
      ]);
    });

    it('keeps the service published when one of two clusters moves its port (a tie goes to the first cluster by name)', () => {
      const result = computeMembership(
        [shopEverywhere],
        [
          cluster('c-west', 'west', [service('shop', 'payments', [http(9091)], 5)]),
          cluster('c-east', 'east', [service('shop', 'payments', [http(8080)], 1)]),
        ],
      );
      const membership = only(result, 'g-shop');
      expect(membership.services).toEqual([
        expect.objectContaining({
          name: 'payments',
          ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
          instances: [expect.objectContaining({ clusterName: 'east' })],
        }),
      ]);
      expect(membership.conflicts).toEqual([
        expect.objectContaining({
          kind: 'HOST_PORTS_DIFFER',
          leftOut: [{ clusterId: 'c-west', clusterName: 'west', namespace: 'shop' }],
        }),
      ]);
    });

    it('keeps an instance that exposes more than the published ports, publishing only those', () => {
      const result = computeMembership(
        [shopEverywhere],
        [
          cluster('c-a', 'a', [service('shop', 'cart', [http(80)])]),
          cluster('c-b', 'b', [service('shop', 'cart', [http(80), http(9090, 'metrics')])]),
        ],
      );
      const membership = only(result, 'g-shop');
      expect(membership.services[0].ports).toEqual([{ name: 'http', number: 80, protocol: 'HTTP' }]);
      expect(membership.services[0].instances.map((instance) => instance.clusterName)).toEqual(['a', 'b']);
      expect(membership.conflicts).toEqual([expect.objectContaining({ leftOut: [] })]);
      expect((membership.conflicts[0] as { reason: string }).reason).toContain('none is left out');
    });

    it('also applies to one name in two namespaces of the same cluster', () => {
      const both = gns({
        id: 'g',
        name: 'g',
        matchConditions: [anyCluster({ type: 'PREFIX', value: 'shop' })],
      });
      const result = computeMembership(
        [both],
        [cluster('c', 'c', [service('shop-a', 'cart', [http(80)]), service('shop-b', 'cart', [http(81)])])],
      );
      expect(only(result, 'g').services.map((svc) => svc.instances.map((i) => i.namespace))).toEqual([
        ['shop-a'],
      ]);
      expect(only(result, 'g').conflicts.map((conflict) => conflict.kind)).toEqual(['HOST_PORTS_DIFFER']);
    });

    it('does not treat different port names as a conflict, and takes the names of the first instance', () => {
      const result = computeMembership(
        [shopEverywhere],
        [
          cluster('c-b', 'b', [service('shop', 'cart', [http(80, 'web')])]),
          cluster('c-a', 'a', [service('shop', 'cart', [http(80, 'http-main')])]),
        ],
      );
      expect(only(result, 'g-shop').conflicts).toEqual([]);
      expect(only(result, 'g-shop').services[0].ports).toEqual([
        { name: 'http-main', number: 80, protocol: 'HTTP' },
      ]);
    });
  });

  it('gives a duplicated domain to the oldest GNS only', () => {
    const first = gns({
      id: 'g1',
      name: 'first',
      domain: 'shop.example.com',
      createdAt: new Date('2024-01-01'),
      matchConditions: [anyCluster({ type: 'EXACT', value: 'a' })],
    });
    const second = gns({
      id: 'g2',
      name: 'second',
      domain: 'shop.example.com',
      createdAt: new Date('2024-01-02'),
      matchConditions: [anyCluster({ type: 'EXACT', value: 'b' })],
    });
    const result = computeMembership(
      [second, first],
      [cluster('c', 'c', [service('a', 'x'), service('b', 'y')])],
    );
    expect(only(result, 'g1').services.map((svc) => svc.hostname)).toEqual(['x.shop.example.com']);
    expect(only(result, 'g2').namespaces).toEqual([]);
    expect(only(result, 'g2').conflicts).toEqual([
      expect.objectContaining({ kind: 'DUPLICATE_DOMAIN', keptBy: 'g1', domain: 'shop.example.com' }),
    ]);
    expect(only(result, 'g1').conflicts).toEqual(only(result, 'g2').conflicts);
  });

  it('warns about a member cluster whose services others cannot reach', () => {
    const result = computeMembership(
      [shopEverywhere],
      [
        cluster('c1', 'one', [service('shop', 'cart')], { eastWestAddress: null }),
        cluster('c2', 'two', [service('shop', 'cart')]),
      ],
    );
    expect(only(result, 'g-shop').warnings).toEqual([
      {
        kind: 'NO_EAST_WEST_GATEWAY',
        clusterId: 'c1',
        clusterName: 'one',
        reason: expect.stringContaining('"one"'),
      },
    ]);
  });

  it('does not warn about a missing gateway when the GNS spans one cluster', () => {
    const result = computeMembership(
      [shopEverywhere],
      [cluster('c1', 'one', [service('shop', 'cart')], { eastWestAddress: null })],
    );
    expect(only(result, 'g-shop').warnings).toEqual([]);
  });

  it('normalises ports: protocol case and default, UDP dropped, unnamed ports named', () => {
    const result = computeMembership(
      [shopEverywhere],
      [
        cluster('c', 'c', [
          service('shop', 'dns', [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }]),
          service('shop', 'mixed', [
            { name: '', port: 9000, protocol: 'grpc', targetPort: 9000 },
            { name: 'udp', port: 53, protocol: 'UDP', targetPort: 53 },
            { name: '', port: 5432, protocol: '', targetPort: 5432 },
            { name: 'odd', port: 6379, protocol: 'REDIS', targetPort: 6379 },
          ]),
        ]),
      ],
    );
    const membership = only(result, 'g-shop');
    expect(membership.services).toEqual([
      expect.objectContaining({
        name: 'mixed',
        ports: [
          { name: 'tcp-5432', number: 5432, protocol: 'TCP' },
          { name: 'odd', number: 6379, protocol: 'TCP' },
          { name: 'grpc-9000', number: 9000, protocol: 'GRPC' },
        ],
      }),
    ]);
    expect(membership.warnings).toEqual([
      expect.objectContaining({ kind: 'NO_ROUTABLE_PORTS', serviceName: 'dns' }),
    ]);
  });

  it('warns about a stored selector that is no longer accepted, which matches nothing', () => {
    const unsafe = gns({
      id: 'g',
      name: 'g',
      matchConditions: [anyCluster({ type: 'REGEX', value: '(?!kube)shop' })],
    });
    const result = computeMembership([unsafe], [cluster('c', 'c', [service('shop', 'cart')])]);
    expect(only(result, 'g').namespaces).toEqual([]);
    expect(only(result, 'g').warnings).toEqual([
      expect.objectContaining({ kind: 'UNUSABLE_SELECTOR', matchConditionIndex: 0 }),
    ]);
  });
});
