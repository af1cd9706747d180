import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import { seedCluster, seedGlobalNamespace } from '../../../../../test/support/telemetry';

const SLO_FIELDS = `id name description gnsId services indicators { kind percentile thresholdMs maxErrorRatePercent }
  targetPercent window budgeting type version createdAt updatedAt
  status { health evaluatedAt windowStart windowEnd compliance meetsTarget
    budget { allowedBadFraction consumedFraction remainingFraction totalSeconds consumedSeconds remainingSeconds }
    burnRates { window rate } indicators { kind percentile thresholdMs maxErrorRatePercent value holds }
    activeAlerts { rule severity firedAt } coverage { evaluatedFrom backfilling hourlyUntil catchingUpFrom } }`;

/** SLOs through GraphQL: the same view as REST, and field resolvers checked and mapped like queries. */
describe('slos resolver', () => {
  let harness: GraphQLTestApp;
  let viewer: string;
  let editor: string;
  let gnsId: string;
  let sloId: string;

  beforeAll(async () => {
    harness = await GraphQLTestApp.start();
    const tenant = await harness.seedTenant('tenant-a');
    viewer = tenant.token;
    editor = await harness.seedToken(tenant.tenantId, 'EDITOR');
    const east = await seedCluster(harness.sql, tenant.tenantId, 'east');
    await harness.setInventory(east.id, {
      namespaces: [{ name: 'shop', labels: {} }],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: 'http', port: 8080, protocol: 'HTTP', targetPort: 8080 }],
          endpointGroups: [],
        },
      ],
    });
    gnsId = await seedGlobalNamespace(harness.sql, tenant.tenantId, 'shop', [
      { cluster: 'east', namespace: 'shop' },
    ]);
    const created = await harness.graphql(
      'mutation($input: SloInput!) { createSlo(input: $input) { id version } }',
      {
        token: editor,
        variables: {
          input: {
            name: 'cart-errors',
            gnsId,
            services: ['cart'],
            indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
            targetPercent: 99,
            window: '7d',
          },
        },
      },
    );
    expect(created.body.errors).toBeUndefined();
    sloId = (created.body.data?.createSlo as { id: string }).id;
  });

  afterAll(async () => {
    await harness?.close();
  });

  it('answers an SLO and the SLOs of a GNS with every field REST has, with the same values', async () => {
    const rest = await harness.rest('get', `/v1/slos/${sloId}`, viewer);
    expect(rest.status).toBe(200);
    const { body } = await harness.graphql(
      `query($id: ID!, $gns: ID!) { slo(id: $id) { ${SLO_FIELDS} } slos(gnsId: $gns) { nodes { id } } }`,
      {
        token: viewer,
        variables: { id: sloId, gns: gnsId },
      },
    );
    expect(body.errors).toBeUndefined();
    // GraphQL answers the indicator fields a kind does not use as null; REST leaves them out.
    expect(body.data?.slo).toMatchObject(rest.body);
    expect(Object.keys(body.data?.slo as object).sort()).toEqual(Object.keys(rest.body).sort());
    expect(body.data?.slos).toEqual({ nodes: [{ id: sloId }] });
  });

  it('takes and answers closed sets as enums whose values REST spells its own way', async () => {
    const created = await harness.graphql(
      `mutation($gns: ID!) { createSlo(input: { name: "cart-latency", gnsId: $gns, services: ["cart"],
         indicators: [{ kind: LATENCY, percentile: P99, thresholdMs: 250 }], targetPercent: 99.5, window: "30d",
         budgeting: OCCURRENCES, type: ACTIONABLE }) { id indicators { kind percentile } budgeting type } }`,
      { token: editor, variables: { gns: gnsId } },
    );
    expect(created.body.errors).toBeUndefined();
    const slo = created.body.data?.createSlo as { id: string };
    expect(slo).toMatchObject({
      indicators: [{ kind: 'LATENCY', percentile: 'P99' }],
      budgeting: 'OCCURRENCES',
      type: 'ACTIONABLE',
    });
    const rest = await harness.rest('get', `/v1/slos/${slo.id}`, viewer);
    expect(rest.body).toMatchObject({
      indicators: [{ kind: 'LATENCY', percentile: 'p99', thresholdMs: 250 }],
      budgeting: 'OCCURRENCES',
      type: 'ACTIONABLE',
    });
    // A string where an enum is expected is refused before any resolver runs, naming the value.
    const refused = await harness.graphql(
      `mutation($gns: ID!) { createSlo(input: { name: "x", gnsId: $gns, services: ["cart"],
         indicators: [{ kind: LATENCY, percentile: "p99", thresholdMs: 1 }], targetPercent: 99, window: "7d" }) { id } }`,
      { token: editor, variables: { gns: gnsId } },
    );
    expect(refused.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(refused.body.errors?.[0]?.message).toMatch(/LatencyPercentile/);
    const deleted = await harness.graphql('mutation($id: ID!) { deleteSlo(id: $id) }', {
      token: editor,
      variables: { id: slo.id },
    });
    expect(deleted.body.data).toEqual({ deleteSlo: true });
  });

  it('pages SLOs with first and after, over the tenant or one Global Namespace', async () => {
    const ids = [sloId];
    for (const name of ['page-b', 'page-c']) {
      const { body } = await harness.graphql(
        `mutation($gns: ID!) { createSlo(input: { name: "${name}", gnsId: $gns, services: ["cart"],
           indicators: [{ kind: ERROR_RATE, maxErrorRatePercent: 1 }], targetPercent: 99, window: "7d" }) { id } }`,
        { token: editor, variables: { gns: gnsId } },
      );
      ids.push((body.data?.createSlo as { id: string }).id);
    }
    const walk = async (gns: string | null): Promise<string[]> => {
      const seen: string[] = [];
      let after: string | null = null;
      for (let pages = 0; pages < 10; pages += 1) {
        const { body } = await harness.graphql(
          `query($after: String, $gns: ID) { slos(first: 2, after: $after, gnsId: $gns) {
             edges { cursor node { id } } nodes { id } pageInfo { startCursor endCursor hasNextPage hasPreviousPage } } }`,
          { token: viewer, variables: { after, gns } },
        );
        expect(body.errors).toBeUndefined();
        const page = body.data?.slos as {
          edges: { cursor: string; node: { id: string } }[];
          nodes: { id: string }[];
          pageInfo: {
            startCursor: string;
            endCursor: string;
            hasNextPage: boolean;
            hasPreviousPage: boolean;
          };
        };
        expect(page.edges.map((edge) => edge.node)).toEqual(page.nodes);
        expect(page.pageInfo.startCursor).toBe(page.edges[0]?.cursor);
        expect(page.pageInfo.endCursor).toBe(page.edges.at(-1)?.cursor);
        expect(page.pageInfo.hasPreviousPage).toBe(after !== null);
        seen.push(...page.nodes.map((node) => node.id));
        if (!page.pageInfo.hasNextPage) return seen;
        after = page.pageInfo.endCursor;
      }
      throw new Error('more than 10 pages');
    };
    expect(await walk(null)).toEqual(ids);
    expect(await walk(gnsId)).toEqual(ids);
    // An edge cursor continues right after its node.
    const { body } = await harness.graphql('{ slos(first: 3) { edges { cursor } } }', { token: viewer });
    const second = (body.data?.slos as { edges: { cursor: string }[] }).edges[1]!.cursor;
    const rest = await harness.graphql('query($after: String) { slos(after: $after) { nodes { id } } }', {
      token: viewer,
      variables: { after: second },
    });
    expect(rest.body.data?.slos).toEqual({ nodes: [{ id: ids[2] }] });
  });

  it('maps an error of a field resolver like one of a query (VALIDATION, naming the argument)', async () => {
    const { body } = await harness.graphql(
      `query($id: ID!) { slo(id: $id) { id history(from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", step: 90) { timestamp } } }`,
      { token: viewer, variables: { id: sloId } },
    );
    expect(body.errors?.[0]).toMatchObject({ path: ['slo', 'history'], extensions: { code: 'VALIDATION' } });
    expect(body.errors?.[0]?.message).toMatch(/^step: must be a whole number of minutes/);
    const events = await harness.graphql(
      `query($id: ID!) { slo(id: $id) { events(first: 5) { nodes { id } pageInfo { hasNextPage } } } }`,
      { token: viewer, variables: { id: sloId } },
    );
    expect(events.body).toEqual({
      data: { slo: { events: { nodes: [], pageInfo: { hasNextPage: false } } } },
    });
    const badCursor = await harness.graphql(
      `query($id: ID!) { slo(id: $id) { events(after: "nope") { nodes { id } } } }`,
      { token: viewer, variables: { id: sloId } },
    );
    expect(badCursor.body.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION' } });
    expect(badCursor.body.errors?.[0]?.message).toMatch(/after/);
  });
});
