import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

interface ExportedSpan {
  traceId: string;
  name: string;
  attributes?: { key: string; value: { stringValue?: string } }[];
}

/** A minimal OTLP/HTTP receiver (JSON encoding): keeps every span the controller exports. */
async function startOtlpReceiver(): Promise<{ url: string; spans: ExportedSpan[]; close(): Promise<void> }> {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.url === '/v1/traces') {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
        };
        for (const resource of body.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    spans,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('tracing with OpenTelemetry (OTEL_* variables, OTLP export)', () => {
  let database: TestDatabase;
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>>;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let agent: AgentProcess | undefined;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await startOtlpReceiver();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_BSP_SCHEDULE_DELAY: '200',
        OTEL_SERVICE_NAME: 'lattice-controller-e2e',
        LOG_LEVEL: 'info', // request and agent-stream lines, written inside their spans
      },
    });
    await controller.start();
    tenant = await createTenant(controller, 'traced');
  });

  afterAll(async () => {
    await agent?.stop();
    await controller?.stop();
    await receiver?.close();
    await database?.drop();
  });

  const spanNamed = (pattern: RegExp) => receiver.spans.find((span) => pattern.test(span.name));
  async function waitForSpan(pattern: RegExp): Promise<ExportedSpan> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const span = spanNamed(pattern);
      if (span) return span;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(
      `no span matching ${pattern} among: ${[...new Set(receiver.spans.map((s) => s.name))].join(', ')}`,
    );
  }

  it('exports spans for HTTP, GraphQL, the database, Redis, jobs and agent messages, with trace ids in the logs', async () => {
    const cluster = await createCluster(controller, tenant.adminToken, 'east', '203.0.113.10');
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    expect(gns.status).toBe(201);
    const query = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: { query: '{ clusters(first: 5) { nodes { id name } } }' },
    });
    expect(query.status).toBe(200);
    agent = new AgentProcess('east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: cluster.controllerCaPem,
      bootstrapToken: cluster.bootstrapToken,
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [{ namespace: 'shop', name: 'cart', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] }],
    });
    agent.start();

    const rest = await waitForSpan(/^POST \/v1\/global-namespaces$/);
    await waitForSpan(/^(query|graphql\.execute)/);
    await waitForSpan(/^(prisma:|pg\.query)/);
    await waitForSpan(/^(evalsha|eval|incr|get|set|publish|pttl)$/i);
    await waitForSpan(/^(add|process) /); // BullMQ: a job added and processed
    const ack = await waitForSpan(/^agent\.message (hello|inventory|ack)$/);
    expect(ack.attributes).toEqual(
      expect.arrayContaining([{ key: 'lattice.cluster_id', value: { stringValue: cluster.id } }]),
    );
    // Every line is JSON in the one shape controller and agent share (level, time, pid, hostname,
    // service: libs/platform/src/logging.ts); lines written inside a span carry its trace id.
    const lines = controller.logs
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown> & { trace_id?: string });
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: expect.any(Number),
        time: expect.any(Number),
        pid: expect.any(Number),
        hostname: expect.any(String),
        service: 'lattice-controller',
      });
    }
    const traced = lines.filter((line) => line.trace_id);
    expect(traced.length).toBeGreaterThan(0);
    expect(receiver.spans.map((span) => span.traceId)).toEqual(expect.arrayContaining([traced[0]!.trace_id]));
    expect(rest.traceId).toMatch(/^[0-9a-f]{32}$/);
  }, 180_000);
});
