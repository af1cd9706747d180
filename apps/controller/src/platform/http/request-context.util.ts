import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** What code deep in a request (a repository, the GraphQL error formatter) may know about it. */
export interface RequestContext {
  requestId: string;
  /** performance.now() when the request reached the handlers (after body parsing). */
  startedAt?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

/** Runs `next` (and everything it awaits) with this request's context. */
export function runInRequestContext<T>(context: RequestContext, next: () => T): T {
  return storage.run(context, next);
}

/** The id of the HTTP/GraphQL request being served, or undefined outside one (jobs, gRPC, start-up). */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** performance.now() at which the request being served started, or undefined outside one. */
export function currentRequestStartedAt(): number | undefined {
  return storage.getStore()?.startedAt;
}

/** A sane incoming X-Request-Id (so callers can correlate), else a new UUID. */
export function requestIdFor(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID();
}

/**
 * The request's id, assigned once: pino-http (`genReqId`) and the request-context middleware both
 * come here or keep an id already set, so the log lines, the X-Request-Id header, error bodies and
 * audit events all carry the same one.
 */
export function assignRequestId(
  request: IncomingMessage & { id?: unknown },
  response: ServerResponse,
): string {
  if (request.id !== undefined && request.id !== null && request.id !== '') return String(request.id);
  const id = requestIdFor(request.headers['x-request-id']);
  request.id = id;
  if (!response.headersSent) response.setHeader('X-Request-Id', id);
  return id;
}
