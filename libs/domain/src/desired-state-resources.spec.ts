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
    expect(web.json).toBe('{"endpoints":[],"hostname":"web.shop.lattice.local","name":"web","ports":[]}');
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

  it('refuses incomplete or inconsistent sets, naming the resource', () => {
    const resources = contents(splitDesiredState(twoServiceState()));
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
