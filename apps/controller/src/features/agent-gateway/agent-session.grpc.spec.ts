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
});
