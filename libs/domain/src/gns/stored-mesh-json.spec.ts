import {
  clusterInventorySchema,
  parseStoredInventory,
  parseStoredMatchConditions,
  storedLabelsSchema,
  storedMatchConditionsSchema,
} from './stored-mesh-json';

describe('stored mesh JSON', () => {
  it('fills the fields proto3 leaves out of an inventory', () => {
    const parsed = parseStoredInventory({
      namespaces: [{ name: 'shop' }],
      services: [{ namespace: 'shop', name: 'cart', ports: [{ port: 80 }], endpointGroups: [{ ready: 2 }] }],
    });
    expect(parsed).toEqual({
      ok: true,
      value: {
        namespaces: [{ name: 'shop', labels: {} }],
        services: [
          {
            namespace: 'shop',
            name: 'cart',
            labels: {},
            ports: [{ name: '', port: 80, protocol: '', targetPort: 0 }],
            endpointGroups: [{ labels: {}, ready: 2, notReady: 0 }],
            // Stored before agents reported selectors: none known, so no version split.
            selector: {},
          },
        ],
      },
    });
    expect(parseStoredInventory({})).toEqual({ ok: true, value: { namespaces: [], services: [] } });
  });

  it('reports an inventory or match conditions of the wrong shape instead of throwing', () => {
    expect(parseStoredInventory({ services: [{ name: 'cart' }] })).toMatchObject({
      ok: false,
      error: expect.stringContaining('namespace'),
    });
    expect(parseStoredMatchConditions([{ cluster: { type: 'GLOB', value: '*' } }])).toMatchObject({
      ok: false,
    });
    expect(parseStoredMatchConditions('nonsense')).toMatchObject({ ok: false });
  });

  it('reads stored match conditions', () => {
    const conditions = [
      { cluster: { type: 'PREFIX', value: 'prod-' }, namespace: { type: 'EXACT', value: 'shop' } },
    ];
    expect(parseStoredMatchConditions(conditions)).toEqual({ ok: true, value: conditions });
  });
});

describe('stored JSON schemas', () => {
  it('fills what proto3 leaves out of a stored inventory', () => {
    expect(
      clusterInventorySchema.parse({
        services: [{ namespace: 'shop', name: 'cart', ports: [{ port: 80 }] }],
      }),
    ).toEqual({
      namespaces: [],
      services: [
        {
          namespace: 'shop',
          name: 'cart',
          labels: {},
          ports: [{ name: '', port: 80, protocol: '', targetPort: 0 }],
          endpointGroups: [],
          selector: {},
        },
      ],
    });
  });

  it('refuses a stored inventory of the wrong shape', () => {
    expect(clusterInventorySchema.safeParse({ services: 'none' }).success).toBe(false);
    expect(
      clusterInventorySchema.safeParse({ namespaces: [{ name: 'shop', labels: { tier: 1 } }] }).success,
    ).toBe(false);
  });

  it('reads match conditions and labels, and refuses unknown selector types', () => {
    const conditions = [
      { cluster: { type: 'REGEX', value: '.*' }, namespace: { type: 'EXACT', value: 'shop' } },
    ];
    expect(storedMatchConditionsSchema.parse(conditions)).toEqual(conditions);
    expect(
      storedMatchConditionsSchema.safeParse([
        { cluster: { type: 'GLOB', value: '*' }, namespace: { type: 'EXACT', value: 'x' } },
      ]).success,
    ).toBe(false);
    expect(storedLabelsSchema.safeParse({ region: 'eu' }).success).toBe(true);
    expect(storedLabelsSchema.safeParse(['eu']).success).toBe(false);
  });
});
