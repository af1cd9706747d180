import type { DesiredClusterState } from '../desired-state';
import { canonicalJson, changedClusterPayloads, changedClusters, stateHash } from './snapshot-hash';

function state(): DesiredClusterState {
  return {
    clusterId: 'c1',
    clusterName: 'one',
    globalNamespaces: [
      {
        id: 'g2',
        name: 'b',
        domain: 'b.example.com',
        mtlsMode: 'STRICT',
        localNamespaces: ['y', 'x'],
        services: [
          {
            name: 'web',
            hostname: 'web.b.example.com',
            ports: [
              { name: 'grpc', number: 9090, protocol: 'GRPC' },
              { name: 'http', number: 80, protocol: 'HTTP' },
            ],
            endpoints: [
              {
                kind: 'REMOTE',
                clusterId: 'c2',
                clusterName: 'two',
                namespace: 'x',
                address: '10.0.0.2',
                port: 15443,
              },
              {
                kind: 'LOCAL',
                clusterId: 'c1',
                clusterName: 'one',
                namespace: 'x',
                address: 'web.x.svc.cluster.local',
              },
            ],
          },
          {
            name: 'api',
            hostname: 'api.b.example.com',
            ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
            endpoints: [],
          },
        ],
      },
      {
        id: 'g1',
        name: 'a',
        domain: 'a.example.com',
        mtlsMode: 'PERMISSIVE',
        localNamespaces: [],
        services: [],
      },
    ],
  };
}

/** The same state with every list reversed and every object's keys in reverse order. */
function shuffled(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(shuffled).reverse();
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([key, inner]) => [key, shuffled(inner)]),
    );
  }
  return value;
}

describe('canonicalJson', () => {
  it('is the same for equal states whatever the key and list order', () => {
    expect(canonicalJson(shuffled(state()) as DesiredClusterState)).toBe(canonicalJson(state()));
  });

  it('sorts keys and unordered lists', () => {
    const json = canonicalJson(state());
    expect(
      json.startsWith(
        '{"clusterId":"c1","clusterName":"one","globalNamespaces":[{"domain":"a.example.com","id":"g1"',
      ),
    ).toBe(true);
    const parsed = JSON.parse(json) as DesiredClusterState;
    expect(parsed.globalNamespaces[1].localNamespaces).toEqual(['x', 'y']);
    expect(parsed.globalNamespaces[1].services.map((svc) => svc.name)).toEqual(['api', 'web']);
    expect(parsed.globalNamespaces[1].services[1].ports.map((port) => port.number)).toEqual([80, 9090]);
    expect(parsed.globalNamespaces[1].services[1].endpoints.map((endpoint) => endpoint.kind)).toEqual([
      'LOCAL',
      'REMOTE',
    ]);
  });

  it('keeps fields it does not know and drops undefined ones', () => {
    const extended = {
      ...state(),
      futureField: { z: 1, a: [3, 1] },
      absent: undefined,
    } as DesiredClusterState;
    expect(canonicalJson(extended)).toContain('"futureField":{"a":[3,1],"z":1}');
    expect(canonicalJson(extended)).not.toContain('absent');
  });

  it('round-trips: parsing the canonical JSON gives the same canonical JSON', () => {
    const json = canonicalJson(state());
    expect(canonicalJson(JSON.parse(json) as DesiredClusterState)).toBe(json);
  });
});

describe('stateHash', () => {
  it('is a sha256 hex digest, equal for equal states', () => {
    expect(stateHash(state())).toMatch(/^[0-9a-f]{64}$/);
    expect(stateHash(shuffled(state()) as DesiredClusterState)).toBe(stateHash(state()));
  });

  it('changes when anything meaningful changes', () => {
    const base = stateHash(state());
    const modeChanged = state();
    modeChanged.globalNamespaces[0].mtlsMode = 'PERMISSIVE';
    const endpointMoved = state();
    endpointMoved.globalNamespaces[0].services[0].endpoints[1].namespace = 'z';
    const caAdded = state();
    caAdded.globalNamespaces[1].ca = { certChainPem: 'c', trustBundlePem: 't', rootGeneration: 1 };
    const hashes = [modeChanged, endpointMoved, caAdded].map(stateHash);
    expect(new Set([base, ...hashes]).size).toBe(4);
  });
});

describe('changedClusters', () => {
  it('lists only clusters whose state changed or that never had one, and clusters that are gone', () => {
    const unchanged = state();
    const changed = { ...state(), clusterId: 'c2', globalNamespaces: [] };
    const fresh = { ...state(), clusterId: 'c3' };
    const previous = new Map([
      ['c1', stateHash(unchanged)],
      ['c2', stateHash(state())],
      ['c9', 'old'],
    ]);
    const next = new Map([
      ['c3', fresh],
      ['c2', changed],
      ['c1', shuffled(unchanged) as DesiredClusterState],
    ]);
    expect(changedClusters(previous, next)).toEqual({
      changed: [
        { clusterId: 'c2', hash: stateHash(changed), state: changed },
        { clusterId: 'c3', hash: stateHash(fresh), state: fresh },
      ],
      removedClusterIds: ['c9'],
    });
  });
});

describe('changedClusterPayloads', () => {
  it('yields the changed clusters with the canonical JSON their hash was computed from', () => {
    const unchanged = state();
    const changed = { ...state(), clusterId: 'c2', globalNamespaces: [] };
    const previous = new Map([
      ['c1', stateHash(unchanged)],
      ['c2', stateHash(state())],
    ]);
    const next = new Map<string, DesiredClusterState>([
      ['c2', changed],
      ['c1', shuffled(unchanged) as DesiredClusterState],
    ]);
    expect([...changedClusterPayloads(previous, next)]).toEqual([
      { clusterId: 'c2', hash: stateHash(changed), canonicalJson: canonicalJson(changed) },
    ]);
  });
});
