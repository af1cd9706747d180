import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import { HOUR, seedCluster } from '../../../../../test/support/telemetry';

/** Clusters through GraphQL: tenant scoping, derived status, paging, and the same view as REST. */
describe('clusters resolver', () => {
  let harness: GraphQLTestApp;
  let tenantA: string;
  let tokenA: string;
  let tokenB: string;
  let eastId: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const a = await harness.seedTenant('tenant-a');
    tenantA = a.tenantId;
    const b = await harness.seedTenant('tenant-b');
    tokenA = a.token;
    tokenB = b.token;
    const now = new Date();
    eastId = (
      await seedCluster(harness.sql, a.tenantId, 'east', {
        firstConnectedAt: now,
        connectionId: 'replica-1',
        lastSeenAt: now,
        agentVersion: '1.2.3',
      })
    ).id;
    await seedCluster(harness.sql, a.tenantId, 'west');
    await seedCluster(harness.sql, b.tenantId, 'b-only', {
      firstConnectedAt: new Date(now.getTime() - HOUR),
      lastSeenAt: new Date(now.getTime() - HOUR),
    });
    await harness.sql.query(
      `UPDATE clusters SET east_west_address = '203.0.113.10', labels = '{"region":"eu-west-1"}',
         inventory = '{"namespaces":[{"name":"shop","labels":{}}],"services":[]}', inventory_updated_at = now() WHERE id = $1`,
      [eastId],
    );
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('lists the caller tenant clusters with their derived status', async () => {
    const { body } = await harness.graphql(
      '{ clusters(first: 10) { nodes { name status agentVersion desiredVersion appliedVersion lastNack { version } } pageInfo { hasNextPage } } }',
      {
        token: tokenA,
      },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.clusters).toEqual({
      nodes: [
        {
          name: 'east',
          status: 'CONNECTED',
          agentVersion: '1.2.3',
          desiredVersion: 3,
          appliedVersion: 2,
          lastNack: null,
        },
        {
          name: 'west',
          status: 'PENDING',
          agentVersion: null,
          desiredVersion: 3,
          appliedVersion: 2,
          lastNack: null,
        },
      ],
      pageInfo: { hasNextPage: false },
    });
    const ofB = await harness.graphql('{ clusters { nodes { name status } } }', { token: tokenB });
    expect(ofB.body.data?.clusters).toEqual({ nodes: [{ name: 'b-only', status: 'DISCONNECTED' }] });
  });

  it('pages with first and after', async () => {
    const first = await harness.graphql(
      '{ clusters(first: 1) { nodes { name } pageInfo { endCursor hasNextPage } } }',
      { token: tokenA },
    );
    const page = first.body.data?.clusters as { pageInfo: { endCursor: string; hasNextPage: boolean } };
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await harness.graphql(
      'query($after: String) { clusters(first: 1, after: $after) { nodes { name } } }',
      {
        token: tokenA,
        variables: { after: page.pageInfo.endCursor },
      },
    );
    expect(second.body.data?.clusters).toEqual({ nodes: [{ name: 'west' }] });
  });

  it('answers a cluster with every field GET /v1/clusters/{id} has, with the same values', async () => {
    const rest = await harness.rest('get', `/v1/clusters/${eastId}`, tokenA);
    expect(rest.status).toBe(200);
    const { body } = await harness.graphql(
      `query($id: ID!) { cluster(id: $id) {
         id name eastWestAddress labels takeOverMeshCa network region zone eastWestGatewayManaged
         eastWestGatewaySelector status lastSeenAt agentVersion desiredVersion appliedVersion
         lastNack { version reason at } inventory { namespaces services updatedAt }
         conditions { type status reason message lastTransitionTime } revokedAt version createdAt updatedAt } }`,
      { token: tokenA, variables: { id: eastId } },
    );
    expect(body.errors).toBeUndefined();
    // Condition enums are UPPER_CASE in GraphQL (docs/graphql.md), Kubernetes-style in REST.
    const upper = (value: string) => value.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
    const restConditions = (rest.body as { conditions: { type: string; status: string }[] }).conditions;
    expect(body.data?.cluster).toEqual({
      ...rest.body,
      conditions: restConditions.map((c) => ({ ...c, type: upper(c.type), status: upper(c.status) })),
    });
    expect(restConditions.map((c) => c.type)).toEqual([
      'Connected',
      'InventorySynced',
      'ApplySucceeded',
      'MeshReady',
    ]);
    expect(rest.body).toMatchObject({
      eastWestAddress: '203.0.113.10',
      labels: { region: 'eu-west-1' },
      inventory: { namespaces: 1, services: 0 },
    });
  });

  it('registers a cluster with the cacerts take-over option through REST and shows it in GraphQL', async () => {
    const admin = await harness.seedToken(tenantA, 'ADMIN');
    const created = await harness.rest('post', '/v1/clusters', admin, {
      name: 'own-ca',
      takeOverMeshCa: true,
    });
    expect(created.status).toBe(201);
    const cluster = created.body.cluster as { id: string; takeOverMeshCa: boolean };
    expect(cluster.takeOverMeshCa).toBe(true);
    const { body } = await harness.graphql('query($id: ID!) { cluster(id: $id) { takeOverMeshCa } }', {
      token: tokenA,
      variables: { id: cluster.id },
    });
    expect(body.data?.cluster).toEqual({ takeOverMeshCa: true });
    const plain = await harness.rest('post', '/v1/clusters', admin, { name: 'plain-ca' });
    expect((plain.body.cluster as { takeOverMeshCa: boolean }).takeOverMeshCa).toBe(false);
  });

  it('registers network, locality and the east-west gateway through REST and shows them in GraphQL', async () => {
    const admin = await harness.seedToken(tenantA, 'ADMIN');
    const created = await harness.rest('post', '/v1/clusters', admin, {
      name: 'placed',
      network: 'net-placed',
      region: 'eu-west-1',
      zone: 'eu-west-1a',
      eastWestGatewaySelector: { app: 'ew-gateway' },
    });
    expect(created.status).toBe(201);
    const cluster = created.body.cluster as { id: string };
    expect(created.body.cluster).toMatchObject({
      network: 'net-placed',
      region: 'eu-west-1',
      zone: 'eu-west-1a',
      eastWestGatewayManaged: true,
      eastWestGatewaySelector: { app: 'ew-gateway' },
    });
    const { body } = await harness.graphql(
      'query($id: ID!) { cluster(id: $id) { network region zone eastWestGatewayManaged eastWestGatewaySelector } }',
      { token: tokenA, variables: { id: cluster.id } },
    );
    expect(body.data?.cluster).toEqual({
      network: 'net-placed',
      region: 'eu-west-1',
      zone: 'eu-west-1a',
      eastWestGatewayManaged: true,
      eastWestGatewaySelector: { app: 'ew-gateway' },
    });
  });

  it("answers NOT_FOUND for another tenant's cluster", async () => {
    const { body } = await harness.graphql('query($id: ID!) { cluster(id: $id) { id } }', {
      token: tokenB,
      variables: { id: eastId },
    });
    expect(body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});
