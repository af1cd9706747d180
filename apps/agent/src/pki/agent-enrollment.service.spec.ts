import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentFatalError } from '../agent.errors';
import { type AgentCredentials, AgentStateStore } from '../state/agent-state.store';
import { RecordingLogger } from '../testing/agent.test-fixtures';
import { createTestCa, csrCommonName, signCsr } from '../testing/test-pki.test-fixtures';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
  type RegisterRequestInput,
  type RegisterResult,
  type RenewResult,
} from '../transport/controller-transport.port';
import { AgentEnrollment, type AgentEnrollmentSettings } from './agent-enrollment.service';
import { generateKeyAndCsr, type KeyAndCsr } from './agent-keys.util';

const ca = createTestCa('agent CA');
const HOUR_MS = 3600_000;

/** Registers and renews by signing the CSR for an hour; failures are scripted. */
class EnrollingTransport implements ControllerTransport {
  readonly registrations: RegisterRequestInput[] = [];
  readonly renewals: string[] = [];
  registerFailures: Error[] = [];
  renewFailures: Error[] = [];
  signWith: ((csrPem: string) => string) | undefined;

  async register(request: RegisterRequestInput): Promise<RegisterResult> {
    this.registrations.push(request);
    const failure = this.registerFailures.shift();
    if (failure) throw failure;
    return {
      clusterId: 'c-1',
      tenantId: 't-1',
      certificatePem: this.sign(request.csrPem),
      caBundlePem: ca.certPem,
    };
  }

  async renewCertificate(_credentials: AgentCredentials, csrPem: string): Promise<RenewResult> {
    this.renewals.push(csrPem);
    const failure = this.renewFailures.shift();
    if (failure) throw failure;
    return { certificatePem: this.sign(csrPem), caBundlePem: '' };
  }

  openStream(): ControllerStream {
    throw new Error('enrollment opens no stream');
  }

  close(): void {}

  private sign(csrPem: string): string {
    if (this.signWith) return this.signWith(csrPem);
    const now = Date.now();
    return signCsr(ca, csrPem, { notBefore: new Date(now), notAfter: new Date(now + HOUR_MS) });
  }
}

describe('AgentEnrollment', () => {
  let keys: KeyAndCsr[];
  let directory: string;
  let store: AgentStateStore;
  let transport: EnrollingTransport;
  let logger: RecordingLogger;
  let enrollment: AgentEnrollment | undefined;

  beforeAll(async () => {
    keys = await Promise.all([1, 2, 3].map(() => generateKeyAndCsr('cluster-a', 2048)));
  });

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-enrollment-'));
    store = new AgentStateStore(directory);
    await store.ensureDirectory();
    transport = new EnrollingTransport();
    logger = new RecordingLogger();
    enrollment = undefined;
  });

  afterEach(async () => {
    enrollment?.stop();
    jest.useRealTimers();
    await fs.rm(directory, { recursive: true, force: true });
  });

  function newEnrollment(settings: Partial<AgentEnrollmentSettings> = {}): AgentEnrollment {
    let next = 0;
    enrollment = new AgentEnrollment({
      settings: {
        controllerAddress: 'controller:50051',
        clusterName: 'cluster-a',
        bootstrapToken: 'token-1',
        agentVersion: '9.9.9',
        ...settings,
      },
      transport,
      stateStore: store,
      logger,
      now: () => Date.now(),
      createKeyAndCsr: async () => keys[next++ % keys.length]!,
    });
    return enrollment;
  }

  it('registers with the bootstrap token and keeps the credentials', async () => {
    const enrollment = newEnrollment();
    let registering = 0;
    const credentials = await enrollment.register(() => (registering += 1));

    expect(registering).toBe(1);
    expect(transport.registrations).toEqual([
      { bootstrapToken: 'token-1', clusterName: 'cluster-a', csrPem: keys[0]!.csrPem, agentVersion: '9.9.9' },
    ]);
    expect(credentials).toMatchObject({
      keyPem: keys[0]!.keyPem,
      caPem: ca.certPem,
      identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
    });
    expect(await store.readCredentials()).toEqual(credentials);
    expect(enrollment.current).toEqual(credentials);
    expect(enrollment.clusterId).toBe('c-1');
    expect(enrollment.certificateNotAfterMs).toBeGreaterThan(Date.now());
  });

  it('refuses to register without a bootstrap token, before trying', async () => {
    const enrollment = newEnrollment({ bootstrapToken: undefined });
    const onRegistering = jest.fn();
    await expect(enrollment.register(onRegistering)).rejects.toThrow(AgentFatalError);
    expect(onRegistering).not.toHaveBeenCalled();
    expect(transport.registrations).toEqual([]);
  });

  it('gives up on a refusal, passes transient failures on, and rejects a certificate for another key', async () => {
    const enrollment = newEnrollment();
    transport.registerFailures = [
      new ControllerCallError('Register failed: UNAVAILABLE', true),
      new ControllerCallError('Register failed: UNAUTHENTICATED', false),
    ];
    const transient = await enrollment.register().catch((error: Error) => error);
    expect(transient).toBeInstanceOf(ControllerCallError);
    await expect(enrollment.register()).rejects.toThrow(
      new AgentFatalError('cannot register: Register failed: UNAUTHENTICATED'),
    );

    // The third attempt uses the third key; the controller signs another one.
    transport.signWith = () => signCsr(ca, keys[0]!.csrPem, {});
    await expect(enrollment.register()).rejects.toThrow(/does not match the agent key/);
    expect(enrollment.current).toBeUndefined();
    expect(await store.readCredentials()).toBeUndefined();
  });

  it('loads stored credentials and ignores the bootstrap token then', async () => {
    await newEnrollment().register();
    enrollment!.stop();
    const reloaded = newEnrollment();
    await reloaded.load();
    expect(reloaded.current?.keyPem).toBe(keys[0]!.keyPem);
    expect(logger.messages('info')).toContain('credentials present; the bootstrap token is ignored');
  });

  it('renews with a fresh key after two thirds of the lifetime, and retries a failed renewal', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const enrollment = newEnrollment({ renewalRetryMs: 60_000 });
    const first = await enrollment.register();
    transport.renewFailures = [new ControllerCallError('RenewCertificate failed: UNAVAILABLE', true)];

    await jest.advanceTimersByTimeAsync((2 * HOUR_MS) / 3 - 1000);
    expect(transport.renewals).toEqual([]);
    await jest.advanceTimersByTimeAsync(1000);
    expect(transport.renewals).toHaveLength(1);
    expect(logger.messages('warn')).toEqual(['agent certificate renewal failed']);

    await jest.advanceTimersByTimeAsync(60_000);
    await waitUntil(() => logger.messages('info').includes('agent certificate renewed'));
    expect(transport.renewals).toHaveLength(2);
    expect(csrCommonName(transport.renewals[1]!)).toBe('cluster-a');
    const renewed = enrollment.current!;
    expect(renewed.keyPem).not.toBe(first.keyPem);
    expect(renewed.caPem).toBe(first.caPem);
    expect(await store.readCredentials()).toEqual(renewed);
  });

  it('renews nothing once stopped', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    const enrollment = newEnrollment();
    await enrollment.register();
    enrollment.stop();
    await jest.advanceTimersByTimeAsync(HOUR_MS);
    expect(transport.renewals).toEqual([]);
  });
});

// Captured before fake timers replace it: file I/O completes in real time.
const realSetTimeout = globalThis.setTimeout;

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let round = 0; round < 1000 && !condition(); round += 1) {
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
  if (!condition()) throw new Error('condition never held');
}
