// SLO-aware autoscaling end to end: the real controller, a real agent process whose sink and
// autoscaler talk to the test Kubernetes API server (scale subresource, metrics.k8s.io PodMetrics,
// autoscaling/v2 HPAs), and a real Prometheus scraping a fixture exporter of Istio metrics.
import { Client } from 'pg';
import { AgentProcess } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { IstioFixtureExporter } from './support/istio-fixture-exporter';
import { call, podMetrics, start, type KubeApiServer } from './support/kube-api-server';
import { PrometheusServer } from './support/prometheus-server';
import { createCluster, createTenant, type TestTenant } from './support/tenants';

type AutoscalingEvent = {
  decisionId: string;
  action: string;
  outcome: string;
  fromReplicas: number;
  toReplicas: number;
  rule: string;
  blockedBy: string | null;
  decidedAt: string;
  clusterName: string;
  target: { kind: string; namespace: string; name: string };
  windows: { trigger: string; samples: number; min: number | null; max: number | null; verdict: string }[];
};
type Condition = { type: string; status: string; reason: string; message: string };

const NS = 'shop';

function deployment(name: string, replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'app' }] } },
    },
  };
}

describe('SLO-aware autoscaling', () => {
  let kube: KubeApiServer;
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let prometheus: PrometheusServer;
  let agent: AgentProcess;
  let gnsId: string;
  let clusterId: string;
  let traffic: NodeJS.Timeout | undefined;
  const exporter = new IstioFixtureExporter();

  const replicasOf = (name: string) =>
    (
      kube.store.get({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: NS, name }) as {
        spec: { replicas: number };
      }
    ).spec.replicas;
  const setCpu = (app: string, millicores: number) => {
    for (const pod of ['a', 'b'])
      kube.store.upsert(
        podMetrics({
          namespace: NS,
          name: `${app}-${pod}`,
          labels: { app },
          containers: [
            { name: app, cpu: `${millicores / 2}m`, memory: '64Mi' },
            { name: 'istio-proxy', cpu: `${millicores / 2}m`, memory: '32Mi' },
          ],
        }),
      );
  };
  const events = async (service: string) => {
    const response = await controller.request(
      'GET',
      `/v1/global-namespaces/${gnsId}/services/${service}/autoscaling/events?limit=100`,
      { token: tenant.adminToken },
    );
    expect(response.status).toBe(200);
    return (response.json as unknown as { items: AutoscalingEvent[] }).items;
  };
  const putPolicy = async (service: string, spec: Record<string, unknown>, version?: number) => {
    const response = await controller.request(
      'PUT',
      `/v1/global-namespaces/${gnsId}/services/${service}/autoscaling`,
      {
        token: tenant.adminToken,
        body: spec,
        ...(version !== undefined ? { headers: { 'if-match': `"${version}"` } } : {}),
      },
    );
    if (response.status >= 300)
      throw new Error(`PUT policy of ${service}: ${response.status} ${response.text}`);
    return response.json as unknown as { version: number };
  };
  const conditions = async () =>
    (
      (await controller.request('GET', `/v1/clusters/${clusterId}`, { token: tenant.adminToken }))
        .json as unknown as {
        conditions: Condition[];
      }
    ).conditions;

  const cartPolicy = {
    mode: 'EFFICIENCY',
    instances: { min: 1, max: 6, default: 2, stepsUp: 2, stepsDown: 1 },
    triggers: [{ metric: 'CPU', scaleUp: 500, scaleDown: 150 }],
    windowSeconds: 3,
    gracePeriodSeconds: 8,
  };

  beforeAll(async () => {
    kube = await start({ istioVersions: ['v1'] });
    for (const name of [NS, 'istio-system'])
      kube.store.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    kube.store.apply(deployment('cart', 2));
    kube.store.apply(deployment('checkout', 2));
    kube.store.apply(deployment('web', 2));
    kube.store.apply({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'web', namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
        minReplicas: 1,
        maxReplicas: 4,
      },
    });
    setCpu('cart', 200);
    setCpu('web', 900);

    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'autoscaling');
    prometheus = await PrometheusServer.start([await exporter.listen()], {
      metricsPath: '/stats/prometheus',
    });

    const cluster = await createCluster(controller, tenant.adminToken, 'east', '203.0.113.10');
    clusterId = cluster.id;
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: tenant.adminToken,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'EXACT', value: NS } },
        ],
      },
    });
    gnsId = (gns.json as { id: string }).id;

    agent = new AgentProcess('east', {
      controllerAddress: () => controller.grpcAddress,
      caPem: cluster.controllerCaPem,
      bootstrapToken: cluster.bootstrapToken,
      kubeconfigPath: kube.kubeconfigPath,
      extraArgs: [
        '--telemetry-prometheus-url',
        prometheus.url,
        '--telemetry-interval-seconds',
        '5',
        '--autoscaling-interval-seconds',
        '1',
      ],
    });
    agent.writeInventory({
      namespaces: [{ name: NS }],
      services: ['cart', 'checkout', 'web'].map((name) => ({
        namespace: NS,
        name,
        labels: { app: name },
        ports: [{ name: 'http', port: 80, protocol: 'HTTP' }],
        endpointGroups: [{ labels: { app: name }, ready: 2 }],
      })),
    });
    agent.start();
    await eventually(
      async () =>
        (
          (await controller.request('GET', `/v1/clusters/${clusterId}`, { token: tenant.adminToken }))
            .json as {
            status: string;
          }
        ).status,
      (status) => status === 'CONNECTED',
      60_000,
    );
  }, 180_000);

  afterAll(async () => {
    if (process.env.AUTOSCALING_E2E_LOGS) {
      process.stdout.write(`--- controller\n${controller?.logs ?? ''}\n--- agent\n${agent?.logs ?? ''}\n`);
    }
    if (traffic) clearInterval(traffic);
    await agent?.stop();
    await prometheus?.stop();
    await exporter.close();
    await controller?.stop();
    await database?.drop();
    await kube?.close();
  });

  it('serves PodMetrics read-only, by label selector, as metrics-server does', async () => {
    const list = await call(
      kube,
      'GET',
      `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods?labelSelector=app%3Dcart`,
    );
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1' });
    expect(
      (list.body as { items: { metadata: { name: string } }[] }).items.map((item) => item.metadata.name),
    ).toEqual(['cart-a', 'cart-b']);
    const write = await call(kube, 'POST', `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`, {
      body: podMetrics({ namespace: NS, name: 'x', labels: {}, containers: [] }),
    });
    expect(write.status).toBe(405);
    expect(write.body).toMatchObject({ kind: 'Status', reason: 'MethodNotAllowed' });
    const discovery = await call(kube, 'GET', '/apis/metrics.k8s.io/v1beta1');
    expect((discovery.body as { resources: { name: string; verbs: string[] }[] }).resources).toContainEqual(
      expect.objectContaining({ name: 'pods', verbs: ['get', 'list'] }),
    );
  });

  it('refuses a bad policy naming every field, and another tenant cannot see it', async () => {
    const bad = await controller.request('PUT', `/v1/global-namespaces/${gnsId}/services/cart/autoscaling`, {
      token: tenant.adminToken,
      body: {
        ...cartPolicy,
        instances: { min: 3, max: 2, default: 2 },
        triggers: [{ metric: 'CPU', scaleUp: 1, scaleDown: 5 }],
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('instances.min');
    expect(bad.text).toContain('triggers[0].scaleDown');
    const other = await createTenant(controller, 'other-autoscaling');
    const peek = await controller.request(
      'GET',
      `/v1/global-namespaces/${gnsId}/services/cart/autoscaling/events`,
      {
        token: other.adminToken,
      },
    );
    expect(peek.status).toBe(404);
  });

  it('scales up after a load ramp stays above the threshold for the window, and down after the grace period', async () => {
    await putPolicy('web', { ...cartPolicy });
    await putPolicy('checkout', {
      mode: 'EFFICIENCY',
      instances: { min: 1, max: 5, default: 2 },
      triggers: [{ metric: 'REQUESTS_PER_SECOND', scaleUp: 40, scaleDown: 5 }],
      windowSeconds: 3,
      gracePeriodSeconds: 5,
      recommendOnly: true,
    });
    await putPolicy('cart', cartPolicy);
    // Steady load between the thresholds: nothing happens.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect(replicasOf('cart')).toBe(2);

    // The ramp: 400, then 700 millicores per pod (above scaleUp 500).
    setCpu('cart', 400);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const crossedAt = Date.now();
    setCpu('cart', 700);
    await eventually(
      async () => replicasOf('cart'),
      (replicas) => replicas === 4,
      30_000,
    );
    const scaledUpAt = Date.now();
    // Not before a whole window above the threshold (the sampling interval adds up to a second).
    expect(scaledUpAt - crossedAt).toBeGreaterThanOrEqual(3_000);
    const up = await eventually(
      () => events('cart'),
      (items) => items.some((event) => event.outcome === 'APPLIED' && event.action === 'SCALE_UP'),
      15_000,
    );
    const applied = up.find((event) => event.outcome === 'APPLIED' && event.action === 'SCALE_UP')!;
    expect(applied).toMatchObject({ fromReplicas: 2, toReplicas: 4, clusterName: 'east', blockedBy: null });
    expect(applied.target).toEqual({ kind: 'Deployment', namespace: NS, name: 'cart' });
    expect(applied.rule).toContain('CPU stayed above scaleUp 500');
    expect(applied.windows[0]).toMatchObject({ trigger: 'CPU', verdict: 'UP' });
    expect(applied.windows[0]!.min).toBeGreaterThan(500);
    // Server-side apply on the scale subresource: spec.replicas is the agent's.
    const object = kube.store.get({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: NS,
      name: 'cart',
    }) as {
      metadata: { managedFields?: { manager: string; subresource?: string }[] };
    };
    expect(object.metadata.managedFields).toContainEqual(
      expect.objectContaining({ manager: 'lattice-agent', subresource: 'scale' }),
    );

    // The load drops: down by one, only after the grace period since the scale-up.
    setCpu('cart', 50);
    await eventually(
      async () => replicasOf('cart'),
      (replicas) => replicas === 3,
      40_000,
    );
    expect(Date.now() - scaledUpAt).toBeGreaterThanOrEqual(cartPolicy.gracePeriodSeconds * 1000 - 1_000);
    const down = await eventually(
      () => events('cart'),
      (items) => items.some((event) => event.outcome === 'APPLIED' && event.action === 'SCALE_DOWN'),
      15_000,
    );
    expect(down.find((event) => event.action === 'SCALE_DOWN')!.rule).toContain('stayed below scaleDown 150');

    // The same decisions through GraphQL, a connection with enums.
    const graphql = await controller.request('POST', '/graphql', {
      token: tenant.adminToken,
      body: {
        query:
          'query($gns: ID!) { autoscalingEvents(gnsId: $gns, service: "cart", first: 10) { nodes { action outcome fromReplicas toReplicas blockedBy windows { trigger verdict } } pageInfo { hasNextPage } } }',
        variables: { gns: gnsId },
      },
    });
    const nodes = (
      graphql.json as {
        data: { autoscalingEvents: { nodes: { action: string; outcome: string; toReplicas: number }[] } };
      }
    ).data.autoscalingEvents.nodes;
    expect(nodes).toContainEqual(
      expect.objectContaining({ action: 'SCALE_UP', outcome: 'APPLIED', toReplicas: 4 }),
    );
    expect(nodes).toContainEqual(
      expect.objectContaining({ action: 'SCALE_DOWN', outcome: 'APPLIED', toReplicas: 3 }),
    );
  }, 120_000);

  it('does not scale down while an actionable SLO on the service has a violated indicator', async () => {
    const slo = await controller.request('POST', '/v1/slos', {
      token: tenant.adminToken,
      body: {
        gnsId,
        name: 'cart-errors',
        services: ['cart'],
        indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
        targetPercent: 99,
        window: '1d',
        budgeting: 'TIME_SLICES',
        type: 'ACTIONABLE',
      },
    });
    expect(slo.status).toBe(201);
    const sloId = (slo.json as { id: string }).id;
    // The evaluator's verdict for the last minute: the error-rate indicator does not hold. Written as
    // the evaluation job writes it (minute-granular evaluation would make this test take minutes).
    const db = new Client({ connectionString: database.url });
    await db.connect();
    try {
      await db.query(
        `INSERT INTO slo_states (slo_id, tenant_id, evaluated_at, status, evaluation, active_alerts, updated_at)
         VALUES ($1, $2, now(), 'VIOLATED', $3, '[]', now())
         ON CONFLICT (slo_id) DO UPDATE SET evaluation = EXCLUDED.evaluation`,
        [
          sloId,
          tenant.id,
          JSON.stringify({
            indicators: [
              { indicator: { kind: 'ERROR_RATE', maxErrorRatePercent: 1 }, value: 7.5, holds: false },
            ],
          }),
        ],
      );
    } finally {
      await db.end();
    }
    // Any change to the tenant recomputes the desired state; the policy's own update is one.
    const current = (
      await controller.request('GET', `/v1/global-namespaces/${gnsId}/services/cart/autoscaling`, {
        token: tenant.adminToken,
      })
    ).json as { version: number };
    await putPolicy('cart', { ...cartPolicy, gracePeriodSeconds: 2 }, current.version);
    const blocked = await eventually(
      () => events('cart'),
      (items) => items.some((event) => event.outcome === 'BLOCKED' && event.blockedBy === 'SLO'),
      40_000,
    );
    const block = blocked.find((event) => event.blockedBy === 'SLO')!;
    expect(block).toMatchObject({ action: 'HOLD', fromReplicas: 3, toReplicas: 3 });
    expect(block.rule).toContain('cart-errors');
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(replicasOf('cart')).toBe(3);
  }, 90_000);

  it('records recommendations without scaling (request rate from Prometheus)', async () => {
    const checkout = {
      reporter: 'destination',
      source_workload: 'web-v1',
      source_canonical_service: 'web',
      source_workload_namespace: NS,
      destination_service_name: 'checkout',
      destination_service_namespace: NS,
      response_code: '200',
    };
    // 200 requests per second in all: 100 per replica, above scaleUp 40.
    traffic = setInterval(() => exporter.record(checkout, 50, 20), 250);
    const recommended = await eventually(
      () => events('checkout'),
      (items) => items.some((event) => event.outcome === 'RECOMMENDED' && event.action === 'SCALE_UP'),
      60_000,
    );
    // Before the traffic, no requests at all: a scale-down was recommended, and not applied either.
    expect(recommended.find((event) => event.action === 'SCALE_DOWN')).toMatchObject({
      outcome: 'RECOMMENDED',
      fromReplicas: 2,
      toReplicas: 1,
    });
    const recommendation = recommended.find(
      (event) => event.outcome === 'RECOMMENDED' && event.action === 'SCALE_UP',
    )!;
    expect(recommendation).toMatchObject({ action: 'SCALE_UP', fromReplicas: 2, toReplicas: 3 });
    expect(recommendation.windows[0]).toMatchObject({ trigger: 'REQUESTS_PER_SECOND', verdict: 'UP' });
    expect(recommendation.windows[0]!.min).toBeGreaterThan(40);
    expect(replicasOf('checkout')).toBe(2);
  }, 90_000);

  it('stands aside for an HPA on the workload, with a condition and no scaling', async () => {
    const condition = await eventually(
      conditions,
      (list) => list.some((c) => c.type === 'AutoscalingReady' && c.status === 'False'),
      30_000,
    );
    expect(condition.find((c) => c.type === 'AutoscalingReady')).toMatchObject({
      reason: 'HorizontalPodAutoscalerConflict',
      message: expect.stringContaining('HorizontalPodAutoscaler shop/web'),
    });
    const web = await events('web');
    expect(web.filter((event) => event.blockedBy === 'HPA')).toEqual([
      expect.objectContaining({ outcome: 'BLOCKED', fromReplicas: 2, toReplicas: 2 }),
    ]);
    expect(web.filter((event) => event.outcome === 'APPLIED')).toEqual([]);
    expect(replicasOf('web')).toBe(2);
  }, 60_000);
});
