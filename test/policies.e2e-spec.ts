import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { Service } from 'kubernetes-models/v1/Service';
import { parse } from 'yaml';
import { assertIstioClean, type AnalyzedObject } from './support/istio-analyzer';
import { AgentProcess, type InventoryFile } from './support/agent-process';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { eventually } from './support/grpc-agent-client';
import { createCluster, createTenant, createToken, type TestTenant } from './support/tenants';

type ClusterView = { status: string; desiredVersion: number; appliedVersion: number; lastNack: unknown };
interface Manifest {
  kind: string;
  metadata: { name: string; namespace: string; labels: Record<string, string> };
  spec: Record<string, unknown>;
}

function shop(services: { name: string; version: string }[]): InventoryFile {
  return {
    namespaces: [{ name: 'shop' }],
    services: services.map(({ name, version }) => ({
      namespace: 'shop',
      name,
      ports: [{ name: 'http', port: 8080, protocol: 'HTTP' }],
      endpointGroups: [{ labels: { app: name, version }, ready: 1 }],
    })),
  };
}

const canary = {
  subsets: [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ],
  routes: [
    {
      destinations: [
        { subset: 'v1', weight: 90 },
        { subset: 'v2', weight: 10 },
      ],
    },
  ],
  retries: { attempts: 2, perTryTimeout: '500ms' },
};

/**
 * Real controller and two real agents (file inventory, directory sink): policies written through
 * REST become Istio objects in both clusters' folders, and disappear again when removed.
 */
describe('traffic and security policies end to end', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let tenant: TestTenant;
  let editor: string;
  let viewer: string;
  let gnsId: string;
  const clusterIds: Record<string, string> = {};
  const agents: Record<string, AgentProcess> = {};

  const clusterView = async (id: string) =>
    (await controller.request('GET', `/v1/clusters/${id}`, { token: tenant.adminToken }))
      .json as unknown as ClusterView;
  /** Manifests of one agent whose file name starts with `prefix` (`<kind>.<namespace>.`), parsed. */
  const manifests = (cluster: string, prefix: string): Manifest[] =>
    agents[cluster]!.readManifests((file) => file.startsWith(prefix)).map((text) => parse(text) as Manifest);
  const cartHost = (manifest: Manifest) =>
    manifest.spec.host === 'cart.shop.lattice.local' ||
    (manifest.spec.hosts as string[] | undefined)?.[0] === 'cart.shop.lattice.local';
  const policyUrl = (path: string) => `/v1/global-namespaces/${gnsId}/${path}`;
  const appliedEverywhere = async () => {
    for (const id of Object.values(clusterIds))
      await eventually(
        () => clusterView(id),
        (c) => c.status === 'CONNECTED' && c.desiredVersion > 0 && c.appliedVersion === c.desiredVersion,
        30_000,
      );
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({
      databaseUrl: database.url,
      env: { LATTICE_AGENT_HEARTBEAT_SECONDS: '2' },
    });
    await controller.start();
    tenant = await createTenant(controller, 'policies');
    editor = (await createToken(controller, tenant, 'editor')).token;
    viewer = (await createToken(controller, tenant, 'viewer')).token;
    for (const [name, address, inventory] of [
      [
        'east',
        '203.0.113.10',
        shop([
          { name: 'cart', version: 'v1' },
          { name: 'frontend', version: 'v1' },
        ]),
      ],
      [
        'west',
        '203.0.113.20',
        shop([
          { name: 'cart', version: 'v2' },
          { name: 'payments', version: 'v1' },
        ]),
      ],
    ] as const) {
      const cluster = await createCluster(controller, editor, name, address, {
        network: `net-${name}`,
        region: name === 'east' ? 'us-east-1' : 'us-west-2',
      });
      clusterIds[name] = cluster.id;
      const agent = new AgentProcess(name, {
        controllerAddress: () => controller.grpcAddress,
        caPem: cluster.controllerCaPem,
        bootstrapToken: cluster.bootstrapToken,
      });
      agent.writeInventory(inventory);
      agent.start();
      agents[name] = agent;
    }
    const gns = await controller.request('POST', '/v1/global-namespaces', {
      token: editor,
      body: {
        name: 'shop',
        domain: 'shop.lattice.local',
        matchConditions: [
          { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
        ],
      },
    });
    gnsId = (gns.json as { id: string }).id;
    // Both agents publish the GNS hosts (cart, frontend, payments) before policies are tried.
    for (const name of ['east', 'west'])
      await eventually(
        async () => manifests(name, 'serviceentry.').length,
        (count) => count === 3,
        30_000,
      );
    await appliedEverywhere();
  });

  afterAll(async () => {
    await Promise.all(Object.values(agents).map((agent) => agent.stop()));
    await controller?.stop();
    await database?.drop();
  });

  /** Desired versions once nothing else (inventory, CA signing) is still moving them. */
  const settledVersions = async (): Promise<number[]> => {
    const read = () =>
      Promise.all(Object.values(clusterIds).map(async (id) => (await clusterView(id)).desiredVersion));
    for (let previous = await read(); ;) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      const current = await read();
      if (JSON.stringify(current) === JSON.stringify(previous)) return current;
      previous = current;
    }
  };

  it('dry-run returns the objects each cluster would receive and changes nothing', async () => {
    await appliedEverywhere();
    const versionsBefore = await settledVersions();
    const auditCount = async () =>
      (
        (await controller.request('GET', '/v1/audit-events?limit=100', { token: tenant.adminToken })).json
          .items as unknown[]
      ).length;
    const auditBefore = await auditCount();
    const response = await controller.request('POST', policyUrl('policies/dry-run'), {
      token: editor,
      body: { trafficPolicies: [{ service: 'cart', spec: canary }] },
    });
    expect(response.status).toBe(200);
    const clusters = response.json.clusters as {
      clusterName: string;
      objects: Manifest[];
      added: string[];
      changed: string[];
    }[];
    expect(clusters.map((cluster) => cluster.clusterName)).toEqual(['east', 'west']);
    for (const cluster of clusters) {
      const virtualService = cluster.objects.find(
        (object) => object.kind === 'VirtualService' && cartHost(object),
      )!;
      new VirtualService(virtualService as never).validate();
      expect(cluster.added).toEqual([`VirtualService/istio-system/${virtualService.metadata.name}`]);
      expect(cluster.changed).toEqual(
        expect.arrayContaining([expect.stringMatching(/^DestinationRule\/istio-system\/lattice-shop-cart-/)]),
      );
    }
    const invalid = await controller.request('POST', policyUrl('policies/dry-run'), {
      token: editor,
      body: {
        trafficPolicies: [
          { service: 'cart', spec: { ...canary, routes: [{ destinations: [{ subset: 'v3' }] }] } },
        ],
      },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([
      {
        field: 'trafficPolicies[0].routes[0].destinations[0].subset',
        message: 'unknown subset "v3" (defined: v1, v2)',
      },
    ]);
    // Nothing stored, nothing distributed, nothing written by the agents.
    expect(
      (await controller.request('GET', policyUrl('traffic-policies'), { token: viewer })).json.items,
    ).toEqual([]);
    expect(await settledVersions()).toEqual(versionsBefore);
    expect(await auditCount()).toBe(auditBefore);
    for (const name of ['east', 'west']) expect(manifests(name, 'virtualservice.')).toEqual([]);
  });

  it('refuses bad policies with the field named, and checks roles and versions', async () => {
    const weights = await controller.request('PUT', policyUrl('traffic-policies/cart'), {
      token: editor,
      body: {
        ...canary,
        routes: [
          {
            destinations: [
              { subset: 'v1', weight: 90 },
              { subset: 'v2', weight: 20 },
            ],
          },
        ],
      },
    });
    expect(weights.status).toBe(400);
    expect(weights.json.errors).toEqual([
      { field: 'routes[0].destinations', message: 'weights sum to 110; they must sum to 100' },
    ]);
    const outside = await controller.request('PUT', policyUrl('traffic-policies/grafana'), {
      token: editor,
      body: canary,
    });
    expect(outside.status).toBe(400);
    expect((outside.json.errors as { field: string }[])[0]!.field).toBe('service');
    expect(
      (await controller.request('PUT', policyUrl('traffic-policies/cart'), { token: viewer, body: canary }))
        .status,
    ).toBe(403);
  });

  it('distributes a 90/10 canary to both clusters as valid Istio objects, and removes it again', async () => {
    const created = await controller.request('PUT', policyUrl('traffic-policies/cart'), {
      token: editor,
      body: canary,
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toMatch(/^"1-[\w-]+"$/);
    expect(created.json.warnings).toEqual([]);
    // Replacing needs the version.
    expect(
      (await controller.request('PUT', policyUrl('traffic-policies/cart'), { token: editor, body: canary }))
        .status,
    ).toBe(428);

    for (const name of ['east', 'west']) {
      const [virtualService] = await eventually(
        async () => manifests(name, 'virtualservice.istio-system.').filter(cartHost),
        (found) => found.length === 1,
        30_000,
      );
      new VirtualService(virtualService as never).validate();
      expect((virtualService!.spec.http as { route: unknown[] }[])[0]!.route).toEqual([
        { destination: { host: 'cart.shop.lattice.local', subset: 'v1' }, weight: 90 },
        { destination: { host: 'cart.shop.lattice.local', subset: 'v2' }, weight: 10 },
      ]);
      const destinationRule = manifests(name, 'destinationrule.istio-system.').find(cartHost)!;
      new DestinationRule(destinationRule as never).validate();
      expect((destinationRule.spec.subsets as { name: string }[]).map((subset) => subset.name)).toEqual([
        'v1',
        'v2',
      ]);
      // Endpoints carry the version their cluster runs, so each subset selects one cluster.
      const serviceEntry = manifests(name, 'serviceentry.istio-system.').find(cartHost)!;
      const versions = (serviceEntry.spec.endpoints as { labels: Record<string, string> }[]).map(
        (endpoint) => [endpoint.labels['lattice.io/endpoint-cluster'], endpoint.labels.version],
      );
      expect(versions.sort()).toEqual([
        ['east', 'v1'],
        ['west', 'v2'],
      ]);
      // Local first: the DestinationRule ranks this cluster's endpoints first, with outlier detection.
      expect(destinationRule.spec.trafficPolicy).toMatchObject({
        loadBalancer: { localityLbSetting: { enabled: true } },
        outlierDetection: { consecutive5xxErrors: 5 },
      });
      // Everything this agent rendered passes the Istio analysis.
      expect(() => assertIstioClean(manifests(name, '') as unknown as AnalyzedObject[])).not.toThrow();
    }
    await appliedEverywhere();

    const graphql = await controller.request('POST', '/graphql', {
      token: viewer,
      body: {
        query: 'query($gnsId: ID!) { trafficPolicies(gnsId: $gnsId) { service version spec } }',
        variables: { gnsId },
      },
    });
    expect(graphql.json).toMatchObject({ data: { trafficPolicies: [{ service: 'cart', version: 1 }] } });

    const removed = await controller.request('DELETE', policyUrl('traffic-policies/cart'), {
      token: editor,
      headers: { 'if-match': '"1"' },
    });
    expect(removed.status).toBe(204);
    for (const name of ['east', 'west']) {
      await eventually(
        async () => manifests(name, 'virtualservice.').length,
        (count) => count === 0,
        30_000,
      );
      await eventually(
        async () => manifests(name, 'destinationrule.istio-system.').find(cartHost)?.spec.subsets,
        (subsets) => subsets === undefined,
        30_000,
      );
    }
    const audit = await controller.request('GET', '/v1/audit-events', { token: tenant.adminToken });
    const actions = (audit.json.items as { action: string }[]).map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['traffic-policy.create', 'traffic-policy.delete']));
  });

  it('splits a 90/10 canary between v1 and v2 behind ONE Service of one cluster, and removes it again', async () => {
    const reviewsHost = (manifest: Manifest) =>
      manifest.spec.host === 'reviews.shop.lattice.local' ||
      (manifest.spec.hosts as string[] | undefined)?.[0] === 'reviews.shop.lattice.local';
    type Endpoint = { address: string; ports: Record<string, number>; labels: Record<string, string> };
    const reviewsEndpoints = (cluster: string) =>
      (manifests(cluster, 'serviceentry.istio-system.').find(reviewsHost)?.spec.endpoints ??
        []) as Endpoint[];
    // East now also runs reviews: three v1 pods and one v2 pod behind one Kubernetes Service.
    const east = shop([
      { name: 'cart', version: 'v1' },
      { name: 'frontend', version: 'v1' },
    ]);
    east.services.push({
      namespace: 'shop',
      name: 'reviews',
      ports: [{ name: 'http', port: 9080, protocol: 'HTTP', targetPort: 8080 }],
      endpointGroups: [
        { labels: { app: 'reviews', version: 'v1' }, ready: 3 },
        { labels: { app: 'reviews', version: 'v2' }, ready: 1 },
      ],
    });
    agents.east!.writeInventory(east);
    await eventually(
      async () => reviewsEndpoints('west').length,
      (count) => count === 1,
      30_000,
    );

    const created = await controller.request('PUT', policyUrl('traffic-policies/reviews'), {
      token: editor,
      body: canary,
    });
    expect(created.status).toBe(201);
    // Both versions run, so nothing to warn about.
    expect(created.json.warnings).toEqual([]);

    // East: one per-version Service per subset, next to the instance's own Service.
    const services = await eventually(
      async () => manifests('east', 'service.shop.'),
      (found) => found.length === 2,
      30_000,
    );
    for (const service of services) new Service(service as never).validate();
    const byVersion = Object.fromEntries(
      services.map((service) => [(service.spec.selector as Record<string, string>).version, service]),
    );
    for (const version of ['v1', 'v2']) {
      const service = byVersion[version]!;
      expect(service.metadata.name).toMatch(new RegExp(`^lattice-reviews-${version}-[0-9a-f]{8}$`));
      expect(service.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'lattice',
        'lattice.io/cluster': clusterIds.east,
        'lattice.io/subset': version,
      });
      expect(service.spec.selector).toEqual({ app: 'reviews', version });
      expect(service.spec.ports).toEqual([
        { name: 'http', port: 9080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' },
      ]);
    }
    // The GNS host's local endpoints are those Services, labelled so that each subset is one version.
    const local = await eventually(
      async () => reviewsEndpoints('east'),
      (endpoints) => endpoints.length === 2,
      30_000,
    );
    // Weighted by ready pods (three v1, one v2), so unsubsetted traffic is not split 1:1.
    expect(
      local.map((endpoint) => [
        endpoint.labels.version,
        endpoint.address,
        endpoint.ports.http,
        (endpoint as { weight?: number }).weight,
      ]),
    ).toEqual([
      ['v1', `${byVersion.v1!.metadata.name}.shop.svc.cluster.local`, 9080, 3],
      ['v2', `${byVersion.v2!.metadata.name}.shop.svc.cluster.local`, 9080, 1],
    ]);
    for (const name of ['east', 'west']) {
      const [virtualService] = await eventually(
        async () => manifests(name, 'virtualservice.istio-system.').filter(reviewsHost),
        (found) => found.length === 1,
        30_000,
      );
      new VirtualService(virtualService as never).validate();
      expect((virtualService!.spec.http as { route: unknown[] }[])[0]!.route).toEqual([
        { destination: { host: 'reviews.shop.lattice.local', subset: 'v1' }, weight: 90 },
        { destination: { host: 'reviews.shop.lattice.local', subset: 'v2' }, weight: 10 },
      ]);
      const destinationRule = manifests(name, 'destinationrule.istio-system.').find(reviewsHost)!;
      new DestinationRule(destinationRule as never).validate();
      expect(
        (destinationRule.spec.subsets as { name: string; labels: Record<string, string> }[]).map((subset) => [
          subset.name,
          subset.labels,
        ]),
      ).toEqual([
        ['v1', { 'subset.lattice.io/v1': 'true' }],
        ['v2', { 'subset.lattice.io/v2': 'true' }],
      ]);
      expect(() => assertIstioClean(manifests(name, '') as unknown as AnalyzedObject[])).not.toThrow();
    }
    // West reaches east's gateway through ONE endpoint in both subsets (two at one address would
    // collide in istiod), weighted by east's four ready pods; each subset's SNI picks its Service there.
    const remote = await eventually(
      async () => reviewsEndpoints('west'),
      (endpoints) => endpoints.some((endpoint) => endpoint.labels['subset.lattice.io/v2'] === 'true'),
      30_000,
    );
    expect(
      remote.map((endpoint) => [
        endpoint.labels['subset.lattice.io/v1'],
        endpoint.labels['subset.lattice.io/v2'],
        endpoint.address,
        endpoint.ports.http,
        (endpoint as { weight?: number }).weight,
      ]),
    ).toEqual([['true', 'true', '203.0.113.10', 15443, 4]]);
    expect(manifests('west', 'service.')).toEqual([]);
    await appliedEverywhere();

    // Removing the policy removes the per-version Services; the endpoint is the Service again.
    const removed = await controller.request('DELETE', policyUrl('traffic-policies/reviews'), {
      token: editor,
      headers: { 'if-match': '"1"' },
    });
    expect(removed.status).toBe(204);
    await eventually(
      async () => manifests('east', 'service.').length,
      (count) => count === 0,
      30_000,
    );
    await eventually(
      async () => reviewsEndpoints('east').map((endpoint) => endpoint.address),
      (addresses) => JSON.stringify(addresses) === JSON.stringify(['reviews.shop.svc.cluster.local']),
      30_000,
    );
    await eventually(
      async () => reviewsEndpoints('west').length,
      (count) => count === 1,
      30_000,
    );
  });

  it('renders a deny rule as an AuthorizationPolicy where the target runs, and removes it with the policy', async () => {
    const put = await controller.request('PUT', policyUrl('security-policy'), {
      token: editor,
      body: {
        defaultAction: 'ALLOW',
        rules: [
          { name: 'no-frontend', action: 'DENY', from: ['frontend'], to: 'payments', paths: ['/admin/*'] },
        ],
      },
    });
    expect(put.status).toBe(201);
    const [deny] = await eventually(
      async () => manifests('west', 'authorizationpolicy.shop.'),
      (found) => found.length === 1,
      30_000,
    );
    new AuthorizationPolicy(deny as never).validate();
    expect(deny!.spec).toEqual({
      selector: { matchLabels: { app: 'payments' } },
      action: 'DENY',
      rules: [
        {
          from: [{ source: { principals: ['shop.lattice.local/ns/shop/sa/frontend'] } }],
          to: [{ operation: { paths: ['/admin/*'] } }],
        },
      ],
    });
    // Payments does not run in east: nothing to protect there.
    await appliedEverywhere();
    expect(manifests('east', 'authorizationpolicy.')).toEqual([]);

    const removed = await controller.request('DELETE', policyUrl('security-policy'), { token: editor });
    expect(removed.status).toBe(204);
    await eventually(
      async () => manifests('west', 'authorizationpolicy.').length,
      (count) => count === 0,
      30_000,
    );
    expect((await controller.request('GET', policyUrl('security-policy'), { token: viewer })).status).toBe(
      404,
    );
  });

  it('offers the same through GraphQL: mutations with versions, and a dry run', async () => {
    const graphql = (token: string, query: string, variables: Record<string, unknown>) =>
      controller.request('POST', '/graphql', { token, body: { query, variables } });
    const set = `mutation($gnsId: ID!, $spec: JSONObject!, $version: Int) {
      setTrafficPolicy(gnsId: $gnsId, service: "payments", spec: $spec, version: $version) { service version warnings { field message } }
    }`;
    const denied = await graphql(viewer, set, { gnsId, spec: { timeout: '2s' } });
    expect(denied.json.errors).toBeDefined();
    const invalid = await graphql(editor, set, { gnsId, spec: { timeout: '-2s' } });
    expect(JSON.stringify(invalid.json.errors)).toContain('timeout');
    const created = await graphql(editor, set, { gnsId, spec: { timeout: '2s' } });
    expect(created.json.data).toEqual({
      setTrafficPolicy: { service: 'payments', version: 1, warnings: [] },
    });
    const stale = await graphql(editor, set, { gnsId, spec: { timeout: '3s' }, version: 5 });
    expect(stale.json.errors).toBeDefined();

    const preview = await graphql(
      editor,
      `
        query ($gnsId: ID!) {
          policyDryRun(gnsId: $gnsId, trafficPolicies: [{ service: "payments", spec: null }]) {
            clusters {
              clusterName
              removed
            }
          }
        }
      `,
      { gnsId },
    );
    const clusters = (
      preview.json.data as { policyDryRun: { clusters: { clusterName: string; removed: string[] }[] } }
    ).policyDryRun.clusters;
    for (const cluster of clusters)
      expect(cluster.removed).toEqual([
        expect.stringMatching(/^VirtualService\/istio-system\/lattice-shop-payments-/),
      ]);

    const removed = await graphql(
      editor,
      'mutation($gnsId: ID!) { deleteTrafficPolicy(gnsId: $gnsId, service: "payments", version: 1) }',
      { gnsId },
    );
    expect(removed.json.data).toEqual({ deleteTrafficPolicy: true });
  });
  it('gives a TCP service a stable virtual address, renders the east-west Gateway, and keeps it all analyzer-clean', async () => {
    const west = shop([
      { name: 'cart', version: 'v2' },
      { name: 'payments', version: 'v1' },
    ]);
    west.services.push({
      namespace: 'shop',
      name: 'ledger',
      ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }],
      endpointGroups: [{ labels: { app: 'ledger' }, ready: 2 }],
    });
    agents.west!.writeInventory(west);
    const ledgerHost = (manifest: Manifest) =>
      (manifest.spec.hosts as string[] | undefined)?.[0] === 'ledger.shop.lattice.local';
    type Entry = {
      addresses?: string[];
      endpoints: { address: string; network?: string; weight?: number }[];
    };
    const entries: Record<string, Entry> = {};
    for (const name of ['east', 'west']) {
      const [entry] = await eventually(
        async () => manifests(name, 'serviceentry.istio-system.').filter(ledgerHost),
        (found) => found.length === 1,
        30_000,
      );
      entries[name] = entry!.spec as unknown as Entry;
    }
    // One address from LATTICE_SERVICE_VIP_RANGE (default 240.241.0.0/16), the same in every cluster.
    expect(entries.east!.addresses).toEqual([expect.stringMatching(/^240\.241\.\d+\.\d+$/)]);
    expect(entries.west!.addresses).toEqual(entries.east!.addresses);
    // East reaches west's instance through west's gateway, on west's network, weighted by its pods.
    expect(entries.east!.endpoints).toEqual([
      expect.objectContaining({ address: '203.0.113.20', network: 'net-west', weight: 2 }),
    ]);
    for (const name of ['east', 'west']) {
      const gateways = manifests(name, 'gateway.istio-system.');
      expect(gateways.map((gateway) => gateway.spec)).toEqual([
        {
          selector: { istio: 'eastwestgateway' },
          servers: [
            {
              port: { number: 15443, name: 'tls-lattice', protocol: 'TLS' },
              tls: { mode: 'AUTO_PASSTHROUGH' },
              hosts: ['*.shop.lattice.local'],
            },
          ],
        },
      ]);
      expect(() => assertIstioClean(manifests(name, '') as unknown as AnalyzedObject[])).not.toThrow();
    }
    await appliedEverywhere();
  });
});
