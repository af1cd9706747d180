import { parse } from 'graphql';
import { asksForIntrospection, introspectionRefusal } from './introspection.util';

describe('asksForIntrospection', () => {
  it.each([
    '{ __schema { queryType { name } } }',
    '{ __type(name: "Query") { name } }',
    'query { clusters { nodes { id } } __schema { types { name } } }',
    'query { ...F } fragment F on Query { __schema { types { name } } }',
    'query { ... on Query { __type(name: "Cluster") { fields { name } } } }',
  ])('finds it in %s', (query) => expect(asksForIntrospection(parse(query))).toBe(true));

  it.each(['{ clusters { nodes { id __typename } } }', '{ __typename }'])('not in %s', (query) =>
    expect(asksForIntrospection(parse(query))).toBe(false),
  );

  it('refuses with UNAUTHENTICATED and HTTP 401', () => {
    expect(introspectionRefusal('send Authorization').extensions).toEqual({
      code: 'UNAUTHENTICATED',
      http: { status: 401 },
    });
  });
});
