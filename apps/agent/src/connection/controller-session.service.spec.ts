import type { ControllerMessage__Output } from '@lattice/proto';
import { AgentFatalError } from '../agent.errors';
import type { AgentCredentials } from '../state/agent-state.store';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { ScriptedControllerTransport } from '../testing/scripted-controller.test-fixtures';
import { ControllerCallError } from '../transport/controller-transport.port';
import { ControllerSession, type SessionCredentials } from './controller-session.service';
import { ReconnectBackoff } from './reconnect-backoff.util';

const HEARTBEAT_MS = 1000;
const credentials = {
  keyPem: 'key',
  certPem: 'cert',
  caPem: 'ca',
  identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
} satisfies AgentCredentials;

class FakeCredentials implements SessionCredentials {
  current: AgentCredentials | undefined;
  registrations = 0;
  failures: Error[] = [];
  constructor(current?: AgentCredentials) {
    this.current = current;
  }
  async register(onRegistering: () => void): Promise<AgentCredentials> {
    this.registrations += 1;
    const failure = this.failures.shift();
    if (failure) throw failure;
    onRegistering();
    this.current = credentials;
    return credentials;
  }
}

describe('ControllerSession', () => {
  let transport: ScriptedControllerTransport;
  let logger: RecordingLogger;
  let received: ControllerMessage__Output[];
  let opened: number;
  let session: ControllerSession;
  let running: Promise<void>;

  beforeEach(() => {
    jest.useFakeTimers();
    transport = new ScriptedControllerTransport();
    logger = new RecordingLogger();
    received = [];
    opened = 0;
  });

  afterEach(async () => {
    session.close();
    await running.catch(() => undefined);
    jest.useRealTimers();
  });

  function start(source: SessionCredentials, random = () => 0): void {
    session = new ControllerSession({
      transport,
      credentials: source,
      logger,
      now: () => Date.now(),
      backoff: new ReconnectBackoff({ baseMs: 500, capMs: 30_000, resetAfterMs: 30_000 }, random),
      heartbeatIntervalMs: HEARTBEAT_MS,
      hello: (used) => ({ clusterId: used.identity.clusterId, appliedVersion: 4, agentVersion: '9.9.9' }),
      onStreamOpened: () => {
        opened += 1;
        session.send({ heartbeat: { sentAtUnixMs: -1 } });
      },
      onMessage: (message) => received.push(message),
    });
    running = session.run();
  }

  it('opens a stream with Hello, then lets the agent send, and is connected once the controller speaks', async () => {
    start(new FakeCredentials(credentials));
    await jest.advanceTimersByTimeAsync(0);

    expect(transport.streams).toHaveLength(1);
    expect(transport.latest.sent).toEqual([
      { hello: { clusterId: 'c-1', appliedVersion: 4, agentVersion: '9.9.9' } },
      { heartbeat: { sentAtUnixMs: -1 } },
    ]);
    expect(opened).toBe(1);
    expect(session.isOpen).toBe(true);
    expect(session.state).toBe('connecting');

    transport.latest.deliver({ body: 'ping', ping: { sentAtUnixMs: 1 } });
    expect(session.state).toBe('connected');
    expect(received).toEqual([{ body: 'ping', ping: { sentAtUnixMs: 1 } }]);
  });

  it('registers first when it has no credentials', async () => {
    const source = new FakeCredentials();
    start(source);
    await jest.advanceTimersByTimeAsync(0);
    expect(source.registrations).toBe(1);
    expect(transport.latest.credentials).toBe(credentials);
  });

  it('retries a failed registration after a backoff and gives up on a fatal one', async () => {
    const source = new FakeCredentials();
    source.failures = [new Error('UNAVAILABLE'), new AgentFatalError('token refused')];
    start(source, () => 0.999);
    const outcome = running.then(
      () => 'resolved',
      (error: Error) => error.message,
    );
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('backing-off');
    expect(logger.messages('warn')).toEqual(['controller call failed']);

    await jest.advanceTimersByTimeAsync(500);
    await expect(outcome).resolves.toBe('token refused');
    expect(source.registrations).toBe(2);
    expect(transport.streams).toHaveLength(0);
  });

  it('sends heartbeats, and reconnects after three silent intervals', async () => {
    start(new FakeCredentials(credentials));
    await jest.advanceTimersByTimeAsync(0);
    const first = transport.latest;

    await jest.advanceTimersByTimeAsync(2 * HEARTBEAT_MS);
    expect(first.bodies().filter((body) => body === 'heartbeat')).toHaveLength(3);
    expect(first.closed).toBe(false);

    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(first.closed).toBe(true);
    expect(logger.messages('warn')).toContain(
      'nothing from the controller for 3 heartbeat intervals; reconnecting',
    );
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.streams).toHaveLength(2);
    expect(opened).toBe(2);
  });

  it('drops what is sent between streams and backs off more after each failure', async () => {
    start(new FakeCredentials(credentials), () => 0.999);
    await jest.advanceTimersByTimeAsync(0);

    transport.latest.fail('UNAVAILABLE');
    expect(session.isOpen).toBe(false);
    session.send({ heartbeat: { sentAtUnixMs: 0 } });
    // random 0.999: 499 ms, then 999 ms.
    await jest.advanceTimersByTimeAsync(498);
    expect(transport.streams).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.streams).toHaveLength(2);

    transport.latest.fail('UNAVAILABLE');
    await jest.advanceTimersByTimeAsync(998);
    expect(transport.streams).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(transport.streams).toHaveLength(3);
    expect(transport.streams[0]!.sent.some((message) => message.heartbeat?.sentAtUnixMs === 0)).toBe(false);
  });

  it('stops reconnecting once closed, also while backing off', async () => {
    start(new FakeCredentials(credentials), () => 0.999);
    await jest.advanceTimersByTimeAsync(0);
    transport.latest.fail('UNAVAILABLE');
    await jest.advanceTimersByTimeAsync(0);
    expect(session.state).toBe('backing-off');

    session.close();
    await expect(running).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.streams).toHaveLength(1);
    session.markStopped();
    expect(session.state).toBe('stopped');
  });

  it('stops with a clear fatal error when the controller says this agent was revoked', async () => {
    start(new FakeCredentials(credentials));
    const outcome = running.then(
      () => 'resolved',
      (error: Error) => error,
    );
    await jest.advanceTimersByTimeAsync(0);
    transport.latest.failWith(
      new ControllerCallError(
        'Connect failed: PERMISSION_DENIED: the cluster of this agent was revoked or deleted',
        false,
        'cluster-revoked',
      ),
    );
    const error = await outcome;
    expect(error).toBeInstanceOf(AgentFatalError);
    expect((error as Error).message).toContain('the controller revoked this agent (cluster-revoked)');
    expect((error as Error).message).toContain('POST /v1/clusters/c-1/reenrol');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(transport.streams).toHaveLength(1);
  });

  it('keeps reconnecting after a refusal that carries no revocation', async () => {
    start(new FakeCredentials(credentials), () => 0);
    await jest.advanceTimersByTimeAsync(0);
    transport.latest.failWith(new ControllerCallError('Connect failed: UNAUTHENTICATED: glitch', false));
    await jest.advanceTimersByTimeAsync(1_000);
    expect(transport.streams.length).toBeGreaterThan(1);
  });
});
