import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { ControllerProcess } from './support/controller-process';
import { createTestDatabase, type TestDatabase } from './support/database';
import { createTenant, createToken, type TestTenant } from './support/tenants';

interface GnsBody {
  id: string;
  name: string;
  domain: string;
  description: string;
  mtlsMode: string;
  version: number;
  matchConditions: unknown[];
  status: {
    memberNamespaces: { clusterName: string; namespace: string }[];
    serviceCount: number;
    conflicts: { kind: string; reason: string; keptBy?: string }[];
    warnings: { kind: string }[];
  };
}

interface DesiredPayload {
  globalNamespaces: { id: string; services: { name: string }[] }[];
}

const shopIn = (clusterPrefix: string) => [
  { cluster: { type: 'PREFIX', value: clusterPrefix }, namespace: { type: 'EXACT', value: 'shop' } },
];

function service(namespace: string, name: string, port: number) {
  return {
    namespace,
    name,
    labels: { app: name },
    ports: [{ name: 'http', port, protocol: 'HTTP', targetPort: port }],
    endpointGroups: [{ labels: { version: 'v1' }, ready: 1, notReady: 0 }],
  };
}

describe('Global Namespaces REST API', () => {
  let database: TestDatabase;
  let controller: ControllerProcess;
  let db: Client;
  let tenantA: TestTenant;
  let tenantB: TestTenant;
  let editor: string;
  let viewer: string;
  /** Tenant A's clusters by name. */
  const clusterIds: Record<string, string> = {};

  /** The agent path is being written; inventories are seeded as the gateway stores them. */
  async function seedCluster(
    tenantId: string,
    name: string,
    eastWestAddress: string,
    services: ReturnType<typeof service>[],
  ) {
    const id = randomUUID();
    const namespaces = [...new Set(services.map((svc) => svc.namespace))].map((ns) => ({
      name: ns,
      labels: {},
    }));
    await db.query(
      `INSERT INTO clusters (id, tenant_id, name, east_west_address, inventory, updated_at) VALUES ($1, $2, $3, $4, $5, now())`,
      [id, tenantId, name, eastWestAddress, JSON.stringify({ namespaces, services })],
    );
    return id;
  }

  /** The desired state is computed by the controller's worker; wait until it satisfies `done`. */
  async function eventuallyDesired(
    clusterId: string,
    done: (payload: DesiredPayload) => boolean,
  ): Promise<DesiredPayload> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const { rows } = await db.query<{ desired_payload: Buffer | null }>(
        'SELECT desired_payload FROM clusters WHERE id = $1',
        [clusterId],
      );
      const payload = rows[0]?.desired_payload
        ? (JSON.parse(rows[0].desired_payload.toString('utf8')) as DesiredPayload)
        : null;
      if (payload && done(payload)) return payload;
      if (Date.now() > deadline)
        throw new Error(`desired state of ${clusterId} never matched; last: ${JSON.stringify(payload)}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  const create = (body: unknown, token = editor) =>
    controller.request('POST', '/v1/global-namespaces', { token, body });

  beforeAll(async () => {
    database = await createTestDatabase();
    controller = new ControllerProcess({ databaseUrl: database.url });
    await controller.start();
    db = new Client({ connectionString: database.url });
    await db.connect();
    tenantA = await createTenant(controller, 'gns-a');
    tenantB = await createTenant(controller, 'gns-b');
    editor = (await createToken(controller, tenantA, 'editor')).token;
    viewer = (await createToken(controller, tenantA, 'viewer')).token;
    clusterIds['prod-east'] = await seedCluster(tenantA.id, 'prod-east', '10.0.0.1', [
      service('shop', 'cart', 8080),
      service('shop', 'checkout', 8080),
      service('ops', 'grafana', 3000),
    ]);
    clusterIds['prod-west'] = await seedCluster(tenantA.id, 'prod-west', 'west.gw.example.com', [
      service('shop', 'cart', 8080),
    ]);
    await seedCluster(tenantB.id, 'prod-east', '10.9.9.9', [service('shop', 'secret', 8080)]);
  });

  afterAll(async () => {
    await db?.end();
    await controller?.stop();
    await database?.drop();
  });

  it('creates, reads, lists, replaces and deletes, with ETags and roles', async () => {
    const created = await create({
      name: 'crud',
      domain: 'crud.example.test',
      matchConditions: shopIn('nowhere-'),
    });
    expect(created.status).toBe(201);
    const body = created.json as unknown as GnsBody;
    expect(body).toMatchObject({
      name: 'crud',
      domain: 'crud.example.test',
      description: '',
      mtlsMode: 'STRICT',
      version: 1,
    });
    expect(created.headers.get('etag')).toMatch(/^"1-[\w-]+"$/);
    expect(created.headers.get('location')).toBe(`/v1/global-namespaces/${body.id}`);

    const read = await controller.request('GET', `/v1/global-namespaces/${body.id}`, { token: viewer });
    expect(read.status).toBe(200);
    expect(read.headers.get('etag')).toMatch(/^"1-[\w-]+"$/);
    expect(read.json).toMatchObject({
      id: body.id,
      matchConditions: shopIn('nowhere-'),
      status: { memberNamespaces: [], serviceCount: 0 },
    });
    const listed = await controller.request('GET', '/v1/global-namespaces', { token: viewer });
    expect((listed.json.items as GnsBody[]).map((gns) => gns.id)).toContain(body.id);

    expect(
      (await create({ name: 'by-viewer', domain: 'v.example.test', matchConditions: shopIn('x') }, viewer))
        .status,
    ).toBe(403);

    const replaced = await controller.request('PUT', `/v1/global-namespaces/${body.id}`, {
      token: editor,
      headers: { 'if-match': '"1"' },
      body: {
        name: 'crud',
        domain: 'crud2.example.test',
        description: 'second',
        mtlsMode: 'PERMISSIVE',
        matchConditions: shopIn('nowhere-'),
      },
    });
    expect(replaced.status).toBe(200);
    expect(replaced.headers.get('etag')).toMatch(/^"2-[\w-]+"$/);
    expect(replaced.json).toMatchObject({
      domain: 'crud2.example.test',
      description: 'second',
      mtlsMode: 'PERMISSIVE',
      version: 2,
    });

    const staleDelete = await controller.request('DELETE', `/v1/global-namespaces/${body.id}`, {
      token: editor,
      headers: { 'if-match': '"1"' },
    });
    expect(staleDelete.status).toBe(412);
    expect(
      (await controller.request('DELETE', `/v1/global-namespaces/${body.id}`, { token: viewer })).status,
    ).toBe(403);
    expect(
      (await controller.request('DELETE', `/v1/global-namespaces/${body.id}`, { token: editor })).status,
    ).toBe(204);
    expect(
      (await controller.request('GET', `/v1/global-namespaces/${body.id}`, { token: viewer })).status,
    ).toBe(404);

    const audit = await controller.request(
      'GET',
      '/v1/audit-events?resourceType=global-namespace&limit=100',
      { token: tenantA.adminToken },
    );
    const events = (
      audit.json.items as { action: string; resourceId: string; before: unknown; after: unknown }[]
    ).filter((e) => e.resourceId === body.id);
    expect(events.map((e) => e.action)).toEqual([
      'global-namespace.create',
      'global-namespace.update',
      'global-namespace.delete',
    ]);
    expect(events[1]).toMatchObject({
      before: { domain: 'crud.example.test', version: 1 },
      after: { domain: 'crud2.example.test', version: 2 },
    });
    expect(events[2]).toMatchObject({ before: { version: 2 }, after: null });
  });

  it('lists every bad field, including a regex RE2 refuses, with a 400', async () => {
    const bad = await create({
      name: 'Bad_Name',
      domain: 'Shop.Example',
      matchConditions: [
        // A lookahead: fine for JavaScript, refused by RE2 (the dialect Envoy and Lattice use).
        { cluster: { type: 'REGEX', value: '(?=prod)prod-.*' }, namespace: { type: 'EXACT', value: 'shop' } },
        { cluster: { type: 'EXACT', value: 'prod' }, namespace: { type: 'PREFIX', value: 'Shop' } },
      ],
    });
    expect(bad.status).toBe(400);
    expect((bad.json.errors as { field: string }[]).map((error) => error.field)).toEqual([
      'name',
      'domain',
      'matchConditions[0].cluster.value',
      'matchConditions[1].namespace.value',
    ]);
    expect(JSON.stringify(bad.json.errors)).toMatch(
      /regex refused: lookarounds .* not supported: Envoy matches with RE2/,
    );

    const kubernetesZone = await create({
      name: 'k8s',
      domain: 'svc.cluster.local',
      matchConditions: shopIn('x'),
    });
    expect(kubernetesZone.status).toBe(400);
    expect(kubernetesZone.json.errors).toEqual([expect.objectContaining({ field: 'domain' })]);

    const shape = await create({
      name: 'shape',
      domain: 'shape.example.test',
      matchConditions: [{ cluster: { type: 'GLOB', value: '*' } }],
      extra: 1,
    });
    expect(shape.status).toBe(400);
    const fields = (shape.json.errors as { field: string }[]).map((error) => error.field);
    expect(fields).toEqual(
      expect.arrayContaining(['extra', 'matchConditions.0.cluster.type', 'matchConditions.0.namespace']),
    );

    expect((await create({ name: 'none', domain: 'none.example.test', matchConditions: [] })).status).toBe(
      400,
    );
  });

  it('refuses a second global namespace with the same name (409), also on rename', async () => {
    expect(
      (await create({ name: 'unique', domain: 'u1.example.test', matchConditions: shopIn('x') })).status,
    ).toBe(201);
    const duplicate = await create({
      name: 'unique',
      domain: 'u2.example.test',
      matchConditions: shopIn('x'),
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.json.errors).toEqual([expect.objectContaining({ field: 'name' })]);

    const other = (await create({ name: 'other', domain: 'u3.example.test', matchConditions: shopIn('x') }))
      .json as unknown as GnsBody;
    const rename = await controller.request('PUT', `/v1/global-namespaces/${other.id}`, {
      token: editor,
      headers: { 'if-match': '"1"' },
      body: { name: 'unique', domain: 'u3.example.test', matchConditions: shopIn('x') },
    });
    expect(rename.status).toBe(409);
    // Concurrent creates race past the pre-check; the unique index still answers 409, never 500.
    const racing = await Promise.all(
      [1, 2, 3, 4, 5].map(() =>
        create({ name: 'raced', domain: 'raced.example.test', matchConditions: shopIn('x') }),
      ),
    );
    expect(racing.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409]);
    // Another tenant may use the name.
    expect(
      (
        await create(
          { name: 'unique', domain: 'u1.example.test', matchConditions: shopIn('x') },
          tenantB.adminToken,
        )
      ).status,
    ).toBe(201);
  });

  it('requires If-Match on PUT: 428 without, 412 when stale', async () => {
    const gns = (
      await create({ name: 'versioned', domain: 'versioned.example.test', matchConditions: shopIn('x') })
    ).json as unknown as GnsBody;
    const route = `/v1/global-namespaces/${gns.id}`;
    const spec = { name: 'versioned', domain: 'versioned.example.test', matchConditions: shopIn('y') };
    const missing = await controller.request('PUT', route, { token: editor, body: spec });
    expect(missing.status).toBe(428);
    expect(
      (
        await controller.request('PUT', route, {
          token: editor,
          body: spec,
          headers: { 'if-match': 'three' },
        })
      ).status,
    ).toBe(400);
    expect(
      (await controller.request('PUT', route, { token: editor, body: spec, headers: { 'if-match': '"1"' } }))
        .status,
    ).toBe(200);
    const stale = await controller.request('PUT', route, {
      token: editor,
      body: spec,
      headers: { 'if-match': '"1"' },
    });
    expect(stale.status).toBe(412);
    expect(stale.json.message).toMatch(/changed since you read it/);
    expect(
      (
        await controller.request('PUT', route, {
          token: editor,
          body: { ...spec, domain: 'Nope' },
          headers: { 'if-match': '"2"' },
        })
      ).status,
    ).toBe(400);
  });

  it('lists member services with their GNS host, ports and where they run, and distributes them', async () => {
    const shop = (
      await create({ name: 'shop', domain: 'shop.example.test', matchConditions: shopIn('prod-') })
    ).json as unknown as GnsBody;
    expect(shop.status.memberNamespaces).toEqual([
      expect.objectContaining({ clusterName: 'prod-east', namespace: 'shop' }),
      expect.objectContaining({ clusterName: 'prod-west', namespace: 'shop' }),
    ]);
    expect(shop.status.serviceCount).toBe(2);

    const services = await controller.request('GET', `/v1/global-namespaces/${shop.id}/services`, {
      token: viewer,
    });
    expect(services.status).toBe(200);
    expect(services.json.items).toEqual([
      {
        name: 'cart',
        hostname: 'cart.shop.example.test',
        ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
        instances: [
          {
            clusterId: clusterIds['prod-east'],
            clusterName: 'prod-east',
            namespace: 'shop',
            readyEndpoints: 1,
            notReadyEndpoints: 0,
          },
          {
            clusterId: clusterIds['prod-west'],
            clusterName: 'prod-west',
            namespace: 'shop',
            readyEndpoints: 1,
            notReadyEndpoints: 0,
          },
        ],
      },
      {
        name: 'checkout',
        hostname: 'checkout.shop.example.test',
        ports: [{ name: 'http', number: 8080, protocol: 'HTTP' }],
        instances: [
          {
            clusterId: clusterIds['prod-east'],
            clusterName: 'prod-east',
            namespace: 'shop',
            readyEndpoints: 1,
            notReadyEndpoints: 0,
          },
        ],
      },
    ]);

    const hasShop = (payload: DesiredPayload) => payload.globalNamespaces.some((gns) => gns.id === shop.id);
    const west = await eventuallyDesired(clusterIds['prod-west'], hasShop);
    expect(west.globalNamespaces.find((gns) => gns.id === shop.id)?.services.map((svc) => svc.name)).toEqual([
      'cart',
      'checkout',
    ]);

    // A second GNS claiming the same namespace is reported in both statuses; the older one keeps it.
    const overlap = (
      await create({ name: 'overlap', domain: 'overlap.example.test', matchConditions: shopIn('prod-east') })
    ).json as unknown as GnsBody;
    expect(overlap.status.memberNamespaces).toEqual([]);
    expect(overlap.status.conflicts).toEqual([
      expect.objectContaining({ kind: 'NAMESPACE_CLAIMED_BY_SEVERAL', keptBy: shop.id }),
    ]);
    const shopNow = await controller.request('GET', `/v1/global-namespaces/${shop.id}`, { token: viewer });
    expect((shopNow.json as unknown as GnsBody).status.conflicts).toEqual([
      expect.objectContaining({ kind: 'NAMESPACE_CLAIMED_BY_SEVERAL' }),
    ]);

    // Deleting removes it from every cluster's desired state.
    await controller.request('DELETE', `/v1/global-namespaces/${overlap.id}`, { token: editor });
    expect(
      (await controller.request('DELETE', `/v1/global-namespaces/${shop.id}`, { token: editor })).status,
    ).toBe(204);
    for (const cluster of ['prod-east', 'prod-west']) {
      const payload = await eventuallyDesired(clusterIds[cluster], (state) => !hasShop(state));
      expect(payload.globalNamespaces).toEqual([]);
    }
  });

  it("keeps tenants apart: another tenant's ids are 404 everywhere, and lists and services never mix", async () => {
    const ofA = (
      await create({ name: 'private', domain: 'private.example.test', matchConditions: shopIn('prod-') })
    ).json as unknown as GnsBody;
    const route = `/v1/global-namespaces/${ofA.id}`;
    const asB = { token: tenantB.adminToken, headers: { 'if-match': '"1"' } };
    expect((await controller.request('GET', route, asB)).status).toBe(404);
    expect((await controller.request('GET', `${route}/services`, asB)).status).toBe(404);
    expect(
      (
        await controller.request('PUT', route, {
          ...asB,
          body: { name: 'stolen', domain: 'x.example.test', matchConditions: shopIn('x') },
        })
      ).status,
    ).toBe(404);
    expect((await controller.request('PUT', route, { ...asB, body: {} })).status).toBe(404);
    expect((await controller.request('DELETE', route, asB)).status).toBe(404);
    expect((await controller.request('GET', '/v1/global-namespaces/not-a-uuid', asB)).status).toBe(404);
    const listB = await controller.request('GET', '/v1/global-namespaces?limit=100', asB);
    expect((listB.json.items as GnsBody[]).map((gns) => gns.id)).not.toContain(ofA.id);

    // B's GNS with the same selectors sees only B's cluster.
    const ofB = (
      await create(
        { name: 'private', domain: 'private.example.test', matchConditions: shopIn('prod-') },
        tenantB.adminToken,
      )
    ).json as unknown as GnsBody;
    const servicesB = await controller.request('GET', `/v1/global-namespaces/${ofB.id}/services`, asB);
    expect((servicesB.json.items as { name: string }[]).map((svc) => svc.name)).toEqual(['secret']);
    const servicesA = await controller.request('GET', `${route}/services`, { token: viewer });
    expect((servicesA.json.items as { name: string }[]).map((svc) => svc.name)).toEqual(['cart', 'checkout']);

    const stillThere = await controller.request('GET', route, { token: viewer });
    expect(stillThere.json).toMatchObject({ name: 'private', version: 1 });
  });

  it('pages through global namespaces with a cursor', async () => {
    const tenant = await createTenant(controller, 'gns-paging');
    for (const name of ['p1', 'p2', 'p3']) {
      expect(
        (
          await create(
            { name, domain: `${name}.example.test`, matchConditions: shopIn('x') },
            tenant.adminToken,
          )
        ).status,
      ).toBe(201);
    }
    const first = await controller.request('GET', '/v1/global-namespaces?limit=2', {
      token: tenant.adminToken,
    });
    expect((first.json.items as GnsBody[]).map((gns) => gns.name)).toEqual(['p1', 'p2']);
    const second = await controller.request(
      'GET',
      `/v1/global-namespaces?limit=2&cursor=${first.json.nextCursor as string}`,
      {
        token: tenant.adminToken,
      },
    );
    expect((second.json.items as GnsBody[]).map((gns) => gns.name)).toEqual(['p3']);
    expect(second.json.nextCursor).toBeNull();
  });
});
