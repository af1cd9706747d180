import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateSyntheticTraffic } from '@lattice/agent';
import { DDSketch, MINUTE_MS } from '@lattice/domain';
import { stringify } from 'yaml';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createTenant, createToken, type TestTenant } from './support/tenants';

// The caller runs in west (registered, no agent): east, where cart runs, reports the calls.
const EDGE = {
  source: { cluster: 'west', namespace: 'shop', service: 'web' },
  destination: { namespace: 'shop', service: 'cart' },
  requestsPerSecond: 20,
  errorRatio: 0.05,
  latency: { distribution: 'lognormal' as const, p50Ms: 20, p99Ms: 120 },
};
const SEED = 42;

type Point = {
  timestamp: string;
  requests: number;
  errors: number;
  requestRate: number;
  p50: number;
  p99: number;
};

/**
 * A real agent with the synthetic telemetry source streams per-minute batches; GraphQL answers with
 * exactly the generated counts and percentiles within the sketch's error, and only to its tenant.
 */
describe('telemetry from agents to GraphQL', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let agent: AgentProcess;
  /** A cluster registered but never connected: always behind its desired version. */
  let westId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    tenant = await createTenant(controller, 'telemetry');
  });

  afterAll(async () => {
    await agent?.stop();
    await controller?.stop();
    await database?.drop();
  });

  const graphql = async (token: string, query: string, variables: Record<string, unknown>) =>
    (await controller.request('POST', '/graphql', { token, body: { query, variables } })).json as {
      data?: {
        serviceMetrics: Point[];
        topology?: {
          nodes: { id: string; clusterName: string; service: string; member: boolean }[];
          edges: { sourceId: string; destinationId: string; requests: number }[];
        };
      };
      errors?: unknown[];
    };

  it('counts every generated request once and answers percentiles within 1 %', async () => {
    const created = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'east' },
    });
    const { bootstrap } = created.json as unknown as {
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
    const west = await controller.request('POST', '/v1/clusters', {
      token: tenant.adminToken,
      body: { name: 'west' },
    });
    westId = (west.json as { cluster: { id: string } }).cluster.id;
    const trafficFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'traffic-')), 'traffic.yaml');
    fs.writeFileSync(trafficFile, stringify({ seed: SEED, edges: [EDGE] }));
    agent = new AgentProcess('east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: bootstrap.controllerCaPem,
      bootstrapToken: bootstrap.token,
      extraArgs: ['--telemetry-synthetic', trafficFile, '--telemetry-interval-seconds', '1'],
    });
    agent.writeInventory({
      namespaces: [{ name: 'shop' }],
      services: [{ namespace: 'shop', name: 'cart', ports: [{ name: 'http', port: 80, protocol: 'HTTP' }] }],
    });
    agent.start();

    // The source reports a minute once it is complete: wait for the first one to be queryable.
    const startedAt = Date.now();
    const from = new Date(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS - 5 * MINUTE_MS).toISOString();
    const to = new Date(Math.floor(startedAt / MINUTE_MS) * MINUTE_MS + 5 * MINUTE_MS).toISOString();
    const query =
      'query($gns: ID!, $from: DateTime!, $to: DateTime!) { serviceMetrics(gnsId: $gns, service: "cart", from: $from, to: $to, step: 60) { timestamp requests errors requestRate p50 p99 } }';
    const points = await eventually(
      async () =>
        (await graphql(tenant.adminToken, query, { gns: gnsId, from, to })).data?.serviceMetrics ?? [],
      (series) => series.some((point) => point.requests > 0),
      150_000,
    );
    const reported = points.filter((point) => point.requests > 0);
    expect(reported).toHaveLength(1);
    const minute = Date.parse(reported[0]!.timestamp);
    const [expected] = generateSyntheticTraffic({
      seed: SEED,
      fromUnixMs: minute,
      toUnixMs: minute + MINUTE_MS,
      edges: [EDGE],
    });
    const sketch = DDSketch.fromJSON(expected!.latency);
    expect(reported[0]).toMatchObject({ requests: expected!.requests, errors: expected!.errors });
    expect(reported[0]!.requestRate).toBeCloseTo(expected!.requests / 60, 6);
    expect(Math.abs(reported[0]!.p50 - sketch.quantile(0.5)!) / sketch.quantile(0.5)!).toBeLessThanOrEqual(
      0.01,
    );
    expect(Math.abs(reported[0]!.p99 - sketch.quantile(0.99)!) / sketch.quantile(0.99)!).toBeLessThanOrEqual(
      0.01,
    );

    // The caller shows in its own cluster (outside the GNS), cart where it runs, one edge between them.
    const topology = (
      await graphql(
        tenant.adminToken,
        'query($gns: ID!, $from: DateTime!, $to: DateTime!) { topology(gnsId: $gns, from: $from, to: $to) { nodes { id clusterName service member } edges { sourceId destinationId requests } } }',
        { gns: gnsId, from, to },
      )
    ).data?.topology;
    expect(topology?.nodes.map((node) => [node.clusterName, node.service, node.member])).toEqual(
      expect.arrayContaining([
        ['east', 'cart', true],
        ['west', 'web', false],
      ]),
    );
    expect(topology?.nodes).toHaveLength(2);
    expect(topology?.edges).toHaveLength(1);
    expect(topology?.edges[0]?.requests).toBeGreaterThanOrEqual(expected!.requests);

    // Another tenant sees nothing of it, even with the GNS id.
    const other = await createTenant(controller, 'other');
    const viewer = await createToken(controller, other, 'viewer');
    const foreign = await graphql(viewer.token, query, { gns: gnsId, from, to });
    expect(foreign.data?.serviceMetrics ?? []).toEqual([]);
  }, 240_000);

  it('explains convergence, ingest, GraphQL and the CAs on the metrics port', async () => {
    let text = '';
    /** The value of one series, given its name and labels exactly as exposed. */
    const value = (series: string): number => {
      const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
      if (!line) throw new Error(`no series ${series} in:\n${text}`);
      return Number(line.slice(series.length + 1));
    };
    // Only west (never connected) stays behind; east may still be applying its newest version.
    const westLag = `lattice_cluster_config_lag_versions{tenant_id="${tenant.id}",cluster_id="${westId}"}`;
    const deadline = Date.now() + 60_000;
    do {
      text = await (await fetch(controller.metricsUrl)).text();
      if (value('lattice_clusters_behind') === 1) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    } while (Date.now() < deadline);
    expect(value('lattice_clusters_behind')).toBe(1);
    expect(value(westLag)).toBeGreaterThanOrEqual(1);
    expect(value('lattice_config_propagation_seconds_count')).toBeGreaterThanOrEqual(1);
    // The agents speak the delta protocol (docs/agent-protocol.md): their snapshots go as DeltaSnapshot.
    expect(value('lattice_grpc_agent_messages_sent_total{kind="deltaSnapshot"}')).toBeGreaterThanOrEqual(1);
    expect(value('lattice_grpc_agent_messages_total{kind="telemetry"}')).toBeGreaterThanOrEqual(1);
    expect(value('lattice_telemetry_rows_total{outcome="stored"}')).toBeGreaterThan(0);
    expect(value('lattice_telemetry_ingest_lag_seconds_count')).toBeGreaterThan(0);
    expect(
      value(
        'lattice_graphql_operation_duration_seconds_count{operation_type="query",root_field="serviceMetrics",outcome="ok"}',
      ),
    ).toBeGreaterThanOrEqual(1);
    // The GNS root is valid for years.
    expect(value('lattice_ca_certificate_expiry_seconds{kind="root"}')).toBeGreaterThan(365 * 86_400);
    // Standard Node.js names, so stock dashboards work.
    expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('lattice_job_queue_depth');
  }, 90_000);
});
