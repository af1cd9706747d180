import * as grpc from '@grpc/grpc-js';
import { createCsr } from '@lattice/pki';
import {
  loadAgentProto,
  type AgentMessage,
  type AgentServiceClient,
  type ControllerMessage__Output,
} from '@lattice/proto';

/** A bare protocol client for tests that poke at the agent endpoint directly (malformed input included). */
export function agentClient(
  address: string,
  caPem: string,
  identity?: { keyPem: string; certPem: string },
): AgentServiceClient {
  const proto = loadAgentProto();
  const credentials = grpc.credentials.createSsl(
    Buffer.from(caPem),
    identity ? Buffer.from(identity.keyPem) : null,
    identity ? Buffer.from(identity.certPem) : null,
  );
  return new proto.lattice.agent.v1.AgentService(address, credentials, {
    'grpc.max_send_message_length': 64 * 1024 * 1024,
  }) as unknown as AgentServiceClient;
}

export interface RegisteredAgent {
  clusterId: string;
  tenantId: string;
  keyPem: string;
  certPem: string;
}

export async function registerAgent(
  client: AgentServiceClient,
  bootstrapToken: string,
  clusterName: string,
): Promise<RegisteredAgent> {
  const { csrPem, privateKeyPem } = await createCsr({ commonName: clusterName, rsaBits: 2048 });
  const response = await new Promise<{ clusterId: string; tenantId: string; certificatePem: string }>(
    (resolve, reject) =>
      client.Register({ bootstrapToken, clusterName, csrPem, agentVersion: 'test' }, (error, value) =>
        error ? reject(error) : resolve(value!),
      ),
  );
  return {
    clusterId: response.clusterId,
    tenantId: response.tenantId,
    keyPem: privateKeyPem,
    certPem: response.certificatePem,
  };
}

/** An open Connect stream that records what the controller sends and how the stream ended. */
export class TestStream {
  readonly received: ControllerMessage__Output[] = [];
  ended: Promise<grpc.StatusObject>;
  private readonly call: grpc.ClientDuplexStream<AgentMessage, ControllerMessage__Output>;

  constructor(client: AgentServiceClient) {
    this.call = client.Connect();
    this.call.on('data', (message: ControllerMessage__Output) => this.received.push(message));
    this.ended = new Promise((resolve) => {
      this.call.on('status', resolve);
      this.call.on('error', () => undefined);
    });
  }

  send(message: AgentMessage): void {
    this.call.write(message);
  }

  close(): void {
    this.call.end();
  }

  cancel(): void {
    this.call.cancel();
  }

  async waitFor(
    predicate: (message: ControllerMessage__Output) => boolean,
    timeoutMs = 10_000,
  ): Promise<ControllerMessage__Output> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const found = this.received.find(predicate);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `no matching message within ${timeoutMs} ms; got ${JSON.stringify(this.received.map((m) => m.body))}`,
    );
  }
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T = await probe();
  while (!accept(last)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    last = await probe();
  }
  return last;
}
