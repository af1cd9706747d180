import { clusterInventorySchema, storedLabelsSchema, storedMatchConditionsSchema } from './stored-json';

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
