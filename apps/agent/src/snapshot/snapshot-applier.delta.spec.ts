import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  canonicalJson,
  type DesiredClusterState,
  diffResources,
  resourceHashes,
  splitDesiredState,
  stateChecksum,
} from '@lattice/domain';
import { type DeltaSnapshot__Output, SNAPSHOT_FORMAT } from '@lattice/proto';
import { AgentStateStore } from '../state/agent-state.store';
import { desiredState, fakeRenderer, RecordingLogger, RecordingSink } from '../testing/agent.test-fixtures';
import { SnapshotApplier } from './snapshot-applier.service';

/** The state as the controller stores it (its canonical JSON) and so as the agent assembles it. */
function canonical(state: DesiredClusterState): DesiredClusterState {
  return JSON.parse(canonicalJson(state)) as DesiredClusterState;
}

/** The resource hashes of a state, as an agent holding it reports them. */
function heldOf(state: DesiredClusterState): Map<string, string> {
  return resourceHashes(splitDesiredState(canonical(state)));
}

/** A DeltaSnapshot of `state` for an agent holding `held` (null: everything, base 0), as the controller builds it. */
function deltaOf(
  version: number,
  baseVersion: number,
  state: DesiredClusterState,
  held: Map<string, string> | null,
): DeltaSnapshot__Output {
  const { upserts, removed } = diffResources(held, splitDesiredState(canonical(state)));
  return {
    version,
    baseVersion,
    format: SNAPSHOT_FORMAT,
    resources: upserts.map(({ name, hash, json }) => ({ name, hash, payload: Buffer.from(json, 'utf8') })),
    removed,
    stateChecksum: stateChecksum(state),
  };
}

function withService(
  state: DesiredClusterState,
  gnsIndex: number,
  name: string,
  port: number,
): DesiredClusterState {
  const copy = structuredClone(state);
  copy.globalNamespaces[gnsIndex]!.services.push({
    name,
    hostname: `${name}.${copy.globalNamespaces[gnsIndex]!.domain}`,
    ports: [{ name: 'http', number: port, protocol: 'HTTP' }],
    endpoints: [],
  });
  return copy;
}

describe('SnapshotApplier delta snapshots', () => {
  let directory: string;
  let store: AgentStateStore;
  let sink: RecordingSink;
  let logger: RecordingLogger;
  const base = withService(desiredState('c-1', { shop: 'shop.local', blog: 'blog.local' }), 0, 'web', 80);

  function newApplier(): SnapshotApplier {
    return new SnapshotApplier({ store, sink, render: fakeRenderer(), logger, clusterId: () => 'c-1' });
  }

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'snapshot-applier-delta-'));
    store = new AgentStateStore(directory);
    sink = new RecordingSink();
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('applies a complete set (base 0), then a delta on it, and holds what it applied', async () => {
    const applier = newApplier();
    expect(applier.heldResources()).toEqual([]);
    expect((await applier.deliverDelta(deltaOf(1, 0, base, null)))?.answer).toEqual({ ack: { version: 1 } });
    expect(applier.state).toEqual(canonical(base));
    const held = heldOf(base);
    expect(new Map(applier.heldResources().map(({ name, hash }) => [name, hash]))).toEqual(held);

    const next = structuredClone(base);
    next.globalNamespaces[0]!.services[0]!.ports[0]!.number = 8080;
    const delta = deltaOf(2, 1, next, held);
    expect(delta.resources.map((resource) => resource.name)).toEqual(['gns/gns-shop/service/web']);
    expect((await applier.deliverDelta(delta))?.answer).toEqual({ ack: { version: 2 } });
    expect(applier.state).toEqual(canonical(next));
    expect(applier.appliedVersion).toBe(2);
    // Persisted as the complete state, so a restart restores it and reports the same resources.
    const restarted = newApplier();
    await restarted.restore();
    expect(restarted.state).toEqual(canonical(next));
    expect(restarted.heldResources()).toEqual(applier.heldResources());
  });

  it('removes resources the delta names', async () => {
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(1, 0, base, null));
    const fewer = desiredState('c-1', { shop: 'shop.local' });
    const delta = deltaOf(2, 1, fewer, heldOf(base));
    expect(delta.removed).toEqual(['gns/gns-blog', 'gns/gns-shop/service/web']);
    expect((await applier.deliverDelta(delta))?.answer).toEqual({ ack: { version: 2 } });
    expect(applier.state).toEqual(canonical(fewer));
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);
  });

  it('NACKs a delta whose base is not the applied version, keeping the applied state', async () => {
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(6, 0, base, null));
    const next = withService(base, 1, 'api', 90);
    const answer = (await applier.deliverDelta(deltaOf(8, 7, next, heldOf(base))))?.answer;
    expect(answer).toEqual({ nack: { version: 8, reason: 'delta base 7 does not match applied 6' } });
    expect(applier.appliedVersion).toBe(6);
    expect(applier.state).toEqual(canonical(base));
  });

  it('NACKs a delta whose assembled state does not match its state checksum', async () => {
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(1, 0, base, null));
    const next = withService(base, 1, 'api', 90);
    const delta = {
      ...deltaOf(2, 1, next, heldOf(base)),
      stateChecksum: 'a'.repeat(64),
    };
    expect((await applier.deliverDelta(delta))?.answer.nack?.reason).toMatch(
      /^assembled state checksum mismatch: sha256 is [0-9a-f]{64}, delta says a{64}$/,
    );
    expect(applier.appliedVersion).toBe(1);
  });

  it('NACKs bad input with a reason, never throws: a resource hash, bad JSON, a missing or unknown resource', async () => {
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(1, 0, base, null));
    const held = heldOf(base);
    const next = withService(base, 1, 'api', 90);
    const good = deltaOf(2, 1, next, held);
    const reasonOf = async (delta: DeltaSnapshot__Output) =>
      (await applier.deliverDelta(delta))?.answer.nack?.reason;

    const wrongHash = { ...good, resources: good.resources.map((r) => ({ ...r, hash: 'b'.repeat(64) })) };
    expect(await reasonOf(wrongHash)).toMatch(/^resource gns\/gns-blog: checksum mismatch/);
    const notJson = Buffer.from('{nope');
    expect(
      await reasonOf({
        ...good,
        resources: [
          {
            name: 'gns/x',
            hash: (await import('./snapshot-applier.service')).sha256Hex(notJson),
            payload: notJson,
          },
        ],
      }),
    ).toBe('resource gns/x is not valid UTF-8 JSON');
    expect(
      await reasonOf({ ...good, resources: good.resources.filter((r) => r.name === 'gns/gns-blog') }),
    ).toMatch(
      /^delta 2 cannot be assembled: resource gns\/gns-blog\/service\/api \(referred to by gns\/gns-blog\) is missing$/,
    );
    expect(await reasonOf({ ...good, removed: ['gns/nothing'] })).toBe(
      'delta 2 cannot be assembled: resource gns/nothing is removed but was not held',
    );
    expect(await reasonOf({ ...good, format: 'v9' })).toMatch(/^unknown snapshot format "v9"/);
    expect((await applier.deliverDelta({ ...good, version: -1 }))?.answer).toEqual({
      nack: { version: 0, reason: 'invalid snapshot version -1' },
    });
    expect(applier.appliedVersion).toBe(1);
    // The good one still applies afterwards.
    expect((await applier.deliverDelta(good))?.answer).toEqual({ ack: { version: 2 } });
  });

  it("applies one cluster's endpoint group alone, and NACKs a resource layout it does not know, naming the resource", async () => {
    const withEndpoints = structuredClone(base);
    const web = withEndpoints.globalNamespaces[0]!.services[0]!;
    const remote = (clusterId: string, weight: number) => ({
      kind: 'REMOTE' as const,
      clusterId,
      clusterName: clusterId,
      namespace: 'shop',
      address: `${clusterId}.example`,
      port: 15443,
      weight,
    });
    web.endpoints = [remote('c-2', 1), remote('c-3', 1)];
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(1, 0, withEndpoints, null));

    const next = structuredClone(withEndpoints);
    next.globalNamespaces[0]!.services[0]!.endpoints[1] = remote('c-3', 4);
    const delta = deltaOf(2, 1, next, heldOf(withEndpoints));
    expect(delta.resources.map((resource) => resource.name)).toEqual([
      'gns/gns-shop/service/web/endpoints/c-3',
    ]);
    expect((await applier.deliverDelta(delta))?.answer).toEqual({ ack: { version: 2 } });
    expect(applier.state).toEqual(canonical(next));

    // A service resource of another layout (endpoints inline, as before endpoint groups existed).
    const inline = Buffer.from(JSON.stringify({ ...web, endpoints: [] }));
    const { sha256Hex } = await import('./snapshot-applier.service');
    const answer = await applier.deliverDelta({
      ...deltaOf(3, 2, next, heldOf(next)),
      resources: [{ name: 'gns/gns-shop/service/web', hash: sha256Hex(inline), payload: inline }],
    });
    expect(answer?.answer.nack?.reason).toBe(
      'delta 3 cannot be assembled: resource gns/gns-shop/service/web carries endpoints itself (this agent expects them in endpoint group resources)',
    );
    // A resource whose name nothing refers to (a kind this agent does not know).
    const unknown = Buffer.from('{}');
    const unknownAnswer = await applier.deliverDelta({
      ...deltaOf(3, 2, next, heldOf(next)),
      resources: [{ name: 'gns/gns-shop/route/web', hash: sha256Hex(unknown), payload: unknown }],
    });
    expect(unknownAnswer?.answer.nack?.reason).toBe(
      'delta 3 cannot be assembled: resource gns/gns-shop/route/web not referred to by any other',
    );
    expect(applier.appliedVersion).toBe(2);
  });

  it('ACKs a delta with no changes as the new version without touching the cluster', async () => {
    const applier = newApplier();
    await applier.deliverDelta(deltaOf(1, 0, base, null));
    const writes = sink.applied.length;
    expect((await applier.deliverDelta(deltaOf(2, 1, base, heldOf(base))))?.answer).toEqual({
      ack: { version: 2 },
    });
    expect(sink.applied).toHaveLength(writes);
    expect(applier.appliedVersion).toBe(2);
  });
});
