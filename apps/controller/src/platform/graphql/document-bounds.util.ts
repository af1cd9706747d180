import { Lexer, Source, TokenKind } from 'graphql';

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
 * batches are refused outright, and the query text is lexed once, counting tokens and top-level
 * operation and fragment definitions as it goes and stopping at the first limit passed — nothing
 * is parsed here, and a document of thousands of operations costs a few hundred tokens' work.
 * Syntax errors are left to Apollo, which answers them as GRAPHQL_PARSE_FAILED like before.
 */
export function checkDocumentBounds(payload: unknown, bounds: DocumentBounds): BoundsViolation | undefined {
  if (Array.isArray(payload)) {
    return { field: 'body', message: 'batched requests are not supported; send one operation per request' };
  }
  if (payload === null || typeof payload !== 'object') return undefined;
  const query = (payload as { query?: unknown }).query;
  if (typeof query !== 'string') return undefined;
  return scanDefinitions(query, bounds);
}

/**
 * One pass of the lexer: a definition starts at the first token outside any braces and
 * parentheses after the previous definition's closing brace (`{` for a shorthand query, or
 * `query`/`mutation`/`subscription`/`fragment`); braces inside arguments and default values
 * (object literals) are inside parentheses and do not end a definition.
 */
function scanDefinitions(text: string, bounds: DocumentBounds): BoundsViolation | undefined {
  const lexer = new Lexer(new Source(text));
  let tokens = 0;
  let operations = 0;
  let fragments = 0;
  let braces = 0;
  let parens = 0;
  let atDefinitionStart = true;
  try {
    for (let token = lexer.advance(); token.kind !== TokenKind.EOF; token = lexer.advance()) {
      if (++tokens > bounds.maxTokens) {
        return {
          field: 'query',
          message: `the document has more than ${bounds.maxTokens} tokens (LATTICE_GRAPHQL_MAX_TOKENS)`,
        };
      }
      if (atDefinitionStart) {
        atDefinitionStart = false;
        if (token.kind === TokenKind.BRACE_L || OPERATION_KEYWORDS.has(token.value)) operations++;
        else if (token.value === 'fragment') fragments++;
        if (operations > bounds.maxOperations) {
          return {
            field: 'query',
            message: `the document has at least ${operations} operations; at most ${bounds.maxOperations} are allowed`,
          };
        }
        if (fragments > bounds.maxFragments) {
          return {
            field: 'query',
            message: `the document has at least ${fragments} fragments; at most ${bounds.maxFragments} are allowed`,
          };
        }
      }
      if (token.kind === TokenKind.BRACE_L) braces++;
      else if (token.kind === TokenKind.PAREN_L) parens++;
      else if (token.kind === TokenKind.PAREN_R) parens--;
      else if (token.kind === TokenKind.BRACE_R && --braces === 0 && parens === 0) atDefinitionStart = true;
    }
  } catch {
    return undefined; // does not lex: Apollo answers GRAPHQL_PARSE_FAILED
  }
  return undefined;
}

const OPERATION_KEYWORDS = new Set(['query', 'mutation', 'subscription']);

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
