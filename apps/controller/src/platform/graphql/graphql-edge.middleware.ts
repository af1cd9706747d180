import { createHash } from 'node:crypto';
import { json, type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { DomainError } from '@lattice/domain';
import type { AuthenticatedRequest } from '../auth/authenticated-request.util';
import { requestIdFor } from '../http/all-exceptions.filter';
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
 *   1. a credential already over its per-minute GraphQL budget is refused at once (429 with
 *      Retry-After): a flood with a valid token costs one Redis read, no token lookup;
 *   2. authenticate the bearer token (401; failures count against the client IP, 429 past the limit);
 *   3. one request from the credential's per-minute GraphQL budget (429 with Retry-After);
 *   4. read the body with the GraphQL byte limit (413);
 *   5. refuse batches, and documents over the token, operation or fragment limits (400).
 * The principal is left on the request, so the AuthGuard does not look the token up again.
 * GET without a `query` (the GraphiQL landing page) passes through untouched.
 */
export function graphqlEdge(
  authenticator: CallerAuthenticator,
  storage: EdgeBudgetStore,
  options: GraphqlEdgeOptions,
): RequestHandler {
  const bounds: DocumentBounds = {
    maxTokens: options.maxTokens,
    maxOperations: MAX_OPERATIONS_PER_DOCUMENT,
    maxFragments: MAX_FRAGMENTS_PER_DOCUMENT,
  };
  const readJson = json({ limit: options.maxBytes, type: ['application/json', '+json'] });
  const blocks = new BlockedCredentials();

  /** Takes one request from the budget: 0 when within it, else the seconds until it may retry (Retry-After set). */
  const overBudgetFor = async (
    res: Response,
    throttler: string,
    key: string,
    limit: number,
  ): Promise<number> => {
    const record = await storage.increment(key, WINDOW_MS, limit, WINDOW_MS, throttler);
    if (!record.isBlocked) return 0;
    const seconds = Math.max(record.timeToBlockExpire, 1);
    res.setHeader('Retry-After', String(seconds));
    return seconds;
  };

  return (req: Request, res: Response, next: NextFunction): void => {
    const request = req as AuthenticatedRequest;
    if (request.method === 'GET' && request.query.query === undefined) return next();
    if (request.method !== 'GET' && request.method !== 'POST') return next();

    void (async (): Promise<EdgeRefusal | undefined> => {
      const credential = credentialKey(request.headers.authorization);
      if (credential) {
        const blockedSeconds =
          blocks.secondsLeft(credential) || (await storage.blockedSeconds(credential, 'graphql'));
        if (blockedSeconds > 0) {
          blocks.remember(credential, blockedSeconds);
          res.setHeader('Retry-After', String(blockedSeconds));
          return overBudget(options.requestsPerMinute);
        }
      }
      let principal;
      try {
        principal = await authenticator.authenticate(request.headers.authorization);
      } catch (error) {
        if (!(error instanceof DomainError) || error.code !== 'UNAUTHENTICATED') throw error;
        const address = `ip:${request.ip ?? 'unknown'}`;
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
      const waitSeconds = await overBudgetFor(res, 'graphql', credential!, options.requestsPerMinute);
      if (waitSeconds > 0) {
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

/**
 * Credentials this replica saw blocked, until their block ends: a flood with a spent token is then
 * refused without even a Redis round trip. Only a cache of what Redis said (blocks never end early),
 * bounded so made-up tokens cannot grow it.
 */
class BlockedCredentials {
  private readonly until = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  secondsLeft(credential: string, now = Date.now()): number {
    const until = this.until.get(credential);
    if (until === undefined) return 0;
    if (until > now) return Math.ceil((until - now) / 1000);
    this.until.delete(credential);
    return 0;
  }

  remember(credential: string, seconds: number, now = Date.now()): void {
    if (this.until.size >= this.maxEntries) {
      for (const [key, until] of this.until) if (until <= now) this.until.delete(key);
      // Still full of live blocks: forget the oldest (Map keeps insertion order).
      if (this.until.size >= this.maxEntries) this.until.delete(this.until.keys().next().value!);
    }
    this.until.set(credential, Math.max(this.until.get(credential) ?? 0, now + seconds * 1000));
  }
}

/**
 * The budget key of a credential: a hash of the header's last word (the token whatever the scheme's
 * spelling), known before the token is looked up. One key per token, as a token id would be.
 */
function credentialKey(authorization: string | undefined): string | undefined {
  const token = authorization?.trim().split(/\s+/).pop();
  return token ? `credential:${createHash('sha256').update(token).digest('hex').slice(0, 32)}` : undefined;
}

function overBudget(requestsPerMinute: number): EdgeRefusal {
  return {
    status: 429,
    code: 'RATE_LIMITED',
    message: `rate limit of ${requestsPerMinute} GraphQL requests per minute exceeded`,
  };
}

function tooLarge(maxBytes: number): EdgeRefusal {
  return {
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    message: `GraphQL request bodies are limited to ${maxBytes} bytes (LATTICE_GRAPHQL_MAX_BYTES)`,
  };
}
