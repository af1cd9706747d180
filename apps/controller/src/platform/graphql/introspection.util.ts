import { BREAK, GraphQLError, visit, type DocumentNode } from 'graphql';

/**
 * Whether a document asks for the schema (`__schema` or `__type` anywhere, fragments included).
 * `__typename` is ordinary data and does not count.
 */
export function asksForIntrospection(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(node) {
      if (node.name.value === '__schema' || node.name.value === '__type') {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/** The 401 for introspection without a (valid) token; Apollo answers with the status in `http`. */
export function introspectionRefusal(reason: string): GraphQLError {
  return new GraphQLError(`introspection needs a token: ${reason}`, {
    extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
  });
}
