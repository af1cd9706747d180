// The whole path of mesh telemetry from Prometheus: a fixture exporter serves Istio-shaped series,
// a real Prometheus scrapes it, a real agent reads it through Prometheus' query API and the
// controller answers GraphQL with exactly the traffic the fixture recorded.
import { MINUTE_MS } from '@lattice/domain';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { IstioFixtureExporter } from './support/istio-fixture-exporter';
import { PrometheusServer } from './support/prometheus-server';
import { createTenant, type TestTenant } from './support/tenants';

type Point = { timestamp: string; requests: number; errors: number; p50: number; p99: number };

const webToCart = (code: string) => ({
  reporter: 'destination',
  source_workload: 'web-v1',
  source_canonical_service: 'web',
  source_workload_namespace: 'shop',
  destination_service_name: 'cart',
  destination_service_namespace: 'shop',
  response_code: code,
});

describe('telemetry from Prometheus to GraphQL', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let prometheus: PrometheusServer;
  let agent: AgentProcess | undefined;
  const exporter = new IstioFixtureExporter();

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    tenant = await createTenant(controller, 'prometheus');
    prometheus = await PrometheusServer.start([await exporter.listen()], {
      metricsPath: '/stats/prometheus',
    });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await prometheus?.stop();
    await exporter.close();
    await controller?.stop();
    await database?.drop();
  });

  it('reports exactly the requests, errors and latencies the mesh served', async () => {
    const created = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'east' },
    });
    const { cluster, bootstrap } = created.json as {
      cluster: { id: string };
      bootstrap: { token: string; controllerCaPem: string };
    };
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
    const gnsId = (gns.json as { id: string }).id;

    agent = new AgentProcess('east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: bootstrap.controllerCaPem,
      bootstrapToken: bootstrap.token,
      extraArgs: ['--telemetry-prometheus-url', prometheus.url, '--telemetry-interval-seconds', '1'],
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [{ namespace: 'shop', name: 'cart', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] }],
    });
    agent.start();
    await eventually(
      async () =>
        (
          (await controller.request('GET', `/v1/clusters/${cluster.id}`, { token: tenant.adminToken }))
            .json as {
            status: string;
          }
        ).status,
      (status) => status === 'CONNECTED',
      60_000,
    );
    // The agent's first answer from Prometheus is its baseline; traffic starts after it (the series
    // do not exist yet, so whatever they hold when they appear is new).
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const startedAt = Date.now();
    exporter.record(webToCart('200'), 120, 3); // (1, 5] ms
    exporter.record(webToCart('200'), 30, 40); // (25, 50] ms
    exporter.record(webToCart('503'), 6, 700); // (500, 1000] ms
    await prometheus.waitForQuery(
      'sum(istio_requests_total)',
      (result) => Number(result[0]?.value[1]) === 156,
    );

    const from = new Date(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS - 5 * MINUTE_MS).toISOString();
    const to = new Date(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS + 5 * MINUTE_MS).toISOString();
    const query =
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 60) { timestamp requests errors p50 p99 } }';
    const total = (points: Point[]) => points.reduce((sum, point) => sum + point.requests, 0);
    const points = await eventually(
      async () =>
        (
          (
            await controller.request('POST', '/graphql', {
              token: tenant.adminToken,
              body: { query, variables: { gns: gnsId, from, to } },
            })
          ).json as { data?: { serviceMetrics: Point[] } }
        ).data?.serviceMetrics ?? [],
      (series) => total(series) >= 156,
      60_000,
    );
    const reported = points.filter((point) => point.requests > 0);
    expect(total(reported)).toBe(156);
    expect(reported.reduce((sum, point) => sum + point.errors, 0)).toBe(6);
    // One interval saw it all: one minute, with percentiles at the buckets' geometric midpoints.
    expect(reported).toHaveLength(1);
    expect(reported[0]!.p50).toBeCloseTo(Math.sqrt(5), 1);
    expect(Math.abs(reported[0]!.p99 / Math.sqrt(500 * 1000) - 1)).toBeLessThanOrEqual(0.01);
  }, 240_000);
});
