import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ControllerMessage__Output, SNAPSHOT_FORMAT, type TelemetryItem } from '@lattice/proto';
import { type MeshInstallation, splitDesiredState, stateChecksum } from '@lattice/domain';
import type { MeshInstallationListener, MeshInstallationSource } from './mesh/mesh-installation-source.port';
import { Agent, type AgentDependencies } from './agent';
import type {
  ClusterInventory,
  InventorySyncListener,
  InventorySyncState,
} from './inventory/inventory-source.port';
import { generateKeyAndCsr, keyMatchesCertificate } from './pki/agent-keys.util';
import { type AgentCredentials, AgentStateStore } from './state/agent-state.store';
import {
  desiredState,
  fakeRenderer,
  RecordingLogger,
  RecordingSink,
  snapshotOf,
  StaticInventorySource,
} from './testing/agent.test-fixtures';
import { ScriptedStream } from './testing/scripted-controller.test-fixtures';
import { createTestCa, csrCommonName, signCsr } from './testing/test-pki.test-fixtures';
import {
  ControllerCallError,
  type ControllerStream,
  type ControllerTransport,
  type RegisterRequestInput,
  type RegisterResult,
  type RenewResult,
  type StreamHandlers,
} from './transport/controller-transport.port';

const ca = createTestCa('agent CA');
const HEARTBEAT_MS = 1000;

class FakeTransport implements ControllerTransport {
  readonly registrations: RegisterRequestInput[] = [];
  readonly renewals: Array<{ credentials: AgentCredentials; csrPem: string }> = [];
  readonly streams: ScriptedStream[] = [];
  registerError: ControllerCallError | undefined;
  certificateLifetimeMs = 3600_000;
  onOpen: (() => void) | undefined;

  async register(request: RegisterRequestInput): Promise<RegisterResult> {
    this.registrations.push(request);
    if (this.registerError) throw this.registerError;
    return {
      clusterId: 'c-1',
      tenantId: 't-1',
      certificatePem: this.sign(request.csrPem),
      caBundlePem: ca.certPem,
    };
  }

  async renewCertificate(credentials: AgentCredentials, csrPem: string): Promise<RenewResult> {
    this.renewals.push({ credentials, csrPem });
    return { certificatePem: this.sign(csrPem), caBundlePem: ca.certPem };
  }

  openStream(credentials: AgentCredentials, handlers: StreamHandlers): ControllerStream {
    const stream = new ScriptedStream(credentials, handlers);
    this.streams.push(stream);
    this.onOpen?.();
    return stream;
  }

  close(): void {}

  get latest(): ScriptedStream {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no stream opened');
    return stream;
  }

  private sign(csrPem: string): string {
    const now = Date.now();
    return signCsr(ca, csrPem, {
      notBefore: new Date(now),
      notAfter: new Date(now + this.certificateLifetimeMs),
    });
  }
}

const inventory: ClusterInventory = {
  namespaces: [{ name: 'shop', labels: {} }],
  services: [{ namespace: 'shop', name: 'cart', labels: {}, ports: [], endpointGroups: [] }],
};

// Captured before the fake timers replace it: waiting for real work (file I/O, RSA key generation
// on the thread pool) needs real time, while the agent's own timers stay under the test's control.
const realSetTimeout = globalThis.setTimeout;

/**
 * Polls until the condition holds. Meanwhile moves the fake clock by 1 ms per round, which fires
 * zero-delay timers (Node, and so the fake clock, turn a 0 ms timeout into 1 ms): the backoff
 * sleep with random 0.
 */
async function waitFor(condition: () => boolean, what: string): Promise<void> {
  for (let round = 0; round < 2000; round += 1) {
    if (condition()) return;
    await jest.advanceTimersByTimeAsync(1);
    await new Promise((resolve) => realSetTimeout(resolve, 5));
  }
  throw new Error(`never happened: ${what}`);
}

/** Like waitFor, but moves the fake clock `stepMs` per round: for waits of many seconds. */
async function advanceUntil(condition: () => boolean, what: string, stepMs = 250): Promise<void> {
  for (let round = 0; round < 2000; round += 1) {
    if (condition()) return;
    await jest.advanceTimersByTimeAsync(stepMs);
    await new Promise((resolve) => realSetTimeout(resolve, 2));
  }
  throw new Error(`never happened: ${what}`);
}

describe('Agent', () => {
  let directory: string;
  let store: AgentStateStore;
  let transport: FakeTransport;
  let sink: RecordingSink;
  let source: StaticInventorySource;
  let logger: RecordingLogger;
  let agent: Agent | undefined;
  let existingCredentials: AgentCredentials;

  beforeAll(async () => {
    const { keyPem, csrPem } = await generateKeyAndCsr('cluster-a', 2048);
    existingCredentials = {
      keyPem,
      certPem: signCsr(ca, csrPem, {}),
      caPem: ca.certPem,
      identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
    };
  });

  beforeEach(async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-'));
    store = new AgentStateStore(directory);
    transport = new FakeTransport();
    sink = new RecordingSink();
    source = new StaticInventorySource(inventory);
    logger = new RecordingLogger();
    agent = undefined;
  });

  afterEach(async () => {
    await agent?.stop();
    jest.useRealTimers();
    await fs.rm(directory, { recursive: true, force: true });
  });

  function newAgent(
    overrides: Partial<AgentDependencies> = {},
    settings: Partial<AgentDependencies['settings']> = {},
  ): Agent {
    agent = new Agent({
      settings: {
        controllerAddress: 'controller:50051',
        clusterName: 'cluster-a',
        bootstrapToken: 'token-1',
        heartbeatIntervalMs: HEARTBEAT_MS,
        agentVersion: '9.9.9',
        ...settings,
      },
      transport,
      inventorySource: source,
      sink,
      stateStore: store,
      render: fakeRenderer(),
      logger,
      random: () => 0,
      ...overrides,
    });
    return agent;
  }

  it('registers with the bootstrap token, stores the credentials and says hello with version 0', async () => {
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');

    expect(transport.registrations).toHaveLength(1);
    const registration = transport.registrations[0]!;
    expect(registration).toMatchObject({
      bootstrapToken: 'token-1',
      clusterName: 'cluster-a',
      agentVersion: '9.9.9',
    });
    expect(csrCommonName(registration.csrPem)).toBe('cluster-a');
    const stored = await store.readCredentials();
    expect(stored?.identity).toEqual({ clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' });
    expect(keyMatchesCertificate(stored!.keyPem, transport.latest.credentials.certPem)).toBe(true);

    expect(transport.latest.sent[0]).toEqual({
      hello: {
        clusterId: 'c-1',
        appliedVersion: 0,
        agentVersion: '9.9.9',
        supportsDelta: true,
        heldResources: [],
      },
    });
    expect(transport.latest.sent[1]?.inventory).toMatchObject({
      full: true,
      namespaces: inventory.namespaces,
      services: inventory.services,
    });
  });

  it('ignores the bootstrap token when credentials exist', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    expect(transport.registrations).toHaveLength(0);
    expect(transport.latest.credentials.certPem).toBe(existingCredentials.certPem);
  });

  it('stops with a clear error when it has neither credentials nor a bootstrap token', async () => {
    await newAgent({}, { bootstrapToken: undefined }).start();
    await expect(agent!.whenStopped()).rejects.toThrow(
      /no credentials in .*; to register, set LATTICE_BOOTSTRAP_TOKEN/,
    );
  });

  it('stops when the controller refuses the bootstrap token, and retries when it is unreachable', async () => {
    transport.registerError = new ControllerCallError(
      'Register failed: UNAVAILABLE: connect ECONNREFUSED',
      true,
    );
    await newAgent().start();
    await waitFor(() => transport.registrations.length === 1, 'first registration');
    transport.registerError = new ControllerCallError(
      'Register failed: UNAUTHENTICATED: token already used',
      false,
    );
    await jest.advanceTimersByTimeAsync(1000);
    await expect(agent!.whenStopped()).rejects.toThrow(
      'cannot register: Register failed: UNAUTHENTICATED: token already used',
    );
    expect(transport.registrations).toHaveLength(2);
  });

  it('re-applies the persisted snapshot before connecting and reports its version in Hello', async () => {
    await store.writeCredentials(existingCredentials);
    const snapshot = snapshotOf(5, desiredState('c-1', { shop: 'shop.local' }));
    await store.writeSnapshot({
      version: 5,
      format: snapshot.format,
      checksum: snapshot.checksum,
      payload: Buffer.from(snapshot.payload).toString('utf8'),
    });
    let appliedBeforeConnect = -1;
    transport.onOpen = () => (appliedBeforeConnect = sink.applied.length);

    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    expect(appliedBeforeConnect).toBe(1);
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);
    expect(transport.latest.sent[0]?.hello?.appliedVersion).toBe(5);
  });

  it('sends the InventorySynced condition before the inventory on each stream, and whenever it changes', async () => {
    /** A source that reports its sync state, as the Kubernetes source does. */
    class SyncingSource extends StaticInventorySource {
      private readonly syncListeners = new Set<InventorySyncListener>();
      constructor(private state: InventorySyncState) {
        super(inventory);
      }
      syncState(): InventorySyncState {
        return this.state;
      }
      subscribeSyncState(listener: InventorySyncListener): () => void {
        this.syncListeners.add(listener);
        return () => this.syncListeners.delete(listener);
      }
      setState(state: InventorySyncState): void {
        this.state = state;
        for (const listener of this.syncListeners) listener(state);
      }
    }
    const synced = { status: 'True', reason: 'Synced', message: 'ok', lastTransitionMs: 1_000 } as const;
    const syncing = new SyncingSource(synced);
    await store.writeCredentials(existingCredentials);
    await newAgent({ inventorySource: syncing }).start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;
    expect(stream.sent[1]).toEqual({
      conditions: {
        conditions: [
          {
            type: 'InventorySynced',
            status: 'True',
            reason: 'Synced',
            message: 'ok',
            lastTransitionUnixMs: 1_000,
          },
        ],
      },
    });
    expect(stream.sent[2]?.inventory?.full).toBe(true);

    syncing.setState({
      status: 'False',
      reason: 'Forbidden',
      message: 'services is forbidden',
      lastTransitionMs: 2_000,
    });
    expect(stream.sent.at(-1)?.conditions?.conditions?.[0]).toMatchObject({
      status: 'False',
      reason: 'Forbidden',
    });
    expect(agent!.status().inventorySync).toMatchObject({ status: 'False', reason: 'Forbidden' });
  });

  it('sends the mesh installation after the inventory on each stream, and whenever it changes', async () => {
    const installation: MeshInstallation = {
      meshConfigFound: true,
      meshConfigName: 'istio',
      trustDomain: 'cluster.local',
      trustDomainAliases: ['shop.lattice.local'],
      dnsCapture: true,
      dnsAutoAllocate: false,
      network: 'net-a',
      eastWestGateway: null,
      passthroughGateways: [
        {
          namespace: 'istio-system',
          name: 'cross-network-gateway',
          selector: { istio: 'eastwestgateway' },
          hosts: ['*.local'],
        },
      ],
      istioVersion: '1.24.2',
      revision: 'default',
      localities: [{ region: 'r', zone: 'z', nodes: 2 }],
      problems: [],
      source: 'file',
    };
    const listeners = new Set<MeshInstallationListener>();
    let current: MeshInstallation | undefined = installation;
    const meshSource: MeshInstallationSource = {
      start: async () => undefined,
      stop: async () => undefined,
      current: () => current,
      subscribe: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    await store.writeCredentials(existingCredentials);
    await newAgent({ meshSource }).start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;
    const inventoryAt = stream.sent.findIndex((message) => message.inventory);
    const meshAt = stream.sent.findIndex((message) => message.mesh);
    expect(meshAt).toBeGreaterThan(inventoryAt);
    // Proto shape: no gateway is an unset field, not null; Gateways read are flagged as such.
    expect(stream.sent[meshAt]?.mesh).toEqual({
      ...installation,
      eastWestGateway: undefined,
      passthroughGatewaysRead: true,
    });

    current = { ...installation, dnsAutoAllocate: true };
    for (const listener of listeners) listener(current);
    expect(stream.sent.at(-1)?.mesh?.dnsAutoAllocate).toBe(true);

    // Gateways not read (a failed list): none sent, and flagged as not read rather than "none found".
    current = { ...installation, passthroughGateways: null };
    for (const listener of listeners) listener(current);
    expect(stream.sent.at(-1)?.mesh).toMatchObject({
      passthroughGateways: [],
      passthroughGatewaysRead: false,
    });
  });

  it('sends inventory deltas with increasing revisions and nothing for an unchanged inventory', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;

    source.emit(inventory);
    source.emit({
      namespaces: [...inventory.namespaces, { name: 'search', labels: {} }],
      services: [{ namespace: 'search', name: 'query', labels: {}, ports: [], endpointGroups: [] }],
    });
    const inventories = stream.sent.flatMap((message) => (message.inventory ? [message.inventory] : []));
    expect(inventories).toHaveLength(2);
    expect(inventories[1]).toMatchObject({
      full: false,
      namespaces: [{ name: 'search', labels: {} }],
      services: [{ namespace: 'search', name: 'query' }],
      removedNamespaces: [],
      removedServices: [{ namespace: 'shop', name: 'cart' }],
    });
    expect(Number(inventories[1]!.revision)).toBeGreaterThan(Number(inventories[0]!.revision));
  });

  it('acks an applied snapshot and nacks a corrupt one, keeping the applied state', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;

    stream.deliver({
      body: 'snapshot',
      snapshot: snapshotOf(
        1,
        desiredState('c-1', { shop: 'shop.local' }),
      ) as ControllerMessage__Output['snapshot'],
    });
    await waitFor(() => stream.sent.some((message) => message.ack), 'ack');
    expect(stream.sent.find((message) => message.ack)).toEqual({ ack: { version: 1 } });

    const corrupt = { ...snapshotOf(2, desiredState('c-1', { x: 'x.local' })), checksum: 'abc' };
    stream.deliver({ body: 'snapshot', snapshot: corrupt as ControllerMessage__Output['snapshot'] });
    await waitFor(() => stream.sent.some((message) => message.nack), 'nack');
    expect(stream.sent.find((message) => message.nack)?.nack).toMatchObject({
      version: 2,
      reason: expect.stringMatching(/^checksum mismatch/),
    });
    expect(agent!.status().appliedVersion).toBe(1);
    expect(sink.applied).toHaveLength(1);
  });

  it('applies a DeltaSnapshot, NACKs one on another base, and says what it holds in the next Hello', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;
    const state = desiredState('c-1', { shop: 'shop.local' });
    const resources = splitDesiredState(state);
    const delta = (version: number, baseVersion: number) => ({
      version,
      baseVersion,
      format: SNAPSHOT_FORMAT,
      resources: resources.map(({ name, hash, json }) => ({ name, hash, payload: Buffer.from(json) })),
      removed: [],
      stateChecksum: stateChecksum(state),
    });

    stream.deliver({ body: 'deltaSnapshot', deltaSnapshot: delta(3, 0) });
    await waitFor(() => stream.sent.some((message) => message.ack), 'ack');
    expect(stream.sent.find((message) => message.ack)).toEqual({ ack: { version: 3 } });
    expect(sink.current?.map((object) => object.metadata.name)).toEqual(['gns-shop']);

    stream.deliver({ body: 'deltaSnapshot', deltaSnapshot: delta(5, 4) });
    await waitFor(() => stream.sent.some((message) => message.nack), 'nack');
    expect(stream.sent.find((message) => message.nack)).toEqual({
      nack: { version: 5, reason: 'delta base 4 does not match applied 3' },
    });

    await agent!.stop();
    agent = undefined;
    await newAgent().start();
    await waitFor(() => transport.streams.length === 2, 'reconnected after a restart');
    expect(transport.latest.sent[0]?.hello).toMatchObject({
      appliedVersion: 3,
      supportsDelta: true,
      heldResources: resources.map(({ name, hash }) => ({ name, hash })),
    });
  });

  it('retries a NACKed snapshot with backoff and converges once the cause is gone, without a restart', async () => {
    await store.writeCredentials(existingCredentials);
    // Heartbeats every 10 min: the stream stays up (this fake controller does not answer them).
    await newAgent(
      {},
      {
        heartbeatIntervalMs: 600_000,
        applyRetryPolicy: { baseMs: 2_000, capMs: 64_000, minIntervalMs: 5_000 },
      },
    ).start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;
    sink.brokenWith = 'serviceentries.networking.istio.io is forbidden';

    stream.deliver({
      body: 'snapshot',
      snapshot: snapshotOf(
        4,
        desiredState('c-1', { shop: 'shop.local' }),
      ) as ControllerMessage__Output['snapshot'],
    });
    await waitFor(() => stream.sent.some((message) => message.nack), 'nack');
    expect(stream.sent.find((message) => message.nack)?.nack).toEqual({
      version: 4,
      reason: 'apply failed: serviceentries.networking.istio.io is forbidden',
    });
    const nackedAt = Date.now();

    // Retries at 1, 3, 7, 15, 31 s (random 0: half of a doubling ceiling): five in 40 s, no new NACK.
    await advanceUntil(() => sink.attempts === 6, 'five retries');
    expect(Date.now() - nackedAt).toBeGreaterThanOrEqual(31_000);
    expect(agent!.status().appliedVersion).toBe(0);
    expect(stream.sent.filter((message) => message.nack)).toHaveLength(1);

    // The cause goes away; the next retry is due in 32 s, but a change in the cluster retries now.
    sink.brokenWith = undefined;
    const before = Date.now();
    source.emit({ ...inventory, namespaces: [...inventory.namespaces, { name: 'new', labels: {} }] });
    await advanceUntil(() => sink.applied.length === 1, 'the retry', 50);
    expect(Date.now() - before).toBeLessThanOrEqual(5_050);
    await advanceUntil(() => stream.sent.some((message) => message.ack), 'ack after the retry', 50);
    expect(stream.sent.find((message) => message.ack)).toEqual({ ack: { version: 4 } });
    expect(agent!.status().appliedVersion).toBe(4);
    expect((await store.readSnapshot())?.version).toBe(4);
    expect(transport.streams).toHaveLength(1);

    const attempts = sink.attempts;
    await jest.advanceTimersByTimeAsync(300_000);
    expect(sink.attempts).toBe(attempts);
  });

  it('ignores messages it does not understand without dropping the stream', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    transport.latest.deliver({} as ControllerMessage__Output);
    transport.latest.deliver({ body: 'snapshot', snapshot: null });
    expect(transport.latest.closed).toBe(false);
    expect(logger.messages('warn')).toContain('unknown message from the controller; ignored');
  });

  it('sends heartbeats and reconnects when the controller is silent for 3 intervals', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const first = transport.latest;

    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(first.bodies().filter((body) => body === 'heartbeat')).toHaveLength(1);
    first.deliver({ body: 'ping', ping: { sentAtUnixMs: Date.now() } });
    await jest.advanceTimersByTimeAsync(2 * HEARTBEAT_MS);
    expect(first.closed).toBe(false);

    await jest.advanceTimersByTimeAsync(HEARTBEAT_MS);
    expect(first.closed).toBe(true);
    await waitFor(() => transport.streams.length === 2, 'reconnected');
    expect(transport.latest.sent[0]?.hello).toBeDefined();
    expect(transport.latest.sent[1]?.inventory?.full).toBe(true);
  });

  it('reconnects with growing backoff after stream failures', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent({ random: () => 0.999 }).start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');

    transport.latest.fail('UNAVAILABLE');
    await jest.advanceTimersByTimeAsync(498);
    expect(transport.streams).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(2);
    await waitFor(() => transport.streams.length === 2, 'first reconnect');

    transport.latest.fail('UNAVAILABLE');
    await jest.advanceTimersByTimeAsync(998);
    expect(transport.streams).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(2);
    await waitFor(() => transport.streams.length === 3, 'second reconnect');
  });

  it('answers an intermediate request with a CSR and keeps the key in the state directory', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const stream = transport.latest;
    const request = { gnsId: 'gns-1', subjectCommonName: 'Lattice shop intermediate', rootGeneration: 3 };

    stream.deliver({ body: 'intermediateRequest', intermediateRequest: request });
    await waitFor(() => stream.sent.some((message) => message.csr), 'csr');
    const first = stream.sent.find((message) => message.csr)!.csr!;
    expect(first).toMatchObject({ gnsId: 'gns-1', rootGeneration: 3 });
    expect(csrCommonName(first.csrPem!)).toBe('Lattice shop intermediate');
    const keys = await store.listIntermediateKeys();
    expect(keys).toHaveLength(1);
    expect(keyMatchesCertificate(keys[0]!.keyPem, signCsr(ca, first.csrPem!, {}))).toBe(true);

    // Asked again: a fresh key, stored beside the first (which a signed certificate may still use).
    stream.deliver({ body: 'intermediateRequest', intermediateRequest: request });
    await waitFor(() => stream.sent.filter((message) => message.csr).length === 2, 'second csr');
    const second = stream.sent.filter((message) => message.csr)[1]!.csr!;
    expect(keyMatchesCertificate(keys[0]!.keyPem, signCsr(ca, second.csrPem!, {}))).toBe(false);
    expect(await store.listIntermediateKeys()).toHaveLength(2);

    stream.deliver({ body: 'intermediateRequest', intermediateRequest: { ...request, gnsId: '../../etc' } });
    expect(logger.messages('warn')).toContain('invalid intermediate request; ignored');
  });

  it('renews its certificate after two thirds of its lifetime without dropping the stream', async () => {
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    const firstCertificate = transport.latest.credentials.certPem;

    await jest.advanceTimersByTimeAsync(2400_000 - 1000);
    expect(transport.renewals).toHaveLength(0);
    // Keep the stream alive through the jump: the fake controller pings.
    transport.latest.deliver({ body: 'ping', ping: { sentAtUnixMs: Date.now() } });
    await jest.advanceTimersByTimeAsync(1000);
    await waitFor(() => transport.renewals.length === 1, 'renewal call');
    await waitFor(
      () =>
        agent!.status().certificateNotAfterMs !== undefined &&
        logger.messages('info').includes('agent certificate renewed'),
      'renewed',
    );

    expect(transport.renewals[0]!.credentials.certPem).toBe(firstCertificate);
    const stored = await store.readCredentials();
    expect(stored?.certPem).not.toBe(firstCertificate);
    expect(keyMatchesCertificate(stored!.keyPem, stored!.certPem)).toBe(true);

    transport.latest.fail('UNAVAILABLE');
    await jest.advanceTimersByTimeAsync(0);
    await waitFor(() => transport.streams.length >= 2, 'reconnected');
    expect(transport.latest.credentials.certPem).toBe(stored!.certPem);
  });

  it('resends unacknowledged telemetry after a reconnect until it is acknowledged', async () => {
    await store.writeCredentials(existingCredentials);
    const items: TelemetryItem[] = [
      { minuteUnixMs: 60_000, sourceService: 'web', destinationService: 'cart', requests: 5 },
    ];
    let rounds = 0;
    const telemetrySource = { collect: async () => (rounds++ === 0 ? items : []) };
    await newAgent({ telemetrySource }, { telemetryIntervalMs: 500 }).start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');

    await jest.advanceTimersByTimeAsync(500);
    await waitFor(() => transport.latest.sent.some((message) => message.telemetry), 'telemetry sent');
    const batchId = transport.latest.sent.find((message) => message.telemetry)!.telemetry!.batchId!;

    transport.latest.fail('UNAVAILABLE');
    await waitFor(() => transport.streams.length === 2, 'reconnected');
    expect(transport.latest.sent.find((message) => message.telemetry)?.telemetry?.batchId).toBe(batchId);

    transport.latest.deliver({
      body: 'telemetryAck',
      telemetryAck: { batchId, duplicate: false, rejectedReason: '', acceptsPackedLatency: false },
    });
    transport.latest.fail('UNAVAILABLE');
    await waitFor(() => transport.streams.length === 3, 'reconnected again');
    expect(transport.latest.sent.some((message) => message.telemetry)).toBe(false);
  });

  it('closes the stream on stop', async () => {
    await store.writeCredentials(existingCredentials);
    await newAgent().start();
    await waitFor(() => transport.streams.length === 1, 'stream opened');
    await agent!.stop();
    expect(transport.latest.closed).toBe(true);
    expect(agent!.status().state).toBe('stopped');
    await expect(agent!.whenStopped()).resolves.toBeUndefined();
  });
});
