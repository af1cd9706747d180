import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IntermediateKeys } from '@lattice/istio';
import type { Snapshot__Output } from '@lattice/proto';
import { AgentStateStore } from '../state/agent-state.store';
import {
  desiredState,
  fakeRenderer,
  RecordingLogger,
  RecordingSink,
  snapshotOf,
} from '../testing/agent.test-fixtures';
import { MAX_NACK_REASON_LENGTH, sha256Hex, SnapshotApplier } from './snapshot-applier.service';

describe('SnapshotApplier', () => {
  let directory: string;
  let store: AgentStateStore;
  let sink: RecordingSink;
  let seenKeys: IntermediateKeys[];
  let logger: RecordingLogger;

  function newApplier(clusterId: string | undefined = 'c-1'): SnapshotApplier {
    return new SnapshotApplier({
      store,
      sink,
      render: fakeRenderer(seenKeys),
      logger,
      clusterId: () => clusterId,
    });
  }

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'snapshot-applier-'));
    store = new AgentStateStore(directory);
    sink = new RecordingSink();
    seenKeys = [];
    logger = new RecordingLogger();
  });

  afterEach(async () => {
    await fs.rm(directory, { recursive: true, force: true });
  });

  it('applies a valid snapshot, persists it and reports its version', async () => {
    const applier = newApplier();
    await expect(applier.apply(snapshotOf(1, desiredState('c-1', { shop: 'shop.local' })))).resolves.toEqual({
      result: 'applied',
      version: 1,
    });
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);
    expect(applier.appliedVersion).toBe(1);
    expect((await store.readSnapshot())?.version).toBe(1);
  });

  it('rejects a snapshot whose checksum does not match and keeps the previous state', async () => {
    const applier = newApplier();
    await applier.apply(snapshotOf(1, desiredState('c-1', { shop: 'shop.local' })));
    const tampered = {
      ...snapshotOf(2, desiredState('c-1', { other: 'other.local' })),
      checksum: 'f'.repeat(64),
    };
    const outcome = await applier.apply(tampered);
    expect(outcome).toEqual({
      result: 'rejected',
      version: 2,
      reason: expect.stringMatching(/^checksum mismatch/),
    });
    expect(sink.applied).toHaveLength(1);
    expect(applier.appliedVersion).toBe(1);
    expect((await store.readSnapshot())?.version).toBe(1);
  });

  it('rejects an unknown format, naming the one it understands', async () => {
    const outcome = await newApplier().apply({
      ...snapshotOf(1, desiredState('c-1', {})),
      format: 'lattice.desired-state.v9',
    });
    expect(outcome).toMatchObject({
      result: 'rejected',
      reason: expect.stringContaining('unknown snapshot format "lattice.desired-state.v9"'),
    });
    expect(sink.applied).toHaveLength(0);
  });

  it('rejects payloads that are not JSON or do not match the schema, naming the field', async () => {
    const applier = newApplier();
    const notJson = Buffer.from('{nope', 'utf8');
    const bad = snapshotOf(1, desiredState('c-1', {}));
    const outcome1 = await applier.apply({ ...bad, payload: notJson, checksum: sha256Hex(notJson) });
    expect(outcome1).toMatchObject({
      result: 'rejected',
      reason: expect.stringMatching(/^payload is not JSON/),
    });

    const wrongShape = { ...desiredState('c-1', { shop: 'shop.local' }) };
    (wrongShape.globalNamespaces[0] as unknown as Record<string, unknown>).mtlsMode = 'MAYBE';
    const outcome2 = await applier.apply(snapshotOf(2, wrongShape));
    expect(outcome2).toMatchObject({ reason: expect.stringContaining('globalNamespaces.0.mtlsMode') });
    expect(sink.applied).toHaveLength(0);
  });

  it('rejects a snapshot meant for another cluster', async () => {
    const outcome = await newApplier('c-1').apply(snapshotOf(1, desiredState('c-2', {})));
    expect(outcome).toMatchObject({
      result: 'rejected',
      reason: 'snapshot is for cluster c-2, this agent is cluster c-1',
    });
  });

  it('rejects when the renderer throws', async () => {
    const applier = new SnapshotApplier({
      store,
      sink,
      logger,
      clusterId: () => 'c-1',
      render: () => {
        throw new Error('unsupported policy');
      },
    });
    await expect(applier.apply(snapshotOf(1, desiredState('c-1', {})))).resolves.toMatchObject({
      result: 'rejected',
      reason: 'render failed: unsupported policy',
    });
  });

  it('on apply failure rejects, restores the previous objects and keeps the previous version', async () => {
    const applier = newApplier();
    await applier.apply(snapshotOf(1, desiredState('c-1', { shop: 'shop.local' })));
    sink.failuresToInject = ['admission webhook denied'];
    const outcome = await applier.apply(snapshotOf(2, desiredState('c-1', { other: 'other.local' })));
    expect(outcome).toEqual({
      result: 'rejected',
      version: 2,
      reason: 'apply failed: admission webhook denied',
      retryable: true,
    });
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);
    expect(applier.appliedVersion).toBe(1);
    expect((await store.readSnapshot())?.version).toBe(1);
  });

  it('acknowledges a redelivered snapshot without applying it again', async () => {
    const applier = newApplier();
    const snapshot = snapshotOf(4, desiredState('c-1', { shop: 'shop.local' }));
    await applier.apply(snapshot);
    await expect(applier.apply(snapshot)).resolves.toEqual({ result: 'unchanged', version: 4 });
    await expect(applier.apply({ ...snapshot, version: 3 })).resolves.toEqual({
      result: 'unchanged',
      version: 3,
    });
    expect(sink.applied).toHaveLength(1);
    expect(applier.appliedVersion).toBe(4);
  });

  it('applies an older version whose content differs (controller restored from backup)', async () => {
    const applier = newApplier();
    await applier.apply(snapshotOf(5, desiredState('c-1', { shop: 'shop.local' })));
    await expect(
      applier.apply(snapshotOf(2, desiredState('c-1', { other: 'other.local' }))),
    ).resolves.toEqual({
      result: 'applied',
      version: 2,
    });
    expect(logger.messages('warn')).toContain(
      'snapshot version is not newer but its content differs; applying it',
    );
  });

  it('re-applies the persisted snapshot on start, without the controller', async () => {
    await newApplier().apply(snapshotOf(7, desiredState('c-1', { shop: 'shop.local' })));
    const restartedSink = new RecordingSink();
    const restarted = new SnapshotApplier({
      store,
      sink: restartedSink,
      render: fakeRenderer(),
      logger,
      clusterId: () => 'c-1',
    });
    await expect(restarted.restore()).resolves.toBe(7);
    expect(restarted.appliedVersion).toBe(7);
    expect(restartedSink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);
  });

  it('ignores a tampered persisted snapshot on start and reports version 0', async () => {
    await newApplier().apply(snapshotOf(7, desiredState('c-1', { shop: 'shop.local' })));
    const persisted = await store.readSnapshot();
    await store.writeSnapshot({
      ...persisted!,
      payload: persisted!.payload.replace('shop.local', 'evil.local'),
    });
    const restarted = newApplier();
    await expect(restarted.restore()).resolves.toBe(0);
    expect(restarted.appliedVersion).toBe(0);
    expect(logger.messages('error')).toContain('persisted snapshot is invalid; waiting for the controller');
  });

  it('re-applies an identical snapshot when re-applying at start failed', async () => {
    const snapshot = snapshotOf(7, desiredState('c-1', { shop: 'shop.local' }));
    await newApplier().apply(snapshot);
    sink.failuresToInject = ['api server unavailable'];
    const restarted = newApplier();
    await expect(restarted.restore()).resolves.toBe(7);
    await expect(restarted.apply(snapshot)).resolves.toEqual({ result: 'applied', version: 7 });
  });

  it('applies one snapshot at a time, in arrival order', async () => {
    const applier = newApplier();
    const outcomes = await Promise.all([
      applier.apply(snapshotOf(1, desiredState('c-1', { a: 'a.local' }))),
      applier.apply(snapshotOf(2, desiredState('c-1', { b: 'b.local' }))),
    ]);
    expect(outcomes.map((outcome) => outcome.result)).toEqual(['applied', 'applied']);
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-b']);
    expect(applier.appliedVersion).toBe(2);
  });

  describe('answer', () => {
    const asDelivered = (snapshot: ReturnType<typeof snapshotOf>) =>
      ({ ...snapshot, payload: Buffer.from(snapshot.payload) }) as Snapshot__Output;

    it('acks an applied snapshot and one already applied', async () => {
      const applier = newApplier();
      const snapshot = asDelivered(snapshotOf(3, desiredState('c-1', { shop: 'shop.local' })));
      await expect(applier.answer(snapshot)).resolves.toEqual({ ack: { version: 3 } });
      await expect(applier.answer(snapshot)).resolves.toEqual({ ack: { version: 3 } });
      expect(sink.applied).toHaveLength(1);
    });

    it('nacks a rejected snapshot with its reason, cut to the maximum length', async () => {
      const applier = newApplier();
      const corrupt = { ...asDelivered(snapshotOf(4, desiredState('c-1', {}))), checksum: 'abc' };
      const answer = await applier.answer(corrupt);
      expect(answer).toEqual({ nack: { version: 4, reason: expect.stringMatching(/^checksum mismatch/) } });

      sink.failuresToInject = ['x'.repeat(3 * MAX_NACK_REASON_LENGTH)];
      const failing = await applier.answer(asDelivered(snapshotOf(5, desiredState('c-1', { a: 'a.local' }))));
      expect(failing?.nack?.version).toBe(5);
      expect(failing?.nack?.reason).toHaveLength(MAX_NACK_REASON_LENGTH);
      expect(failing?.nack?.reason).toMatch(/^apply failed: x+$/);
    });

    it('nacks an invalid version as version 0 without applying anything', async () => {
      const applier = newApplier();
      const snapshot = asDelivered(snapshotOf(1, desiredState('c-1', {})));
      await expect(applier.answer({ ...snapshot, version: -1 })).resolves.toEqual({
        nack: { version: 0, reason: 'invalid snapshot version -1' },
      });
      await expect(applier.answer({ ...snapshot, version: 2 ** 60 })).resolves.toMatchObject({
        nack: { version: 0 },
      });
      expect(sink.applied).toEqual([]);
    });

    it('answers nothing to an empty message and treats a missing payload as empty', async () => {
      const applier = newApplier();
      await expect(applier.answer(null)).resolves.toBeUndefined();
      const withoutPayload = { ...asDelivered(snapshotOf(1, desiredState('c-1', {}))), payload: null };
      const answer = await applier.answer(withoutPayload as unknown as Snapshot__Output);
      expect(answer?.nack?.reason).toMatch(/^checksum mismatch/);
    });
  });
});
