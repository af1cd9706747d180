import { Kind, Lexer, parse, Source, TokenKind } from 'graphql';

export interface DocumentBounds {
  /** Lexical tokens of the `query` text (comments not counted), checked before it is parsed. */
  maxTokens: number;
  /** Operation definitions in one document (only one runs; every one is parsed and validated). */
  maxOperations: number;
  /** Fragment definitions in one document. */
  maxFragments: number;
}

export const MAX_OPERATIONS_PER_DOCUMENT = 10;
export const MAX_FRAGMENTS_PER_DOCUMENT = 50;

/** Why a GraphQL request is refused before Apollo sees it: the HTTP status and a message naming the limit. */
export interface BoundsViolation {
  field: string;
  message: string;
}

/**
 * Checks a GraphQL-over-HTTP payload (a POST body or GET parameters) against the bounds, cheaply:
 * batches are refused outright, the query text is lexed (stopping at the token limit) and only then
 * parsed, with the same token limit, to count its definitions. Syntax errors are left to Apollo,
 * which answers them as GRAPHQL_PARSE_FAILED like before.
 */
export function checkDocumentBounds(payload: unknown, bounds: DocumentBounds): BoundsViolation | undefined {
  if (Array.isArray(payload)) {
    return { field: 'body', message: 'batched requests are not supported; send one operation per request' };
  }
  if (payload === null || typeof payload !== 'object') return undefined;
  const query = (payload as { query?: unknown }).query;
  if (typeof query !== 'string') return undefined;

  const tokens = countTokens(query, bounds.maxTokens);
  if (tokens === 'syntax-error') return undefined;
  if (tokens > bounds.maxTokens) {
    return {
      field: 'query',
      message: `the document has more than ${bounds.maxTokens} tokens (LATTICE_GRAPHQL_MAX_TOKENS)`,
    };
  }
  let operations = 0;
  let fragments = 0;
  try {
    for (const definition of parse(query, { noLocation: true, maxTokens: bounds.maxTokens }).definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION) operations++;
      else if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments++;
    }
  } catch {
    return undefined;
  }
  if (operations > bounds.maxOperations) {
    return {
      field: 'query',
      message: `the document has ${operations} operations; at most ${bounds.maxOperations} are allowed`,
    };
  }
  if (fragments > bounds.maxFragments) {
    return {
      field: 'query',
      message: `the document has ${fragments} fragments; at most ${bounds.maxFragments} are allowed`,
    };
  }
  return undefined;
}

/** Tokens of `text`, counting no further than `limit + 1`; 'syntax-error' when it does not lex. */
export function countTokens(text: string, limit: number): number | 'syntax-error' {
  const lexer = new Lexer(new Source(text));
  let count = 0;
  try {
    while (lexer.advance().kind !== TokenKind.EOF) {
      if (++count > limit) return count;
    }
  } catch {
    return 'syntax-error';
  }
  return count;
}
