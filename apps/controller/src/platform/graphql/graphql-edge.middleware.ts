import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '@lattice/domain';
import type { AuthenticatedRequest } from '../auth/authenticated-request.util';
import { requestIdFor } from '../http/all-exceptions.filter';
import { addressKey, blockedCaller, credentialKey, EdgeBlocklist } from '../http/edge-shield.util';
import type { CallerAuthenticator, EdgeBudgetStore } from './graphql-edge.types';
import {
  checkDocumentBounds,
  MAX_FRAGMENTS_PER_DOCUMENT,
  MAX_OPERATIONS_PER_DOCUMENT,
  type DocumentBounds,
} from './document-bounds.util';

export interface GraphqlEdgeOptions {
  maxBytes: number;
  maxTokens: number;
  /** Requests per minute per authenticated caller. */
  requestsPerMinute: number;
  /** Refused credentials per minute per client IP (as for REST: LATTICE_AUTH_FAILURES_PER_MINUTE). */
  failedAuthenticationsPerMinute: number;
}

const WINDOW_MS = 60_000;

/**
 * Runs on /graphql before the JSON body parser and before Apollo, so nothing a caller sends is
 * read, parsed or validated until it is known who sent it and that they are within their budget:
 *   1. a caller this replica saw blocked — its credential over budget, or its address over its
 *      budget of failed authentications and no credential that authenticated here recently — is
 *      refused at once (429 with Retry-After), no I/O; normally the HTTP server's shield
 *      (edge-shield.util.ts) already refused it before Express;
 *   2. authenticate the bearer token (401; failures count against the client IP, 429 past the limit);
 *   3. one request from the credential's per-minute GraphQL budget (429 with Retry-After); a
 *      credential or address found over budget goes on the shared blocklist until its block ends;
 *   4. read the body with the GraphQL byte limit (413);
 *   5. refuse batches, and documents over the token, operation or fragment limits (400).
 * A legitimate request costs its token lookup and one Redis round trip (the budget), nothing more;
 * for a credential in use the two run concurrently.
 * The principal is left on the request, so the AuthGuard does not look the token up again.
 * GET without a `query` (the GraphiQL landing page) passes through untouched.
 */
export function graphqlEdge(
  authenticator: CallerAuthenticator,
  storage: EdgeBudgetStore,
  options: GraphqlEdgeOptions,
  blocks: EdgeBlocklist = new EdgeBlocklist(),
): RequestHandler {
  const bounds: DocumentBounds = {
    maxTokens: options.maxTokens,
    maxOperations: MAX_OPERATIONS_PER_DOCUMENT,
    maxFragments: MAX_FRAGMENTS_PER_DOCUMENT,
  };
  const readJson = json({ limit: options.maxBytes, type: ['application/json', '+json'] });

  /** Takes one request from the budget: 0 when within it, else the seconds until it may retry. */
  const takeFromBudget = async (throttler: string, key: string, limit: number): Promise<number> => {
    const record = await storage.increment(key, WINDOW_MS, limit, WINDOW_MS, throttler);
    return record.isBlocked ? Math.max(record.timeToBlockExpire, 1) : 0;
  };
  /** As takeFromBudget, and sets Retry-After when over budget. */
  const overBudgetFor = async (res: Response, throttler: string, key: string, limit: number) => {
    const seconds = await takeFromBudget(throttler, key, limit);
    if (seconds > 0) res.setHeader('Retry-After', String(seconds));
    return seconds;
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const request = req as AuthenticatedRequest;
    if (request.method === 'GET' && request.query.query === undefined) return next();
    if (request.method !== 'GET' && request.method !== 'POST') return next();

    void (async (): Promise<EdgeRefusal | undefined> => {
      const credential = credentialKey(request.headers.authorization);
      const blocked = blockedCaller(blocks, request.headers.authorization, () => request.ip);
      if (blocked) {
        res.setHeader('Retry-After', String(blocked.seconds));
        return blocked.reason === 'credential'
          ? overBudget(options.requestsPerMinute)
          : { status: 429, code: 'RATE_LIMITED', message: blocked.message };
      }
      // A credential that authenticated here recently takes from its budget while its token is
      // looked up (one round trip's wait instead of two); any other only once it authenticated,
      // so made-up tokens create no budget keys.
      const earlyBudget =
        credential && blocks.isVouched(credential)
          ? takeFromBudget('graphql', credential, options.requestsPerMinute)
          : undefined;
      earlyBudget?.catch(() => undefined); // awaited below; never an unhandled rejection
      let principal;
      try {
        principal = await authenticator.authenticate(request.headers.authorization);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'UNAUTHENTICATED') throw error;
        const address = addressKey(request.ip);
        const known = blocks.secondsLeft(address);
        if (known > 0) res.setHeader('Retry-After', String(known));
        const anonymousWait =
          known ||
          (await overBudgetFor(res, 'graphql-anonymous', address, options.failedAuthenticationsPerMinute));
        if (anonymousWait > 0) {
          blocks.remember(address, anonymousWait);
          return {
            status: 429,
            code: 'RATE_LIMITED',
            message: 'too many unauthenticated GraphQL requests; slow down',
          };
        }
        return { status: 401, code: 'UNAUTHENTICATED', message: error.message };
      }
      // Authenticated, so the header held a credential and `credential` is defined.
      blocks.vouch(credential!);
      const waitSeconds = await (earlyBudget ??
        takeFromBudget('graphql', credential!, options.requestsPerMinute));
      if (waitSeconds > 0) {
        res.setHeader('Retry-After', String(waitSeconds));
        blocks.remember(credential!, waitSeconds);
        return overBudget(options.requestsPerMinute);
      }
      request.principal = principal;

      if (request.method === 'POST') {
        const declared = Number(request.headers['content-length']);
        if (Number.isFinite(declared) && declared > options.maxBytes) return tooLarge(options.maxBytes);
        const parseError = await new Promise<unknown>((resolve) => readJson(request, res, resolve));
        if (parseError) {
          // Invalid JSON and the like: the exception filter answers them as for every other route.
          if ((parseError as { type?: unknown }).type !== 'entity.too.large') throw parseError;
          return tooLarge(options.maxBytes);
        }
      }
      const payload = request.method === 'POST' ? request.body : request.query;
      const violation = checkDocumentBounds(payload, bounds);
      if (violation) {
        return {
          status: 400,
          code: 'VALIDATION',
          message: `${violation.field}: ${violation.message}`,
          fields: [violation],
        };
      }
      return undefined;
    })().then((refusal) => (refusal ? refuse(request, res, refusal) : next()), next);
  };
}

interface EdgeRefusal {
  status: number;
  code: string;
  message: string;
  fields?: { field: string; message: string }[];
}

/**
 * The standard error body (statusCode, error, message, requestId) that is also a GraphQL response
 * (`data: null`, `errors` with `extensions.code`), so REST-minded and GraphQL clients both read it.
 */
function refuse(request: Request, res: Response, refusal: EdgeRefusal): void {
  const requestId = requestIdFor(request.headers['x-request-id']);
  res.setHeader('X-Request-Id', requestId);
  // A refused body that was never read is not drained either: the connection closes after the answer.
  if (request.method === 'POST' && !request.complete) res.setHeader('Connection', 'close');
  res.status(refusal.status).json({
    statusCode: refusal.status,
    error: refusal.code,
    message: refusal.message,
    requestId,
    data: null,
    errors: [
      {
        message: refusal.message,
        extensions: { code: refusal.code, requestId, ...(refusal.fields ? { fields: refusal.fields } : {}) },
      },
    ],
  });
}

function overBudget(requestsPerMinute: number): EdgeRefusal {
  return {
    status: 429,
    code: 'RATE_LIMITED',
    message: `rate limit of ${requestsPerMinute} GraphQL requests per minute exceeded`,
  };
}

function tooLarge(maxBytes: number): EdgeRefusal {
  return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: graphqlTooLargeMessage(maxBytes) };
}

export function graphqlTooLargeMessage(maxBytes: number): string {
  return `GraphQL request bodies are limited to ${maxBytes} bytes (LATTICE_GRAPHQL_MAX_BYTES)`;
}
