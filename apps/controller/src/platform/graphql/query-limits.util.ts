import type { ApolloServerPlugin, BaseContext } from '@apollo/server';
import {
  getVariableValues,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';

export interface QueryLimits {
  /**
   * Nesting of fields. An operation that only introspects (every root field `__schema`/`__type`,
   * e.g. GraphiQL's) is exempt: its `ofType` chains are deep by design, and whether it is allowed at
   * all is LATTICE_GRAPHQL_INTROSPECTION's call.
   */
  maxDepth: number;
  /** graphql-query-complexity cost: field `complexity` extensions, else 1 per field. */
  maxCost: number;
  /** Aliased fields anywhere in the operation (aliases multiply work without adding depth). */
  maxAliases: number;
}

export const QUERY_LIMITS: QueryLimits = { maxDepth: 8, maxCost: 1_000, maxAliases: 30 };

/**
 * Refuses an abusive operation after parsing and validation, before any resolver runs. Variables
 * are known here (unlike in static validation rules), so `first: $n` is costed with its value.
 */
export function queryLimitsPlugin(limits: QueryLimits = QUERY_LIMITS): ApolloServerPlugin<BaseContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ document, schema, operationName, request }) {
          checkQueryLimits(schema, document, operationName ?? undefined, request.variables ?? {}, limits);
        },
      };
    },
  };
}

export function checkQueryLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | undefined,
  variables: Record<string, unknown>,
  limits: QueryLimits,
): void {
  const operation = findOperation(document, operationName);
  if (!operation) return;
  const fragments = fragmentsOf(document);
  const depth = selectionDepth(operation.selectionSet, fragments, new Set());
  if (depth > limits.maxDepth && !isIntrospectionOnly(operation)) {
    throw refusal('QUERY_TOO_DEEP', `query depth ${depth} exceeds the limit of ${limits.maxDepth}`);
  }
  const aliases = aliasCount(operation.selectionSet, fragments, new Set());
  if (aliases > limits.maxAliases) {
    throw refusal(
      'TOO_MANY_ALIASES',
      `query uses ${aliases} aliases, more than the limit of ${limits.maxAliases}`,
    );
  }
  // getComplexity coerces the variables and throws a code-less error (a 500) when they are wrong;
  // execution refuses them instead, as BAD_USER_INPUT naming the variable, before any resolver runs.
  if (getVariableValues(schema, operation.variableDefinitions ?? [], variables).errors) return;
  const cost = getComplexity({
    schema,
    query: document,
    operationName,
    variables,
    estimators: [fieldExtensionsEstimator(), simpleEstimator({ defaultComplexity: 1 })],
  });
  if (cost > limits.maxCost) {
    throw refusal(
      'QUERY_TOO_COMPLEX',
      `query cost ${cost} exceeds the limit of ${limits.maxCost}; ask for fewer items or fields`,
    );
  }
}

function findOperation(
  document: DocumentNode,
  operationName: string | undefined,
): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter(
    (definition) => definition.kind === Kind.OPERATION_DEFINITION,
  );
  return operationName === undefined
    ? operations[0]
    : operations.find((operation) => operation.name?.value === operationName);
}

function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

/** `visiting` guards against fragment cycles (validation refuses them, but this must not hang). */
function selectionDepth(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  let deepest = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const below = selection.selectionSet ? selectionDepth(selection.selectionSet, fragments, visiting) : 0;
      deepest = Math.max(deepest, 1 + below);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      deepest = Math.max(deepest, selectionDepth(selection.selectionSet, fragments, visiting));
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      deepest = Math.max(deepest, selectionDepth(fragment.selectionSet, fragments, visiting));
      visiting.delete(fragment.name.value);
    }
  }
  return deepest;
}

function isIntrospectionOnly(operation: OperationDefinitionNode): boolean {
  return operation.selectionSet.selections.every(
    (selection) =>
      selection.kind === Kind.FIELD &&
      (selection.name.value === '__schema' ||
        selection.name.value === '__type' ||
        selection.name.value === '__typename'),
  );
}

function aliasCount(
  selectionSet: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visiting: Set<string>,
): number {
  let count = 0;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.alias) count++;
      if (selection.selectionSet) count += aliasCount(selection.selectionSet, fragments, visiting);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      count += aliasCount(selection.selectionSet, fragments, visiting);
    } else {
      const fragment = fragments.get(selection.name.value);
      if (!fragment || visiting.has(fragment.name.value)) continue;
      visiting.add(fragment.name.value);
      count += aliasCount(fragment.selectionSet, fragments, visiting);
      visiting.delete(fragment.name.value);
    }
  }
  return count;
}

function refusal(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}
