import { isListed, listedBreakingCoordinates, unlistedBreakingChanges } from './schema-changes.util';

const BEFORE = `
type Query {
  "All items."
  items(first: Int): [Item!]!
  "One item."
  item(id: ID!): Item
}
"An item."
type Item {
  "Its id."
  id: ID!
  "Its kind."
  kind: String!
}
`;

const CHANGELOG = `
# GraphQL changelog

## 2.0

### Breaking

- \`Item.kind\` is an enum now.
- \`Query.items\`: a connection. Plain text such as \`not a coordinate!\` is ignored.

### Added

- \`Query.item\` (not breaking, and listing it here does not list anything)
`;

describe('listedBreakingCoordinates', () => {
  it('reads the coordinates under breaking headings only', () => {
    expect([...listedBreakingCoordinates(CHANGELOG)].sort()).toEqual(['Item.kind', 'Query.items']);
  });

  it('ends a breaking section at the next heading of its level or higher', () => {
    const text = '## Breaking\n- `A.b`\n### Details\n- `C.d`\n## Added\n- `E.f`\n';
    expect([...listedBreakingCoordinates(text)].sort()).toEqual(['A.b', 'C.d']);
  });
});

describe('isListed', () => {
  it('matches the coordinate or one that contains it, never a sibling with the same prefix', () => {
    const listed = new Set(['Slo', 'Query.slos']);
    expect(isListed({ path: 'Slo.events' }, listed)).toBe(true);
    expect(isListed({ path: 'Query.slos.gnsId' }, listed)).toBe(true);
    expect(isListed({ path: 'Query.slo' }, listed)).toBe(false);
    expect(isListed({ path: 'SloEvent.type' }, listed)).toBe(false);
    expect(isListed({ path: undefined }, listed)).toBe(false);
  });
});

describe('unlistedBreakingChanges', () => {
  it('accepts additions and listed breaking changes', async () => {
    const after = BEFORE.replace('kind: String!', 'kind: Kind!\n  "New."\n  name: String')
      .replace('items(first: Int): [Item!]!', 'items(first: Int): ItemConnection!')
      .concat(
        '\n"Kinds."\nenum Kind { "A." A }\n"Page."\ntype ItemConnection { "Nodes." nodes: [Item!]! }\n',
      );
    expect(await unlistedBreakingChanges(BEFORE, after, CHANGELOG)).toEqual([]);
  });

  it('names each breaking change the changelog does not list', async () => {
    const after = BEFORE.replace('  "One item."\n  item(id: ID!): Item\n', '').replace(
      'kind: String!',
      'kind: String',
    );
    const unlisted = await unlistedBreakingChanges(BEFORE, after, CHANGELOG);
    expect(unlisted).toHaveLength(1);
    expect(unlisted[0]).toMatch(/^Query\.item: .*removed/);
  });

  it('finds nothing to list between identical schemas', async () => {
    expect(await unlistedBreakingChanges(BEFORE, BEFORE, '')).toEqual([]);
  });
});
