import { EventEmitter } from 'node:events';
import type { ServerDuplexStream } from '@grpc/grpc-js';
import type { AgentMessage__Output, ControllerMessage } from '@lattice/proto';
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

describe('AgentSession', () => {
  it('answers the Hello of an up-to-date agent at once (a ping), and pushes a newer snapshot instead when there is one', async () => {
    const sessionWith = (snapshot: { version: number; payload: Buffer; hash: string } | null) => {
      const call = new FakeCall();
      const bytes: number[] = [];
      const deps = {
        stream: {
          connected: async () => undefined,
          disconnected: async () => undefined,
          snapshotToPush: async () => snapshot,
          intermediateRequestsFor: async () => [],
          newRotationAckGate: () => ({ snapshotSent: () => undefined }),
        },
        metrics: { grpcMessages: { inc: () => undefined }, grpcMessagesSent: { inc: () => undefined } },
        snapshotBytesSent: { inc: (value: number) => bytes.push(value) },
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        heartbeatMs: 60_000,
        onClosed: () => undefined,
      } as unknown as AgentSessionDeps;
      const session = new AgentSession(
        call as unknown as ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
        { tenantId: 't', clusterId: 'c', fingerprint: 'f' },
        'replica',
        deps,
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

  it('pauses a stream whose agent sends faster than its messages are processed, and resumes it once they are', async () => {
    const call = new FakeCall();
    const pendingIngests: (() => void)[] = [];
    const deps = {
      stream: {
        connected: async () => undefined,
        disconnected: async () => undefined,
        snapshotToPush: async () => null,
        intermediateRequestsFor: async () => [],
        newRotationAckGate: () => ({
          snapshotSent: () => undefined,
          acked: () => false,
          nacked: () => undefined,
        }),
        ingestTelemetry: () =>
          new Promise((resolve) => pendingIngests.push(() => resolve({ duplicate: false, items: 0 }))),
      },
      metrics: { grpcMessages: { inc: () => undefined }, grpcMessagesSent: { inc: () => undefined } },
      logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
      heartbeatMs: 60_000,
      onClosed: () => undefined,
    } as unknown as AgentSessionDeps;
    const session = new AgentSession(
      call as unknown as ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
      { tenantId: 't', clusterId: 'c', fingerprint: 'f' },
      'replica',
      deps,
    );
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
      const deps = {
        stream: {
          connected: async () => undefined,
          disconnected: async () => undefined,
          snapshotToPush: async () => null,
          intermediateRequestsFor: async () => [],
          newRotationAckGate: () => ({}),
          conditionsReported: async (_t: string, _c: string, accepted: unknown[]) => {
            reported.push(...accepted);
          },
          applyInventory: async (
            _t: string,
            _c: string,
            _u: unknown,
            _n: Date,
            reportsConditions: boolean,
          ) => {
            inventories.push(reportsConditions);
          },
        },
        metrics: { grpcMessages: { inc: () => undefined }, grpcMessagesSent: { inc: () => undefined } },
        logger: { log: () => undefined, warn: () => undefined, error: () => undefined },
        heartbeatMs: 60_000,
        onClosed: () => undefined,
      } as unknown as AgentSessionDeps;
      const session = new AgentSession(
        call as unknown as ServerDuplexStream<AgentMessage__Output, ControllerMessage>,
        { tenantId: 't', clusterId: 'c', fingerprint: 'f' },
        'replica',
        deps,
      );
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
});
