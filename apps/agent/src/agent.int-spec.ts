// The agent against an in-process fake controller: a grpc-js server on 127.0.0.1 with a CA made
// here, speaking the real protocol over real TLS (Register) and mTLS (Connect).
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import {
  type AgentMessage__Output,
  type AgentServiceHandlers,
  type ControllerMessage,
  loadAgentProto,
  type RegisterRequest__Output,
} from '@lattice/proto';
import forge from 'node-forge';
import { Agent } from './agent';
import { DirectorySink } from './sink/directory.sink';
import { AgentStateStore } from './state/agent-state.store';
import {
  desiredState,
  fakeRenderer,
  RecordingLogger,
  snapshotOf,
  StaticInventorySource,
} from './testing/agent.test-fixtures';
import { createTestCa, issueCertificate, signCsr, type TestCa } from './testing/test-pki.test-fixtures';
import { GrpcControllerTransport } from './transport/grpc-controller.transport';

/**
 * Serves a fixed CA and identity (grpc-js's own provider only watches files). Updates are
 * delivered asynchronously, as grpc-js registers its watcher only after adding the listeners.
 */
class StaticCertificateProvider implements grpc.experimental.CertificateProvider {
  constructor(
    private readonly caPem: string,
    private readonly keyPem: string,
    private readonly certPem: string,
  ) {}
  addCaCertificateListener(listener: grpc.experimental.CaCertificateUpdateListener): void {
    setImmediate(() => listener({ caCertificate: Buffer.from(this.caPem) }));
  }
  removeCaCertificateListener(): void {}
  addIdentityCertificateListener(listener: grpc.experimental.IdentityCertificateUpdateListener): void {
    setImmediate(() =>
      listener({ certificate: Buffer.from(this.certPem), privateKey: Buffer.from(this.keyPem) }),
    );
  }
  removeIdentityCertificateListener(): void {}
}

class FakeController {
  readonly registrations: RegisterRequest__Output[] = [];
  readonly received: AgentMessage__Output[] = [];
  readonly clientCertificates: string[] = [];
  private streams: Array<grpc.ServerDuplexStream<AgentMessage__Output, ControllerMessage>> = [];
  private server: grpc.Server | undefined;

  constructor(
    private readonly ca: TestCa,
    private readonly serverKeyPem: string,
    private readonly serverCertPem: string,
  ) {}

  async listen(port = 0): Promise<number> {
    const server = new grpc.Server();
    const handlers: AgentServiceHandlers = {
      Register: (call, callback) => {
        this.registrations.push(call.request);
        if (call.request.bootstrapToken !== 'good-token') {
          return callback({ code: grpc.status.UNAUTHENTICATED, details: 'unknown bootstrap token' });
        }
        const certificatePem = signCsr(this.ca, call.request.csrPem, { commonName: 'c-1' });
        callback(null, {
          clusterId: 'c-1',
          tenantId: 't-1',
          certificatePem,
          caBundlePem: this.ca.certPem,
          notAfterUnixMs: 0,
        });
      },
      RenewCertificate: (_call, callback) =>
        callback({ code: grpc.status.UNIMPLEMENTED, details: 'not in this test' }),
      Connect: (call) => {
        const peer = call.getAuthContext().sslPeerCertificate;
        if (!peer) {
          call.emit('error', { code: grpc.status.UNAUTHENTICATED, details: 'client certificate required' });
          return;
        }
        this.clientCertificates.push(String(peer.subject.CN));
        this.streams.push(call);
        call.on('data', (message: AgentMessage__Output) => {
          this.received.push(message);
          if (message.hello) call.write({ ping: { sentAtUnixMs: Date.now() } });
        });
        call.on('error', () => undefined);
        call.on('end', () => call.end());
      },
    };
    server.addService(loadAgentProto().lattice.agent.v1.AgentService.service, handlers);
    // Register has no client certificate yet and Connect needs one, on the same port: request a
    // client certificate without requiring it (createSsl can only do both or neither) and check
    // it in the handler.
    const certificates = new StaticCertificateProvider(
      this.ca.certPem,
      this.serverKeyPem,
      this.serverCertPem,
    );
    const credentials = grpc.experimental.createCertificateProviderServerCredentials(
      certificates,
      certificates,
      false,
    );
    const bound = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${port}`, credentials, (error, boundPort) =>
        error ? reject(error) : resolve(boundPort),
      ),
    );
    this.server = server;
    return bound;
  }

  send(message: ControllerMessage): void {
    const stream = this.streams.at(-1);
    if (!stream) throw new Error('no agent connected');
    stream.write(message);
  }

  get connections(): number {
    return this.streams.length;
  }

  stop(): void {
    this.server?.forceShutdown();
    this.streams = [];
  }
}

async function eventually(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for: ${what}`);
}

describe('Agent with a fake controller over gRPC', () => {
  let directory: string;
  let controller: FakeController;
  let agent: Agent | undefined;
  const ca = createTestCa('fake controller CA');
  const serverKeys = forge.pki.rsa.generateKeyPair(2048);
  const serverCertPem = issueCertificate(ca, forge.pki.publicKeyToPem(serverKeys.publicKey), {
    commonName: 'controller',
    altNames: { dns: ['localhost'], ip: ['127.0.0.1'] },
  });

  beforeEach(async () => {
    directory = await fs.mkdtemp(path.join(os.tmpdir(), 'agent-int-'));
    controller = new FakeController(ca, forge.pki.privateKeyToPem(serverKeys.privateKey), serverCertPem);
  });

  afterEach(async () => {
    await agent?.stop();
    controller.stop();
    await fs.rm(directory, { recursive: true, force: true });
  });

  function newAgent(port: number, bootstrapToken: string): Agent {
    const address = `127.0.0.1:${port}`;
    agent = new Agent({
      settings: {
        controllerAddress: address,
        clusterName: 'cluster-a',
        bootstrapToken,
        heartbeatIntervalMs: 1000,
      },
      transport: new GrpcControllerTransport({ address, registrationCaPem: ca.certPem }),
      inventorySource: new StaticInventorySource({
        namespaces: [{ name: 'shop', labels: {} }],
        services: [{ namespace: 'shop', name: 'cart', labels: {}, ports: [], endpointGroups: [] }],
      }),
      sink: new DirectorySink(path.join(directory, 'out')),
      stateStore: new AgentStateStore(path.join(directory, 'state')),
      render: fakeRenderer(),
      logger: new RecordingLogger(),
      random: () => 0.1,
    });
    return agent;
  }

  it('registers, connects over mTLS, applies a snapshot, and reconnects after the controller restarts', async () => {
    const port = await controller.listen();
    await newAgent(port, 'good-token').start();

    await eventually(() => controller.received.some((message) => message.inventory), 'hello and inventory');
    expect(controller.registrations).toHaveLength(1);
    expect(controller.clientCertificates).toEqual(['c-1']);
    expect(controller.received[0]?.hello).toMatchObject({ clusterId: 'c-1', appliedVersion: 0 });
    expect(controller.received[1]?.inventory).toMatchObject({ full: true, namespaces: [{ name: 'shop' }] });
    const keyMode = (await fs.stat(path.join(directory, 'state', 'key.pem'))).mode & 0o777;
    expect(keyMode).toBe(0o600);

    const snapshot = snapshotOf(1, desiredState('c-1', { shop: 'shop.lattice.local' }));
    controller.send({ snapshot });
    await eventually(() => controller.received.some((message) => message.ack), 'ack');
    expect(controller.received.find((message) => message.ack)?.ack).toEqual({ version: 1 });
    expect(await fs.readdir(path.join(directory, 'out'))).toContain('configmap.istio-system.gns-shop.yaml');

    // Restart the controller on the same port: the agent reconnects and says what it has.
    controller.stop();
    const restarted = new FakeController(ca, forge.pki.privateKeyToPem(serverKeys.privateKey), serverCertPem);
    controller = restarted;
    await restarted.listen(port);
    await eventually(
      () => restarted.received.some((message) => message.inventory),
      'hello and inventory after restart',
    );
    expect(restarted.received[0]?.hello).toMatchObject({ clusterId: 'c-1', appliedVersion: 1 });
    expect(restarted.received[1]?.inventory?.full).toBe(true);
    expect(restarted.registrations).toHaveLength(0);
  });

  it('stops with a clear error when the controller refuses the bootstrap token', async () => {
    const port = await controller.listen();
    await newAgent(port, 'used-token').start();
    await expect(agent!.whenStopped()).rejects.toThrow(
      'cannot register: Register failed: UNAUTHENTICATED: unknown bootstrap token',
    );
  });
});
