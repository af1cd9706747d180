import type { DesiredClusterState, ServiceEndpoint } from '../desired-state';
import { compareText } from './compare-text';
import {
  CanonicalJsonMemo,
  canonicalJson,
  canonicalJsonHash,
  changedClusterPayloads,
  changedClusters,
  stableStringify,
  stateHash,
} from './snapshot-hash';

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
    const changes = [...changedClusterPayloads(previous, next)];
    expect(changes).toEqual([
      {
        clusterId: 'c2',
        hash: stateHash(changed),
        payload: Buffer.from(canonicalJson(changed), 'utf8'),
        canonicalState: JSON.parse(canonicalJson(changed)),
      },
    ]);
    expect(stableStringify(changes[0]!.canonicalState)).toBe(canonicalJson(changed));
  });

  it('gives the same payloads with a memo shared by states that share objects', () => {
    const shared = {
      kind: 'REMOTE',
      clusterId: 'c9',
      clusterName: 'nine',
      namespace: 'ns',
      address: '10.0.0.9',
      port: 15443,
      labels: { 'topology.example.com/a-label-long-enough': 'to be worth remembering in the memo' },
    };
    const withShared = (clusterId: string): DesiredClusterState => {
      const base = state();
      const gns = base.globalNamespaces[0]!;
      const service = gns.services[0]!;
      return {
        ...base,
        clusterId,
        globalNamespaces: [
          {
            ...gns,
            services: [{ ...service, endpoints: [...service.endpoints, shared as ServiceEndpoint] }],
          },
        ],
      };
    };
    const next = new Map([
      ['c1', withShared('c1')],
      ['c2', withShared('c2')],
    ]);
    const memo = new CanonicalJsonMemo();
    const memoised = [...changedClusterPayloads(new Map(), next, memo)];
    expect(memoised.map((change) => change.payload.toString('utf8'))).toEqual(
      [...changedClusterPayloads(new Map(), next)].map((change) => change.payload.toString('utf8')),
    );
    expect(memo.textOf(shared)).toBe(stableStringify(shared));
  });
});

describe('stableStringify', () => {
  /** The plain definition it must agree with: JSON with keys sorted, undefined fields dropped. */
  function reference(value: unknown): string {
    if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
    if (value instanceof Date) return JSON.stringify(value);
    if (Array.isArray(value))
      return `[${value.map((item) => (item === undefined ? 'null' : reference(item))).join(',')}]`;
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort(compareText)
      .filter((key) => record[key] !== undefined)
      .map((key) => `${JSON.stringify(key)}:${reference(record[key])}`)
      .join(',')}}`;
  }

  it.each([
    ['scalars', [1, -0, 1.5e300, 'a"b\\c\n', true, null, Number.NaN]],
    [
      'keys in code-unit order, numeric and non-ASCII keys',
      { b: 1, a: 2, 10: 'x', 2: 'y', é: 1, Z: 0, '': 3 },
    ],
    [
      'undefined fields dropped, undefined items null',
      { a: undefined, b: [undefined, 1], c: { d: undefined } },
    ],
    ['nested lists and objects', { list: [[1, { z: 1, y: [2, { x: null }] }], []], empty: {} }],
    ['dates', { at: new Date(0) }],
    ['a state', state()],
  ])('agrees with the plain definition: %s', (_name, value) => {
    expect(stableStringify(value)).toBe(reference(value));
    expect(stableStringify(value, new CanonicalJsonMemo())).toBe(reference(value));
    expect(JSON.parse(stableStringify(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });

  it('serializes an object seen before from the memo (long texts only), and hashes content per key once', () => {
    const memo = new CanonicalJsonMemo();
    const shared = { b: 1, a: [1, 2], text: 'x'.repeat(200) };
    const text = stableStringify(shared);
    expect(stableStringify({ x: shared, y: shared }, memo)).toBe(`{"x":${text},"y":${text}}`);
    expect(memo.textOf(shared)).toBe(text);
    memo.remember(shared, '"remembered"'.padEnd(200));
    expect(stableStringify([shared], memo)).toBe(`[${'"remembered"'.padEnd(200)}]`);
    const small = { a: 1 };
    stableStringify(small, memo);
    expect(memo.textOf(small)).toBeUndefined();
    const key = {};
    const content = jest.fn(() => ({ endpoints: [{ b: 2, a: 1 }] }));
    const first = memo.hashedOf(key, content);
    expect(first).toEqual({ json: '{"endpoints":[{"a":1,"b":2}]}', hash: canonicalJsonHash(first.json) });
    expect(memo.hashedOf(key, content)).toBe(first);
    expect(content).toHaveBeenCalledTimes(1);
  });
});
