import { GraphQLTestApp } from '../../../../../test/support/graphql-app';
import { seedCluster, seedGlobalNamespace } from '../../../../../test/support/telemetry';

const SLO_FIELDS = `id name description gnsId services indicators { kind percentile thresholdMs maxErrorRatePercent }
  targetPercent window budgeting type noDataPolicy version createdAt updatedAt
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
      `query($id: ID!, $gns: ID!) { slo(id: $id) { ${SLO_FIELDS} } slos(gnsId: $gns) { id } }`,
      {
        token: viewer,
        variables: { id: sloId, gns: gnsId },
      },
    );
    expect(body.errors).toBeUndefined();
    // GraphQL answers the indicator fields a kind does not use as null; REST leaves them out.
    expect(body.data?.slo).toMatchObject(rest.body);
    expect(Object.keys(body.data?.slo as object).sort()).toEqual(Object.keys(rest.body).sort());
    expect(body.data?.slos).toEqual([{ id: sloId }]);
  });

  it('maps an error of a field resolver like one of a query (VALIDATION, naming the argument)', async () => {
    const { body } = await harness.graphql(
      `query($id: ID!) { slo(id: $id) { id history(from: "2026-01-01T00:00:00Z", to: "2026-01-01T01:00:00Z", step: 90) { timestamp } } }`,
      { token: viewer, variables: { id: sloId } },
    );
    expect(body.errors?.[0]).toMatchObject({ path: ['slo', 'history'], extensions: { code: 'VALIDATION' } });
    expect(body.errors?.[0]?.message).toMatch(/^step: must be a whole number of minutes/);
    const events = await harness.graphql(`query($id: ID!) { slo(id: $id) { events(first: 5) { id } } }`, {
      token: viewer,
      variables: { id: sloId },
    });
    expect(events.body).toEqual({ data: { slo: { events: [] } } });
  });

  it('sets the no-data policy through updateSlo, naming the field when it is refused', async () => {
    const input = {
      name: 'cart-errors',
      gnsId,
      services: ['cart'],
      indicators: [{ kind: 'ERROR_RATE', maxErrorRatePercent: 1 }],
      targetPercent: 99,
      window: '7d',
    };
    const update = (version: number, changes: Record<string, unknown>) =>
      harness.graphql(
        'mutation($id: ID!, $version: Int!, $input: SloInput!) { updateSlo(id: $id, version: $version, input: $input) { version noDataPolicy } }',
        { token: editor, variables: { id: sloId, version, input: { ...input, ...changes } } },
      );
    const refused = await update(1, { budgeting: 'OCCURRENCES', noDataPolicy: 'BAD' });
    expect(refused.body.errors?.[0]).toMatchObject({ extensions: { code: 'VALIDATION' } });
    expect(refused.body.errors?.[0]?.message).toMatch(/noDataPolicy: BAD needs budgeting TIME_SLICES/);
    const updated = await update(1, { noDataPolicy: 'BAD' });
    expect(updated.body).toEqual({ data: { updateSlo: { version: 2, noDataPolicy: 'BAD' } } });
    const rest = await harness.rest('get', `/v1/slos/${sloId}`, viewer);
    expect(rest.body).toMatchObject({ version: 2, noDataPolicy: 'BAD' });
  });
});
