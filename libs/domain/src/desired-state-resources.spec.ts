import type { DesiredClusterState, DesiredGnsService, ServiceEndpoint } from './desired-state';
import {
  assembleDesiredState,
  CLUSTER_RESOURCE,
  DesiredStateAssemblyError,
  MESH_CA_RESOURCE,
  diffResources,
  mergeResources,
  resourceHashes,
  splitDesiredState,
  stateChecksum,
  type DesiredStateResource,
} from './desired-state-resources';
import { canonicalJson, stateHash } from './gns/snapshot-hash';

/** Deterministic pseudo-random numbers (mulberry32), so a failing case can be replayed by its seed. */
function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomState(seed: number): DesiredClusterState {
  const random = randomSource(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const endpoint = (i: number): ServiceEndpoint =>
    random() < 0.5
      ? { kind: 'LOCAL', clusterId: 'c1', clusterName: 'one', namespace: `ns${i}`, address: `s.ns${i}.svc` }
      : {
          kind: 'REMOTE',
          clusterId: `c${i + 2}`,
          clusterName: `c${i + 2}`,
          namespace: 'ns',
          address: `10.0.0.${i}`,
          port: 15443,
          ...(random() < 0.5 ? { labels: { version: `v${pick(3)}`, app: 'x' } } : {}),
        };
  const service = (name: string, domain: string): DesiredGnsService => ({
    name,
    hostname: `${name}.${domain}`,
    ports: Array.from({ length: 1 + pick(3) }, (_, i) => ({
      name: `p${i}`,
      number: 80 + i,
      protocol: 'HTTP',
    })),
    endpoints: Array.from({ length: pick(4) }, (_, i) => endpoint(i)),
    ...(random() < 0.3 ? { addresses: ['240.240.0.1'] } : {}),
  });
  return {
    clusterId: 'c1',
    clusterName: 'one',
    ...(random() < 0.5 ? { network: 'net-1' } : {}),
    ...(random() < 0.5 ? { meshCa: { gnsId: 'gns-0-0', trustBundlePem: 'ROOTS' } } : {}),
    ...(random() < 0.5 ? { locality: { region: 'eu', zone: 'eu-1a' } } : {}),
    globalNamespaces: Array.from({ length: pick(4) }, (_, g) => {
      const domain = `g${g}.lattice.local`;
      return {
        // Deliberately unsorted ids and names: assembly must keep the given order.
        id: `gns-${(g * 7) % 5}-${g}`,
        name: `g${g}`,
        domain,
        mtlsMode: 'STRICT' as const,
        localNamespaces: ['b', 'a'],
        services: Array.from({ length: pick(5) }, (_, s) => service(`svc-${(s * 3) % 4}-${s}`, domain)),
        ...(random() < 0.5
          ? { ca: { certChainPem: `CHAIN-${g}`, trustBundlePem: 'ROOTS', rootGeneration: 1 + pick(2) } }
          : {}),
        ...(random() < 0.3
          ? { eastWestGateway: { managed: true, selector: { istio: 'eastwestgateway' } } }
          : {}),
      };
    }),
  };
}

function contents(resources: readonly DesiredStateResource[]): Map<string, unknown> {
  return new Map(resources.map((resource) => [resource.name, JSON.parse(resource.json) as unknown]));
}

function twoServiceState(): DesiredClusterState {
  const { meshCa: _meshCa, ...state } = randomState(1);
  state.globalNamespaces = [
    {
      id: 'g1',
      name: 'shop',
      domain: 'shop.lattice.local',
      mtlsMode: 'STRICT',
      localNamespaces: ['shop'],
      services: [
        { name: 'web', hostname: 'web.shop.lattice.local', ports: [], endpoints: [] },
        { name: 'api', hostname: 'api.shop.lattice.local', ports: [], endpoints: [] },
      ],
    },
  ];
  return state;
}

const GNS_ID = '6f1c2a3e-9b7d-4e1f-8a2b-3c4d5e6f7a8b';

function clusterIdOf(i: number): string {
  return `0b9e${String(i).padStart(4, '0')}-1c2d-4e3f-8a9b-0c1d2e3f4a5b`;
}

/**
 * The state of cluster 0 of a GNS of `clusters` clusters that all run `reviews`, endpoints built as
 * the controller builds them (libs/domain gns/desired-states): its own LOCAL, every other a REMOTE.
 */
function bigService(clusters: number): DesiredClusterState {
  const placement = (i: number) => ({
    network: `net-${i}`,
    locality: `eu-west-${i % 3}/eu-west-${i % 3}a/cluster-${i}`,
    weight: 3,
  });
  const endpoints: ServiceEndpoint[] = Array.from({ length: clusters }, (_, i) =>
    i === 0
      ? {
          kind: 'LOCAL',
          clusterId: clusterIdOf(0),
          clusterName: 'cluster-0',
          namespace: 'bookinfo',
          address: 'reviews.bookinfo.svc.cluster.local',
          ...placement(0),
        }
      : {
          kind: 'REMOTE',
          clusterId: clusterIdOf(i),
          clusterName: `cluster-${i}`,
          namespace: 'bookinfo',
          address: `a${i}-1234567890.eu-west-1.elb.amazonaws.com`,
          port: 15443,
          ...placement(i),
        },
  );
  return {
    clusterId: clusterIdOf(0),
    clusterName: 'cluster-0',
    globalNamespaces: [
      {
        id: GNS_ID,
        name: 'bookinfo',
        domain: 'bookinfo.lattice.local',
        mtlsMode: 'STRICT',
        localNamespaces: ['bookinfo'],
        services: [
          {
            name: 'reviews',
            hostname: 'reviews.bookinfo.lattice.local',
            ports: [{ name: 'http', number: 9080, protocol: 'HTTP' }],
            endpoints,
            addresses: ['240.240.0.7'],
          },
        ],
      },
    ],
  };
}

describe('splitDesiredState / assembleDesiredState', () => {
  it('round-trips any state exactly, GNS and services in their order (200 random states)', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const state = randomState(seed);
      const resources = splitDesiredState(state);
      // Through JSON, as the resources travel: the assembled state is deep-equal to the original.
      expect({ seed, state: assembleDesiredState(contents(resources)) }).toEqual({
        seed,
        state: JSON.parse(JSON.stringify(state)) as unknown,
      });
      expect(stateChecksum(assembleDesiredState(contents(resources)))).toBe(stateHash(state));
    }
  });

  it('names the cluster, each GNS and each service, with the sha256 of the canonical JSON as hash', () => {
    const resources = splitDesiredState(twoServiceState());
    expect(resources.map((resource) => resource.name)).toEqual([
      CLUSTER_RESOURCE,
      'gns/g1',
      'gns/g1/service/web',
      'gns/g1/service/api',
    ]);
    const web = resources[2]!;
    expect(web.json).toBe(
      '{"endpointGroups":[],"hostname":"web.shop.lattice.local","name":"web","ports":[]}',
    );
    expect(web.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps CA material in resources of its own, so an mTLS change does not resend certificates', () => {
    const withCa = (mtlsMode: 'STRICT' | 'PERMISSIVE'): DesiredClusterState => {
      const state = twoServiceState();
      state.meshCa = { gnsId: 'g1', trustBundlePem: 'ROOT' };
      state.globalNamespaces[0]!.ca = { certChainPem: 'CHAIN', trustBundlePem: 'ROOT', rootGeneration: 1 };
      state.globalNamespaces[0]!.mtlsMode = mtlsMode;
      return state;
    };
    const before = splitDesiredState(withCa('STRICT'));
    expect(before.map((resource) => resource.name)).toEqual([
      CLUSTER_RESOURCE,
      MESH_CA_RESOURCE,
      'gns/g1',
      'gns/g1/ca',
      'gns/g1/service/web',
      'gns/g1/service/api',
    ]);
    expect(assembleDesiredState(contents(before))).toEqual(withCa('STRICT'));
    const diff = diffResources(resourceHashes(before), splitDesiredState(withCa('PERMISSIVE')));
    expect(diff.upserts.map((resource) => resource.name)).toEqual(['gns/g1']);
    expect(diff.upserts[0]!.json).not.toContain('CHAIN');
  });

  it('gives names seen twice a suffix, so nothing is lost', () => {
    const state = twoServiceState();
    state.globalNamespaces[0]!.services[1]!.name = 'web';
    const resources = splitDesiredState(state);
    expect(resources.map((resource) => resource.name)).toContain('gns/g1/service/web#2');
    expect(assembleDesiredState(contents(resources))).toEqual(state);
  });

  it('a one-service change touches only that service resource', () => {
    const before = splitDesiredState(twoServiceState());
    const changed = twoServiceState();
    changed.globalNamespaces[0]!.services[1]!.ports = [{ name: 'http', number: 8080, protocol: 'HTTP' }];
    const diff = diffResources(resourceHashes(before), splitDesiredState(changed));
    expect(diff.upserts.map((resource) => resource.name)).toEqual(['gns/g1/service/api']);
    expect(diff.removed).toEqual([]);
  });

  it("gives each cluster's endpoints of a service a resource of its own, in the endpoints' order", () => {
    const state = twoServiceState();
    const local: ServiceEndpoint = {
      kind: 'LOCAL',
      clusterId: 'c1',
      clusterName: 'one',
      namespace: 'shop',
      address: 'web.shop.svc.cluster.local',
    };
    const remote = (clusterId: string, namespace = 'shop'): ServiceEndpoint => ({
      kind: 'REMOTE',
      clusterId,
      clusterName: clusterId,
      namespace,
      address: `${clusterId}.example`,
      port: 15443,
    });
    // c3 twice in a row is one group; c1 again after c3 is a second group of c1.
    const endpoints = [
      local,
      remote('c3'),
      remote('c3', 'other'),
      remote('c2'),
      { ...local, namespace: 'b' },
    ];
    state.globalNamespaces[0]!.services[0]!.endpoints = endpoints;
    const resources = splitDesiredState(state);
    expect(resources.map((resource) => resource.name)).toEqual([
      CLUSTER_RESOURCE,
      'gns/g1',
      'gns/g1/service/web',
      'gns/g1/service/web/endpoints/c1',
      'gns/g1/service/web/endpoints/c3',
      'gns/g1/service/web/endpoints/c2',
      'gns/g1/service/web/endpoints/c1#2',
      'gns/g1/service/api',
    ]);
    expect(resources[2]!.content).toMatchObject({ endpointGroups: ['c1', 'c3', 'c2', 'c1#2'] });
    expect(resources[4]!.content).toEqual({ endpoints: [endpoints[1], endpoints[2]] });
    expect(assembleDesiredState(contents(resources))).toEqual(state);
  });

  it('never gives two resources one name, whatever ids and names spell', () => {
    const state = twoServiceState();
    const [web, api] = state.globalNamespaces[0]!.services as [DesiredGnsService, DesiredGnsService];
    web.endpoints = [{ kind: 'LOCAL', clusterId: 'c1', clusterName: 'one', namespace: 'n', address: 'a' }];
    // Spells web's endpoint group and, below, the suffix a repeated name would get.
    api.name = 'web/endpoints/c1';
    state.globalNamespaces[0]!.services.push({ ...api, name: 'web/endpoints/c1#2' }, { ...api });
    const resources = splitDesiredState(state);
    const names = resources.map((resource) => resource.name);
    expect(new Set(names).size).toBe(names.length);
    expect(assembleDesiredState(contents(resources))).toEqual(state);
  });

  it("a change of one cluster's endpoints touches only that cluster's endpoint group", () => {
    const before = bigService(100);
    const after = bigService(100);
    const reviews = after.globalNamespaces[0]!.services[0]!;
    reviews.endpoints[42] = { ...reviews.endpoints[42]!, weight: 7, labels: { version: 'v3' } };
    const diff = diffResources(resourceHashes(splitDesiredState(before)), splitDesiredState(after));
    expect(diff.upserts.map((resource) => resource.name)).toEqual([
      `gns/${GNS_ID}/service/reviews/endpoints/${clusterIdOf(42)}`,
    ]);
    expect(diff.removed).toEqual([]);
  });

  it('sends < 5 KB for a one-cluster endpoint change or a cluster joining, in a 100-cluster service', () => {
    // What a DeltaSnapshot carries per resource (name, hash, payload) and per removal (name).
    const deltaBytes = (before: DesiredClusterState, after: DesiredClusterState): number => {
      const diff = diffResources(resourceHashes(splitDesiredState(before)), splitDesiredState(after));
      return (
        diff.upserts.reduce(
          (sum, r) => sum + Buffer.byteLength(r.name) + r.hash.length + Buffer.byteLength(r.json),
          0,
        ) + diff.removed.reduce((sum, name) => sum + Buffer.byteLength(name), 0)
      );
    };
    const before = bigService(100);
    // The whole service, as one resource, was ~22 KB: the size this split avoids resending.
    expect(Buffer.byteLength(JSON.stringify(before.globalNamespaces[0]!.services[0]))).toBeGreaterThan(
      20_000,
    );

    const weightChanged = bigService(100);
    const endpoint = weightChanged.globalNamespaces[0]!.services[0]!.endpoints[42]!;
    endpoint.weight = (endpoint.weight ?? 1) + 1;
    expect(deltaBytes(before, weightChanged)).toBeLessThan(1_000);

    // A joining cluster also changes the service's list of groups (a key per cluster).
    expect(deltaBytes(before, bigService(101))).toBeLessThan(5_000);
    expect(deltaBytes(bigService(101), before)).toBeLessThan(5_000);
  });

  it('refuses incomplete or inconsistent sets, naming the resource', () => {
    const resources = contents(splitDesiredState(twoServiceState()));
    const withEndpoints = contents(splitDesiredState(bigService(2)));
    const reviews = `gns/${GNS_ID}/service/reviews`;
    const group = `${reviews}/endpoints/${clusterIdOf(1)}`;
    expect(() =>
      assembleDesiredState(new Map([...withEndpoints].filter(([name]) => name !== group))),
    ).toThrow(`resource ${group} (referred to by ${reviews}) is missing`);
    expect(() => assembleDesiredState(new Map([...withEndpoints, [group, { endpoints: 'x' }]]))).toThrow(
      `resource ${group} has no endpoints list`,
    );
    expect(() =>
      assembleDesiredState(new Map([...withEndpoints, [reviews, { endpointGroups: [3] }]])),
    ).toThrow(`${reviews} refers to an endpoint group by a non-string key`);
    // A service resource of the earlier layout (endpoints inline) is refused, not half understood.
    const inline = { name: 'web', hostname: 'web.shop.lattice.local', ports: [], endpoints: [] };
    expect(() => assembleDesiredState(new Map([...resources, ['gns/g1/service/web', inline]]))).toThrow(
      'resource gns/g1/service/web carries endpoints itself (this agent expects them in endpoint group resources)',
    );
    const { endpoints: _endpoints, ...neither } = inline;
    expect(() => assembleDesiredState(new Map([...resources, ['gns/g1/service/web', neither]]))).toThrow(
      'resource gns/g1/service/web has no endpointGroups list',
    );
    const without = (name: string) => new Map([...resources].filter(([key]) => key !== name));
    expect(() => assembleDesiredState(without('gns/g1/service/api'))).toThrow(
      new DesiredStateAssemblyError('resource gns/g1/service/api (referred to by gns/g1) is missing'),
    );
    expect(() => assembleDesiredState(without(CLUSTER_RESOURCE))).toThrow(/resource cluster .* is missing/);
    expect(() => assembleDesiredState(new Map([...resources, ['gns/zz', {}]]))).toThrow(
      'resource gns/zz not referred to by any other',
    );
    expect(() => assembleDesiredState(new Map([...resources, ['gns/g1', 'text']]))).toThrow(
      'resource gns/g1 is not a JSON object',
    );
    expect(() =>
      assembleDesiredState(new Map([...resources, [CLUSTER_RESOURCE, { clusterId: 'c1' }]])),
    ).toThrow('resource cluster has no globalNamespaceResources list');
    expect(() =>
      assembleDesiredState(
        new Map([...resources, [CLUSTER_RESOURCE, { globalNamespaceResources: ['gns/g1', 'gns/g1'] }]]),
      ),
    ).toThrow('resource gns/g1 is referred to twice (by cluster)');
  });
});

describe('diffResources', () => {
  const next = splitDesiredState(twoServiceState());

  it('sends everything and removes nothing when what is held is unknown', () => {
    expect(diffResources(null, next)).toEqual({ upserts: next, removed: [] });
  });

  it('sends nothing when the holder is up to date', () => {
    expect(diffResources(resourceHashes(next), next)).toEqual({ upserts: [], removed: [] });
  });

  it('removes what the holder has and the next set lacks, and changes the GNS naming its services', () => {
    const held = resourceHashes(next);
    const fewer = twoServiceState();
    fewer.globalNamespaces[0]!.services.pop();
    const diff = diffResources(held, splitDesiredState(fewer));
    expect(diff.upserts.map((resource) => resource.name)).toEqual(['gns/g1']);
    expect(diff.removed).toEqual(['gns/g1/service/api']);
  });
});

describe('mergeResources', () => {
  const held = new Map([
    ['a', 1],
    ['b', 2],
  ]);

  it('applies upserts and removals to a copy', () => {
    expect([...mergeResources(held, [['c', 3]], ['a'])]).toEqual([
      ['b', 2],
      ['c', 3],
    ]);
    expect([...held.keys()]).toEqual(['a', 'b']);
  });

  it('refuses removing what is not held, or sending and removing one name', () => {
    expect(() => mergeResources(held, [], ['z'])).toThrow('resource z is removed but was not held');
    expect(() => mergeResources(held, [['a', 5]], ['a'])).toThrow('resource a is both sent and removed');
    expect(() =>
      mergeResources(
        held,
        [
          ['c', 1],
          ['c', 2],
        ],
        [],
      ),
    ).toThrow('resource c is sent twice');
  });
});

describe('stateChecksum', () => {
  it('is the sha256 of the canonical JSON, so it equals the stored snapshot hash', () => {
    const state = twoServiceState();
    expect(stateChecksum(state)).toBe(stateHash(state));
    expect(stateChecksum(JSON.parse(canonicalJson(state)) as DesiredClusterState)).toBe(stateHash(state));
  });
});
