import { EventEmitter } from 'node:events';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage__Output, ControllerMessage } from '@lattice/proto';
import { canonicalJson, type DesiredClusterState, resourceHashes, splitDesiredState } from '@lattice/domain';
import { AgentSession, MAX_READ_AHEAD_MESSAGES, type AgentSessionDeps } from './agent-session.grpc';

/** The parts of a gRPC server stream a session uses: events in, writes out, pause/resume. */
class FakeCall extends EventEmitter {
  readonly written: ControllerMessage[] = [];
  writable = true;
  paused = false;
  pauses = 0;
  write(message: ControllerMessage): boolean {
    this.written.push(message);
    return true;
  }
  pause(): this {
    this.paused = true;
    this.pauses += 1;
    return this;
  }
  resume(): this {
    this.paused = false;
    return this;
  }
  isPaused(): boolean {
    return this.paused;
  }
}

function telemetry(batchId: string): AgentMessage__Output {
  return { body: 'telemetry', telemetry: { batchId, items: [] } } as unknown as AgentMessage__Output;
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

/**
 * A session for cluster `c` on `call`, with `stream` as its AgentStreamService (connect and
 * disconnect records are no-ops unless given) and quiet metrics and logs. Not started.
 */
function newSession(
  call: FakeCall,
  stream: Record<string, unknown>,
  options: { heartbeatMs?: number; snapshotBytes?: number[] } = {},
): AgentSession {
  const deps = {
    stream: { connected: async () => undefined, disconnected: async () => undefined, ...stream },
    metrics: { grpcMessages: { inc: () => undefined }, grpcMessagesSent: { inc: () => undefined } },
    snapshotBytesSent: { inc: (value: number) => options.snapshotBytes?.push(value) },
    logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
    heartbeatMs: options.heartbeatMs ?? 60_000,
    onClosed: () => undefined,
  } as unknown as AgentSessionDeps;
  return new AgentSession(
    call as unknown as ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
    { tenantId: 't', clusterId: 'c', fingerprint: 'f' },
    'replica',
    deps,
  );
}

describe('AgentSession', () => {
  it('answers the Hello of an up-to-date agent at once (a ping), and pushes a newer snapshot instead when there is one', async () => {
    const sessionWith = (snapshot: { version: number; payload: Buffer; hash: string } | null) => {
      const call = new FakeCall();
      const bytes: number[] = [];
      const session = newSession(
        call,
        {
          snapshotToPush: async () => snapshot,
          intermediateRequestsFor: async () => [],
          snapshotCaSummary: () => ({ key: 'ca', trustsSeveralRoots: false }),
          newRotationAckGate: () => ({ snapshotSent: () => undefined }),
        },
        { snapshotBytes: bytes },
      );
      session.start();
      call.emit('data', {
        body: 'hello',
        hello: { clusterId: 'c', appliedVersion: 3, agentVersion: 'test' },
      });
      return { call, session, bytes };
    };

    const upToDate = sessionWith(null);
    for (let i = 0; i < 5; i++) await flush();
    expect(upToDate.call.written.map((message) => Object.keys(message)[0])).toEqual(['ping']);
    upToDate.session.close(0, 'test over');

    const behind = sessionWith({ version: 4, payload: Buffer.from('{}'), hash: 'h'.repeat(64) });
    for (let i = 0; i < 5; i++) await flush();
    expect(behind.call.written.map((message) => Object.keys(message)[0])).toEqual(['snapshot']);
    // Snapshot bytes are counted (payload and checksum): what a change costs on the wire.
    expect(behind.bytes).toEqual([2 + 64]);
    behind.session.close(0, 'test over');
  });

  it('re-checks for a missed snapshot every 3 heartbeat intervals and for intermediates every 12', async () => {
    jest.useFakeTimers();
    const call = new FakeCall();
    const counts = { snapshots: 0, intermediates: 0 };
    const session = newSession(
      call,
      {
        snapshotToPush: async () => {
          counts.snapshots += 1;
          return null;
        },
        intermediateRequestsFor: async () => {
          counts.intermediates += 1;
          return [];
        },
        newRotationAckGate: () => ({}),
        seen: async () => undefined,
      },
      { heartbeatMs: 1_000 },
    );
    try {
      session.start();
      call.emit('data', {
        body: 'hello',
        hello: { clusterId: 'c', appliedVersion: 2, agentVersion: 'test' },
      });
      await jest.advanceTimersByTimeAsync(10); // the Hello's push; its intermediates check is put off
      const afterHello = { ...counts };
      for (let beat = 1; beat <= 24; beat++) {
        call.emit('data', { body: 'heartbeat', heartbeat: {} }); // the agent is alive
        await jest.advanceTimersByTimeAsync(1_000);
      }
      expect(counts.snapshots - afterHello.snapshots).toBe(8);
      // 2 periodic checks, and the one put off from the Hello (within its first interval).
      expect(counts.intermediates - afterHello.intermediates).toBe(3);
    } finally {
      session.close(0, 'test over');
      jest.useRealTimers();
    }
  });

  it('checks intermediates after an announced push only when the CA part of what was sent changed', async () => {
    const call = new FakeCall();
    let newest = 3;
    let caChanged = false;
    let checks = 0;
    const session = newSession(call, {
      snapshotToPush: async (_t: string, _c: string, newerThan: number) =>
        newest > newerThan ? { version: newest, payload: Buffer.from('{}'), hash: 'h'.repeat(64) } : null,
      intermediateRequestsFor: async () => {
        checks += 1;
        return [];
      },
      snapshotCaSummary: () => ({ key: 'ca', trustsSeveralRoots: false }),
      newRotationAckGate: () => ({ snapshotSent: () => caChanged }),
    });
    session.start();
    try {
      call.emit('data', {
        body: 'hello',
        hello: { clusterId: 'c', appliedVersion: 2, agentVersion: 'test' },
      });
      for (let i = 0; i < 5; i++) await flush();
      expect(checks).toBe(1); // the Hello's push is always followed by a check

      newest = 4; // a service change: same membership and CA material
      await session.pushAnnounced(4);
      expect(checks).toBe(1);

      newest = 5;
      caChanged = true; // a new membership
      await session.pushAnnounced(5);
      expect(checks).toBe(2);
      expect(
        call.written.filter((message) => message.snapshot).map((message) => message.snapshot!.version),
      ).toEqual([3, 4, 5]);
    } finally {
      session.close(0, 'test over');
    }
  });

  it('pauses a stream whose agent sends faster than its messages are processed, and resumes it once they are', async () => {
    const call = new FakeCall();
    const pendingIngests: (() => void)[] = [];
    const session = newSession(call, {
      snapshotToPush: async () => null,
      intermediateRequestsFor: async () => [],
      snapshotCaSummary: () => ({ key: 'ca', trustsSeveralRoots: false }),
      newRotationAckGate: () => ({
        snapshotSent: () => undefined,
        acked: () => false,
        nacked: () => undefined,
      }),
      ingestTelemetry: () =>
        new Promise((resolve) => pendingIngests.push(() => resolve({ duplicate: false, items: 0 }))),
    });
    session.start();
    try {
      call.emit('data', {
        body: 'hello',
        hello: { clusterId: 'c', appliedVersion: 0, agentVersion: 'test' },
      });
      for (let i = 0; i < 3 * MAX_READ_AHEAD_MESSAGES; i++) call.emit('data', telemetry(`b-${i}`));
      await flush();
      expect(call.paused).toBe(true);
      expect(pendingIngests).toHaveLength(1); // strictly in order: one batch at a time

      // Processing catches up: the stream is read again before the backlog is empty.
      while (pendingIngests.length > 0 && call.paused) {
        pendingIngests.shift()?.();
        await flush();
      }
      expect(call.paused).toBe(false);
      while (pendingIngests.length > 0) {
        pendingIngests.shift()?.();
        await flush();
      }
      expect(call.written.filter((message) => message.telemetryAck)).toHaveLength(
        3 * MAX_READ_AHEAD_MESSAGES,
      );
    } finally {
      session.close(0, 'test over');
    }
  });

  describe('conditions', () => {
    const hello = { body: 'hello', hello: { clusterId: 'c', appliedVersion: 0, agentVersion: 'test' } };
    const inventory = {
      body: 'inventory',
      inventory: {
        full: true,
        namespaces: [],
        services: [],
        removedNamespaces: [],
        removedServices: [],
        revision: 1,
      },
    };
    const conditions = (status: string) => ({
      body: 'conditions',
      conditions: {
        conditions: [
          { type: 'InventorySynced', status, reason: 'Forbidden', message: 'no', lastTransitionUnixMs: 5 },
          { type: 'FromTheFuture', status: 'True', reason: 'Later', message: '', lastTransitionUnixMs: 0 },
        ],
      },
    });

    async function run(messages: object[]) {
      const call = new FakeCall();
      const reported: unknown[] = [];
      const inventories: boolean[] = [];
      const errors: { code: number; details: string }[] = [];
      call.on('error', (error: { code: number; details: string }) => errors.push(error));
      const session = newSession(call, {
        snapshotToPush: async () => null,
        intermediateRequestsFor: async () => [],
        snapshotCaSummary: () => ({ key: 'ca', trustsSeveralRoots: false }),
        newRotationAckGate: () => ({}),
        conditionsReported: async (_t: string, _c: string, accepted: unknown[]) => {
          reported.push(...accepted);
        },
        applyInventory: async (_t: string, _c: string, _u: unknown, _n: Date, reportsConditions: boolean) => {
          inventories.push(reportsConditions);
        },
      });
      session.start();
      for (const message of messages) call.emit('data', message);
      for (let i = 0; i < 5; i++) await flush();
      const closedBySession = [...errors];
      session.close(0, 'test over');
      return { reported, inventories, errors: closedBySession };
    }

    it('records the conditions it knows, ignores newer types, and tells the inventory the agent reports them', async () => {
      const { reported, inventories, errors } = await run([hello, conditions('False'), inventory]);
      expect(errors).toEqual([]);
      expect(reported).toEqual([
        {
          type: 'InventorySynced',
          status: 'False',
          reason: 'Forbidden',
          message: 'no',
          lastTransitionUnixMs: 5,
        },
      ]);
      expect(inventories).toEqual([true]);
    });

    it('an agent that sends no conditions (an older one) has its full inventory set InventorySynced', async () => {
      expect((await run([hello, inventory])).inventories).toEqual([false]);
    });

    it('ends the stream with INVALID_ARGUMENT naming the field of a malformed condition', async () => {
      const { reported, errors } = await run([hello, conditions('Maybe')]);
      expect(reported).toEqual([]);
      expect(errors[0]).toMatchObject({ code: 3, details: expect.stringContaining('conditions[0].status') });
    });
  });

  describe('delta snapshots', () => {
    function stateWith(webPort: number, extraService = false): DesiredClusterState {
      return {
        clusterId: 'c',
        clusterName: 'c',
        globalNamespaces: [
          {
            id: 'g1',
            name: 'shop',
            domain: 'shop.lattice.local',
            mtlsMode: 'STRICT',
            localNamespaces: ['shop'],
            services: [
              {
                name: 'api',
                hostname: 'api.shop.lattice.local',
                ports: [{ name: 'http', number: 80, protocol: 'HTTP' }],
                endpoints: [],
              },
              {
                name: 'web',
                hostname: 'web.shop.lattice.local',
                ports: [{ name: 'http', number: webPort, protocol: 'HTTP' }],
                endpoints: [],
              },
              ...(extraService
                ? [{ name: 'zz', hostname: 'zz.shop.lattice.local', ports: [], endpoints: [] }]
                : []),
            ],
          },
        ],
      };
    }
    const snapshotOf = (version: number, state: DesiredClusterState) => {
      const payload = Buffer.from(canonicalJson(state));
      return { version, payload, hash: `${version}`.padStart(64, '0') };
    };
    /** As the stored snapshot is split: its canonical JSON, parsed. */
    const resourcesOf = (payload: Buffer) =>
      splitDesiredState(JSON.parse(payload.toString()) as DesiredClusterState).map(
        ({ name, hash, json }) => ({
          name,
          hash,
          payload: Buffer.from(json),
        }),
      );
    const heldOf = (state: DesiredClusterState) =>
      [...resourceHashes(resourcesOf(snapshotOf(0, state).payload))].map(([name, hash]) => ({
        name,
        hash,
      }));

    /** A session whose newest snapshot is `newest()`, after the given Hello. */
    function sessionWith(hello: object, newest: () => ReturnType<typeof snapshotOf>) {
      const call = new FakeCall();
      const bytes: number[] = [];
      const errors: { code: number; details: string }[] = [];
      const sent: number[] = [];
      call.on('error', (error: { code: number; details: string }) => errors.push(error));
      const session = newSession(
        call,
        {
          snapshotToPush: async (_t: string, _c: string, newerThan: number) =>
            newest().version > newerThan ? newest() : null,
          snapshotResources: (snapshot: { payload: Buffer }) => resourcesOf(snapshot.payload),
          intermediateRequestsFor: async () => [],
          snapshotCaSummary: () => ({ key: 'ca', trustsSeveralRoots: false }),
          newRotationAckGate: () => ({
            snapshotSent: (version: number) => sent.push(version),
            acked: () => false,
            nacked: () => undefined,
          }),
          acked: async () => undefined,
          nacked: async () => undefined,
        },
        { snapshotBytes: bytes },
      );
      session.start();
      call.emit('data', { body: 'hello', hello });
      return { call, session, bytes, errors, rotationSent: sent };
    }
    const settle = async () => {
      for (let i = 0; i < 5; i++) await flush();
    };
    const deltas = (call: FakeCall) => call.written.flatMap((message) => message.deltaSnapshot ?? []);

    it('sends a reconnecting agent only the resources it lacks, based on the version it holds', async () => {
      const held = stateWith(80);
      let newest = snapshotOf(4, stateWith(8080));
      const { call, session, bytes, rotationSent } = sessionWith(
        {
          clusterId: 'c',
          appliedVersion: 3,
          agentVersion: 't',
          supportsDelta: true,
          heldResources: heldOf(held),
        },
        () => newest,
      );
      await settle();
      expect(call.written.map((message) => Object.keys(message)[0])).toEqual(['deltaSnapshot']);
      const [first] = deltas(call);
      expect(first).toMatchObject({ version: 4, baseVersion: 3, removed: [], stateChecksum: newest.hash });
      expect(first!.resources!.map((resource) => resource.name)).toEqual(['gns/g1/service/web']);
      // What is written is counted: the one resource (name, hash, payload) and the checksum.
      const resource = first!.resources![0]!;
      expect(bytes).toEqual([
        resource.name!.length + 64 + (resource.payload as Buffer).length + newest.hash.length,
      ]);
      // The CA rotation gate still learns of every version sent, with the complete payload.
      expect(rotationSent).toEqual([4]);

      // The next push is based on what was just sent (optimistic): a removed service is named.
      newest = snapshotOf(5, stateWith(8080, true));
      await session.pushLatestSnapshot(5);
      newest = snapshotOf(6, stateWith(8080));
      await session.pushLatestSnapshot(6);
      const [, second, third] = deltas(call);
      expect(second).toMatchObject({ version: 5, baseVersion: 4, removed: [] });
      expect(second!.resources!.map((r) => r.name)).toEqual(['gns/g1', 'gns/g1/service/zz']);
      expect(third).toMatchObject({ version: 6, baseVersion: 5, removed: ['gns/g1/service/zz'] });
      expect(third!.resources!.map((r) => r.name)).toEqual(['gns/g1']);
      session.close(0, 'test over');
    });

    it('sends nothing to an agent that holds the newest version (a ping answers its Hello)', async () => {
      const { call, session } = sessionWith(
        {
          clusterId: 'c',
          appliedVersion: 4,
          agentVersion: 't',
          supportsDelta: true,
          heldResources: heldOf(stateWith(80)),
        },
        () => snapshotOf(4, stateWith(80)),
      );
      await settle();
      expect(call.written.map((message) => Object.keys(message)[0])).toEqual(['ping']);
      session.close(0, 'test over');
    });

    it('resends the complete set (base 0) after a NACKed delta, and does not loop on a NACKed complete set', async () => {
      const newest = snapshotOf(4, stateWith(8080));
      const { call, session } = sessionWith(
        {
          clusterId: 'c',
          appliedVersion: 3,
          agentVersion: 't',
          supportsDelta: true,
          heldResources: heldOf(stateWith(80)),
        },
        () => newest,
      );
      await settle();
      call.emit('data', {
        body: 'nack',
        nack: { version: 4, reason: 'delta base 3 does not match applied 2' },
      });
      await settle();
      const [, resent] = deltas(call);
      expect(resent).toMatchObject({ version: 4, baseVersion: 0, removed: [] });
      expect(resent!.resources!.map((r) => r.name)).toEqual([
        'cluster',
        'gns/g1',
        'gns/g1/service/api',
        'gns/g1/service/web',
      ]);
      call.emit('data', { body: 'nack', nack: { version: 4, reason: 'render failed' } });
      await settle();
      expect(deltas(call)).toHaveLength(2);
      session.close(0, 'test over');
    });

    it('an agent without supports_delta (the previous release) gets the complete Snapshot', async () => {
      const { call, session } = sessionWith({ clusterId: 'c', appliedVersion: 3, agentVersion: 'old' }, () =>
        snapshotOf(4, stateWith(8080)),
      );
      await settle();
      expect(call.written.map((message) => Object.keys(message)[0])).toEqual(['snapshot']);
      session.close(0, 'test over');
    });

    it('ends the stream with INVALID_ARGUMENT naming a malformed held resource', async () => {
      const { call, errors } = sessionWith(
        {
          clusterId: 'c',
          appliedVersion: 3,
          agentVersion: 't',
          supportsDelta: true,
          heldResources: [{ name: 'cluster', hash: 'not-a-hash' }],
        },
        () => snapshotOf(4, stateWith(80)),
      );
      await settle();
      expect(call.written).toEqual([]);
      expect(errors[0]).toMatchObject({
        code: 3,
        details: expect.stringContaining('hello.heldResources[0].hash: must be a sha256'),
      });
    });
  });
});
