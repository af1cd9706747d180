import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import { seedCluster, seedGlobalNamespace } from '../../../../../test/support/telemetry';
import { GlobalNamespacesService } from './global-namespaces.service';

const MEMBER = '{ clusterId clusterName namespace }';
const PORT = '{ name number protocol }';
const GNS_REF = '{ gnsId gnsName }';
/** Every field of the status, each kind of conflict and warning with its own fields. */
const STATUS = `status {
  memberNamespaces ${MEMBER}
  serviceCount
  conflicts { ...issue }
  warnings { ...issue }
}`;
const ISSUE_FRAGMENT = `fragment issue on GnsIssue {
  kind reason
  ... on NamespaceClaimConflict { clusterId clusterName namespace claimants ${GNS_REF} keptBy }
  ... on HostPortsConflict { serviceName hostname variants { ports ${PORT} instances ${MEMBER} } }
  ... on DuplicateDomainConflict { domain claimants ${GNS_REF} keptBy }
  ... on NoEastWestGatewayWarning { clusterId clusterName }
  ... on NoRoutablePortsWarning { serviceName instances ${MEMBER} }
  ... on UnusableSelectorWarning { matchConditionIndex }
}`;
const DEFINITION =
  'id name domain description mtlsMode matchConditions { cluster { type value } namespace { type value } } version createdAt updatedAt';

/** Global Namespaces through GraphQL: tenant scoping and the same view as REST, status included. */
describe('global namespaces resolver', () => {
  let harness: GraphQLTestApp;
  let tenantA: string;
  let tokenA: string;
  let tokenB: string;
  let gnsA: string;
  let contested: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const a = await harness.seedTenant('tenant-a');
    const b = await harness.seedTenant('tenant-b');
    tenantA = a.tenantId;
    tokenA = a.token;
    tokenB = b.token;
    const east = await seedCluster(harness.sql, a.tenantId, 'east');
    const inventory = {
      namespaces: [{ name: 'shop', labels: {} }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
          endpointGroups: [{ labels: {}, ready: 2, notReady: 1 }],
        },
      ],
    };
    await harness.setInventory(east.id, inventory);
    gnsA = await seedGlobalNamespace(harness.sql, a.tenantId, 'shop', [
      { cluster: 'east', namespace: 'shop' },
    ]);
    // A younger GNS claiming the same namespace: it gets a conflict (the older one keeps the namespace).
    const editor = await harness.seedToken(a.tenantId, 'EDITOR');
    const created = await harness.rest('post', '/v1/global-namespaces', editor, {
      name: 'contested',
      domain: 'contested.lattice.local',
      matchConditions: [
        { cluster: { type: 'EXACT', value: 'east' }, namespace: { type: 'PREFIX', value: 'sh' } },
      ],
    });
    expect(created.status).toBe(201);
    contested = created.body.id as string;
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('shows a Global Namespace only to its tenant', async () => {
    const query =
      'query($id: ID!) { globalNamespace(id: $id) { name domain matchConditions { cluster { type value } } } }';
    const own = await harness.graphql(query, { token: tokenA, variables: { id: gnsA } });
    expect(own.body.data?.globalNamespace).toEqual({
      name: 'shop',
      domain: 'shop.lattice.local',
      matchConditions: [{ cluster: { type: 'EXACT', value: 'east' } }],
    });
    const foreign = await harness.graphql(query, { token: tokenB, variables: { id: gnsA } });
    expect(foreign.body.errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
    const list = await harness.graphql('{ globalNamespaces { nodes { id } } }', { token: tokenB });
    expect(list.body.data?.globalNamespaces).toEqual({ nodes: [] });
  });

  it('answers a Global Namespace exactly as GET /v1/global-namespaces/{id} and the service do, status included', async () => {
    const service = harness.app.get(GlobalNamespacesService);
    for (const id of [gnsA, contested]) {
      const rest = await harness.rest('get', `/v1/global-namespaces/${id}`, tokenA);
      expect(rest.status).toBe(200);
      const { body } = await harness.graphql(
        `query($id: ID!) { globalNamespace(id: $id) { ${DEFINITION} ${STATUS} } } ${ISSUE_FRAGMENT}`,
        {
          token: tokenA,
          variables: { id },
        },
      );
      expect(body.errors).toBeUndefined();
      expect(body.data?.globalNamespace).toEqual(rest.body);
      expect((body.data?.globalNamespace as { status: unknown }).status).toEqual(
        (await service.get(tenantA, id)).status,
      );
    }
    const [shop, other] = await Promise.all([service.get(tenantA, gnsA), service.get(tenantA, contested)]);
    expect(shop.status).toMatchObject({
      memberNamespaces: [{ clusterName: 'east', namespace: 'shop' }],
      serviceCount: 1,
    });
    expect(other.status.conflicts).toEqual([
      expect.objectContaining({ kind: 'NAMESPACE_CLAIMED_BY_SEVERAL', keptBy: gnsA }),
    ]);
  });

  it('lists Global Namespaces with their status, like GET /v1/global-namespaces', async () => {
    const rest = await harness.rest('get', '/v1/global-namespaces', tokenA);
    const { body } = await harness.graphql(
      `{ globalNamespaces(first: 10) { nodes { ${DEFINITION} ${STATUS} } pageInfo { hasNextPage } } } ${ISSUE_FRAGMENT}`,
      { token: tokenA },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.globalNamespaces).toEqual({ nodes: rest.body.items, pageInfo: { hasNextPage: false } });
    const statusOnly = await harness.graphql(
      '{ globalNamespaces { nodes { status { serviceCount conflicts { kind } } } } }',
      { token: tokenA },
    );
    expect(statusOnly.body.data?.globalNamespaces).toEqual({
      // Both claimants are told: the one that keeps the namespace and the one that does not.
      nodes: [
        { status: { serviceCount: 1, conflicts: [{ kind: 'NAMESPACE_CLAIMED_BY_SEVERAL' }] } },
        { status: { serviceCount: 0, conflicts: [{ kind: 'NAMESPACE_CLAIMED_BY_SEVERAL' }] } },
      ],
    });
  });

  it('answers the services, CA and policies of a Global Namespace to a viewer through field resolvers', async () => {
    const services = await harness.rest('get', `/v1/global-namespaces/${gnsA}/services`, tokenA);
    const ca = await harness.rest('get', `/v1/global-namespaces/${contested}/ca`, tokenA);
    const { body } = await harness.graphql(
      `query($a: ID!, $b: ID!) {
         shop: globalNamespace(id: $a) { services { name hostname ports ${PORT} instances { clusterId clusterName namespace readyEndpoints notReadyEndpoints } } }
         contested: globalNamespace(id: $b) {
           ca { gnsId trustDomain trustBundlePem roots { generation fingerprintSha256 subject notBefore notAfter state trusted issuing } rotation { stage } }
           trafficPolicies { service } securityPolicy { version } } }`,
      { token: tokenA, variables: { a: gnsA, b: contested } },
    );
    expect(body.errors).toBeUndefined();
    expect(body.data?.shop).toEqual({ services: services.body.items });
    expect(services.body.items).toEqual([
      expect.objectContaining({ name: 'cart', hostname: 'cart.shop.lattice.local' }),
    ]);
    expect(body.data?.contested).toEqual({
      ca: {
        gnsId: ca.body.gnsId,
        trustDomain: ca.body.trustDomain,
        trustBundlePem: ca.body.trustBundlePem,
        roots: ca.body.roots,
        rotation: { stage: 'IDLE' },
      },
      trafficPolicies: [],
      securityPolicy: null,
    });
  });
});
