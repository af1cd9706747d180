import { buildSchema, GraphQLError, parse } from 'graphql';
import { checkQueryLimits } from './query-limits.util';

const schema = buildSchema(`
  type Node { id: ID! name: String! children(first: Int): [Node!]! }
  type Query { node: Node! }
`);
const LIMITS = { maxDepth: 4, maxCost: 50, maxAliases: 3 };
const check =
  (query: string, variables: Record<string, unknown> = {}) =>
  () =>
    checkQueryLimits(schema, parse(query), undefined, variables, LIMITS);

function codeOf(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    if (error instanceof GraphQLError) return error.extensions.code;
    throw error;
  }
  return undefined;
}

describe('checkQueryLimits', () => {
  it('lets a modest query through', () => {
    expect(check('{ node { id children { id } } }')).not.toThrow();
  });

  it('counts depth through fragments and inline fragments', () => {
    expect(
      codeOf(
        check(
          '{ node { children { children { ...F } } } } fragment F on Node { children { ... on Node { id } } }',
        ),
      ),
    ).toBe('QUERY_TOO_DEEP');
    expect(codeOf(check('{ node { children { children { id } } } }'))).toBeUndefined();
  });

  it('exempts pure introspection from the depth limit only', () => {
    expect(
      codeOf(check('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')),
    ).toBeUndefined();
    expect(codeOf(check('{ node { id } __schema { types { fields { type { name } } } } }'))).toBe(
      'QUERY_TOO_DEEP',
    );
  });

  it('caps aliases anywhere in the operation', () => {
    expect(codeOf(check('{ a: node { id } b: node { x: id y: id } }'))).toBe('TOO_MANY_ALIASES');
    expect(codeOf(check('{ a: node { id } b: node { x: id } }'))).toBeUndefined();
  });

  it('costs every field, using variables', () => {
    const query = 'query($n: Int) { node { children(first: $n) { id name } } }';
    expect(codeOf(check(query, { n: 1 }))).toBeUndefined();
    const wide = `{ ${Array.from({ length: 3 }, (_, i) => `n${i}: node { id name children { id name children { id name } } }`).join(' ')} }`;
    expect(
      codeOf(() =>
        checkQueryLimits(schema, parse(wide), undefined, {}, { ...LIMITS, maxAliases: 10, maxCost: 20 }),
      ),
    ).toBe('QUERY_TOO_COMPLEX');
  });

  it('leaves wrongly typed variables to execution, which refuses them as BAD_USER_INPUT', () => {
    const query = 'query($n: Int!) { node { children(first: $n) { id } } }';
    expect(check(query, { n: 'ten' })).not.toThrow();
    expect(check(query, {})).not.toThrow();
    expect(check(query, { n: 2 ** 31 })).not.toThrow();
  });
});
