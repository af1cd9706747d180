import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DesiredClusterState } from '@lattice/domain';
import { type KubeObject, renderClusterState } from '@lattice/istio';
import type { ControllerMessage__Output } from '@lattice/proto';
import { Agent } from './agent';
import { generateKeyAndCsr } from './pki/agent-keys.util';
import { type AgentCredentials, AgentStateStore } from './state/agent-state.store';
import {
  ScriptedControllerTransport,
  type ScriptedStream,
} from './testing/scripted-controller.test-fixtures';
import {
  desiredState,
  RecordingLogger,
  RecordingSink,
  snapshotOf,
  StaticInventorySource,
} from './testing/agent.test-fixtures';
import { createTestCa, signCsr } from './testing/test-pki.test-fixtures';

const agentCa = createTestCa('agent CA');
const gnsRoot = createTestCa('Lattice GNS root shop');
const GNS_ID = 'gns-shop';
const request = { gnsId: GNS_ID, subjectCommonName: 'Lattice intermediate cluster-a', rootGeneration: 1 };

async function waitFor(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let round = 0; round < 1000; round += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`never happened: ${what}`);
}

function spkiOfKey(keyPem: string): Buffer {
  return createPublicKey(createPrivateKey(keyPem)).export({ type: 'spki', format: 'der' });
}

function spkiOfCertificate(certificatePem: string): Buffer {
  return new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
}

function secretData(objects: KubeObject[] | undefined, name: string): Record<string, string> {
  const secret = objects?.find((object) => object.kind === 'Secret' && object.metadata.name === name) as
    (KubeObject & { data: Record<string, string> }) | undefined;
  if (!secret) throw new Error(`no Secret ${name} was applied`);
  return Object.fromEntries(
    Object.entries(secret.data).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]),
  );
}

/** The desired state the controller sends once it has signed `intermediatePem`. */
function stateWithIntermediate(intermediatePem: string): DesiredClusterState {
  const state = desiredState('c-1', { shop: 'shop.local' });
  state.globalNamespaces[0]!.ca = {
    certChainPem: `${intermediatePem}${gnsRoot.certPem}`,
    trustBundlePem: gnsRoot.certPem,
    rootGeneration: 1,
  };
  state.meshCa = { gnsId: GNS_ID, trustBundlePem: gnsRoot.certPem };
  return state;
}

/**
 * Intermediate key hygiene with the real state directory and the real Istio renderer: every CSR
 * has a fresh key, the Secret always pairs the applied certificate with its own key, and keys
 * nothing needs any more leave the disk.
 */
describe('Agent intermediate keys', () => {
  let directory: string;
  let store: AgentStateStore;
  let transport: ScriptedControllerTransport;
  let sink: RecordingSink;
  let clock: number;
  let credentials: AgentCredentials;
  const agents: Agent[] = [];

  beforeAll(async () => {
    const { keyPem, csrPem } = await generateKeyAndCsr('cluster-a', 2048);
    credentials = {
      keyPem,
      certPem: signCsr(agentCa, csrPem, {}),
      caPem: agentCa.certPem,
      identity: { clusterId: 'c-1', tenantId: 't-1', controller: 'controller:50051' },
    };
  });

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-keys-'));
    store = new AgentStateStore(directory);
    await store.writeCredentials(credentials);
    transport = new ScriptedControllerTransport();
    sink = new RecordingSink();
    clock = Date.parse('2030-01-01T00:00:00Z');
  });

  afterEach(async () => {
    for (const agent of agents.splice(0)) await agent.stop();
    await fs.rm(directory, { recursive: true, force: true });
  });

  async function startAgent(): Promise<ScriptedStream> {
    const agent = new Agent({
      settings: { controllerAddress: 'controller:50051', heartbeatIntervalMs: 60_000 },
      transport,
      inventorySource: new StaticInventorySource(undefined),
      sink,
      stateStore: store,
      render: renderClusterState,
      logger: new RecordingLogger(),
      now: () => clock,
      random: () => 0,
      // Fresh keys as in production, but 2048 bits: the specs need not wait for RSA-3072 generation.
      createKeyAndCsr: (commonName) => generateKeyAndCsr(commonName, 2048),
    });
    agents.push(agent);
    const streamsBefore = transport.streams.length;
    await agent.start();
    await waitFor(() => transport.streams.length > streamsBefore, 'stream opened');
    return transport.latest;
  }

  async function stopAgent(): Promise<void> {
    await agents.pop()?.stop();
  }

  /** Delivers an IntermediateRequest and returns the CSR the agent answers with. */
  async function requestCsr(stream: ScriptedStream): Promise<string> {
    const before = stream.sent.filter((message) => message.csr).length;
    stream.deliver({
      body: 'intermediateRequest',
      intermediateRequest: request,
    } as ControllerMessage__Output);
    await waitFor(() => stream.sent.filter((message) => message.csr).length > before, 'CSR sent');
    const csr = stream.sent.filter((message) => message.csr).at(-1)!.csr!;
    expect(csr).toMatchObject({ gnsId: GNS_ID, rootGeneration: 1 });
    return csr.csrPem!;
  }

  async function deliverSnapshot(
    stream: ScriptedStream,
    version: number,
    intermediatePem: string,
  ): Promise<void> {
    stream.deliver({
      body: 'snapshot',
      snapshot: snapshotOf(
        version,
        stateWithIntermediate(intermediatePem),
      ) as ControllerMessage__Output['snapshot'],
    });
    await waitFor(
      () =>
        stream.sent.some((message) => message.ack?.version === version || message.nack?.version === version),
      `answer to snapshot ${version}`,
    );
    expect(stream.sent.find((message) => message.nack)).toBeUndefined();
  }

  async function keyFiles(): Promise<string[]> {
    return (await fs.readdir(path.join(directory, 'intermediates'))).sort();
  }

  function expectSecretsPair(intermediatePem: string): void {
    for (const name of ['lattice-cacerts-shop', 'cacerts']) {
      const data = secretData(sink.current, name);
      expect(data['ca-cert.pem']!.trim()).toBe(intermediatePem.trim());
      expect(spkiOfKey(data['ca-key.pem']!).equals(spkiOfCertificate(intermediatePem))).toBe(true);
    }
  }

  it('renews with a fresh key, renders the new key with the new certificate and deletes the old key', async () => {
    const stream = await startAgent();
    const firstCsr = await requestCsr(stream);
    const firstIntermediate = signCsr(gnsRoot, firstCsr, { isCa: true });
    await deliverSnapshot(stream, 1, firstIntermediate);
    expectSecretsPair(firstIntermediate);
    const [firstKeyFile] = await keyFiles();
    expect(await keyFiles()).toHaveLength(1);

    // Renewal at the same root generation.
    clock += 60_000;
    const renewalCsr = await requestCsr(stream);
    const renewedIntermediate = signCsr(gnsRoot, renewalCsr, { isCa: true });
    expect(spkiOfCertificate(renewedIntermediate).equals(spkiOfCertificate(firstIntermediate))).toBe(false);
    // Until the renewed intermediate is applied, the old key stays and still signs.
    expect(await keyFiles()).toHaveLength(2);
    expect(await keyFiles()).toContain(firstKeyFile);
    expectSecretsPair(firstIntermediate);

    await deliverSnapshot(stream, 2, renewedIntermediate);
    expectSecretsPair(renewedIntermediate);
    const remaining = await keyFiles();
    expect(remaining).toHaveLength(1);
    expect(remaining).not.toContain(firstKeyFile);
    const keyPath = path.join(directory, 'intermediates', remaining[0]!);
    expect((await fs.stat(keyPath)).mode & 0o777).toBe(0o600);
    expect(spkiOfKey(await fs.readFile(keyPath, 'utf8')).equals(spkiOfCertificate(renewedIntermediate))).toBe(
      true,
    );
    // No temporary files of the atomic writes are left behind.
    expect(remaining[0]).toMatch(/^gns-shop-1-\d+-[0-9a-f]{8}\.key\.pem$/);
  });

  it('survives a restart between sending the CSR and receiving the signed intermediate', async () => {
    let stream = await startAgent();
    const firstIntermediate = signCsr(gnsRoot, await requestCsr(stream), { isCa: true });
    await deliverSnapshot(stream, 1, firstIntermediate);

    clock += 60_000;
    const pendingCsr = await requestCsr(stream);
    await stopAgent();

    // Restarted: the persisted snapshot is applied again with the key it needs; the pending key stays.
    const appliedBefore = sink.applied.length;
    stream = await startAgent();
    expect(sink.applied.length).toBe(appliedBefore + 1);
    expect(stream.sent[0]?.hello?.appliedVersion).toBe(1);
    expectSecretsPair(firstIntermediate);
    expect(await keyFiles()).toHaveLength(2);

    // The controller signed the CSR sent before the restart; its key is still there.
    const renewedIntermediate = signCsr(gnsRoot, pendingCsr, { isCa: true });
    await deliverSnapshot(stream, 2, renewedIntermediate);
    expectSecretsPair(renewedIntermediate);
    expect(await keyFiles()).toHaveLength(1);
  });

  it('keeps only the newest unanswered CSR keys when requests are repeated', async () => {
    const stream = await startAgent();
    const csrs: string[] = [];
    for (let attempt = 0; attempt < 4; attempt += 1) {
      clock += 60_000;
      csrs.push(await requestCsr(stream));
    }
    // Four requests, four different keys.
    const publicKeys = csrs.map((csr) =>
      spkiOfCertificate(signCsr(gnsRoot, csr, { isCa: true })).toString('hex'),
    );
    expect(new Set(publicKeys).size).toBe(4);
    expect(await keyFiles()).toHaveLength(4);

    // The controller answers the next-to-last CSR (the newest was still on its way).
    const intermediate = signCsr(gnsRoot, csrs[2]!, { isCa: true });
    await deliverSnapshot(stream, 1, intermediate);
    expectSecretsPair(intermediate);
    // The applied key and the newer, still unanswered one remain; the two superseded ones are gone.
    const remaining = await store.listIntermediateKeys();
    expect(remaining).toHaveLength(2);
    expect(remaining.map((key) => spkiOfKey(key.keyPem).toString('hex')).sort()).toEqual(
      [publicKeys[2], publicKeys[3]].sort(),
    );
  });
});
