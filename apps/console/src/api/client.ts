import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { storedToken } from './session';

/** A refused or failed call, with what the server said: message, code, field errors and request id. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly requestId: string | null,
    readonly fields: { field: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();
/** Called when the server answers 401: the token was revoked or expired; the console signs out. */
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const token = storedToken();
  return {
    Accept: 'application/json',
    ...(token ? { Authorization: `Bearer ${token}` } : {}),
    ...extra,
  };
}

interface ErrorBody {
  message?: string | string[];
  error?: string;
  code?: string;
  requestId?: string;
  errors?: { field: string; message: string }[] | { message: string; extensions?: Record<string, unknown> }[];
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return { message: text.slice(0, 300) };
  }
}

function errorFrom(response: Response, body: unknown): ApiError {
  const json = (body ?? {}) as ErrorBody;
  const requestId = json.requestId ?? response.headers.get('x-request-id');
  const message = Array.isArray(json.message)
    ? json.message.join('; ')
    : (json.message ?? `${response.status} ${response.statusText}`);
  const fields = Array.isArray(json.errors)
    ? json.errors.filter((e): e is { field: string; message: string } => 'field' in e)
    : [];
  if (response.status === 401) unauthenticatedListeners.forEach((listener) => listener());
  return new ApiError(message, response.status, json.code ?? json.error ?? null, requestId, fields);
}

export interface RestResult<T> {
  data: T;
  etag: string | null;
}

/** A REST call under /v1 (or /console/session) with the signed-in token. */
export async function rest<T>(
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<RestResult<T>> {
  const response = await fetch(path, {
    method,
    headers: headers(
      body === undefined ? extraHeaders : { 'Content-Type': 'application/json', ...extraHeaders },
    ),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await readJson(response);
  if (!response.ok) throw errorFrom(response, json);
  return { data: json as T, etag: response.headers.get('etag') };
}

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: {
    message: string;
    extensions?: { code?: string; requestId?: string; errors?: { field: string; message: string }[] };
  }[];
}

/** A GraphQL operation whose result and variable types come from the generated src/gql. */
export async function gql<TResult, TVariables>(
  document: TypedDocumentNode<TResult, TVariables>,
  variables?: TVariables,
): Promise<TResult> {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: headers({ 'Content-Type': 'application/json' }),
    body: JSON.stringify({ query: print(document), variables: variables ?? {} }),
  });
  const json = (await readJson(response)) as GraphQLResponse<TResult> | null;
  const first = json?.errors?.[0];
  if (first) {
    if (response.status === 401) unauthenticatedListeners.forEach((listener) => listener());
    throw new ApiError(
      first.message,
      response.status,
      first.extensions?.code ?? null,
      first.extensions?.requestId ?? response.headers.get('x-request-id'),
      first.extensions?.errors ?? [],
    );
  }
  if (!response.ok || !json?.data) throw errorFrom(response, json);
  return json.data;
}

/** A connection page as every list query of the console asks for it. */
export interface Page<T> {
  nodes: T[];
  pageInfo: { endCursor?: string | null; hasNextPage: boolean };
}

/**
 * Every node of a connection, page by page (pages stay small so each query stays under the
 * server's cost limit). Stops after `maxPages` pages rather than looping on a broken cursor.
 */
export async function allNodes<T>(
  fetchPage: (after: string | null) => Promise<Page<T>>,
  maxPages = 50,
): Promise<T[]> {
  const nodes: T[] = [];
  let after: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const result: Page<T> = await fetchPage(after);
    nodes.push(...result.nodes);
    if (!result.pageInfo.hasNextPage || !result.pageInfo.endCursor) break;
    after = result.pageInfo.endCursor;
  }
  return nodes;
}
