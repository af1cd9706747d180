import { createHash } from 'node:crypto';
import {
  Injectable,
  Logger,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
} from '@nestjs/common';
import type { Response } from 'express';
import { from, mergeMap, of, tap, type Observable } from 'rxjs';
import { DomainError } from '@lattice/domain';
import type { AuthenticatedRequest } from '../auth/authenticated-request.util';
import { IdempotencyStore } from './idempotency.store';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Answer headers a replay repeats (the body and status are always repeated). */
const REPLAYED_HEADERS = ['etag', 'location', 'content-type'];
/** Visible ASCII, as Stripe and the IETF draft (draft-ietf-httpapi-idempotency-key-header) use. */
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * `Idempotency-Key` on every POST: the first request with a key runs, and its successful answer
 * (status, body, ETag and Location) is replayed for 24 hours to a retry with the same key, method,
 * path and body, marked `Idempotent-Replayed: true`. The same key with another request is refused
 * with 422; a retry while the first is still running with 409. Keys are scoped by tenant (the
 * operator has its own scope), so tenants cannot see each other's answers. Failed requests are not
 * remembered: a retry after an error runs again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger(IdempotencyInterceptor.name);

  constructor(private readonly store: IdempotencyStore) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const response = context.switchToHttp().getResponse<Response>();
    const header = request.headers[IDEMPOTENCY_HEADER];
    if (request.method !== 'POST' || header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (key === undefined || !KEY.test(key))
      throw DomainError.validation([
        {
          field: 'Idempotency-Key',
          message: 'must be 1 to 255 visible ASCII characters (a UUID is a good key)',
        },
      ]);
    const principal = request.principal;
    if (!principal) return next.handle();
    const scope = principal.kind === 'token' ? principal.tenantId : 'operator';
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([request.method, request.originalUrl, request.body ?? null]))
      .digest('base64url');
    return from(this.store.claim(scope, key, fingerprint)).pipe(
      mergeMap((claim) => {
        switch (claim.kind) {
          case 'mismatch':
            throw new DomainError(
              'UNPROCESSABLE',
              'this Idempotency-Key was already used with a different request (method, path or body) in the last 24 hours: use a new key for a new request',
            );
          case 'in-progress':
            throw new DomainError(
              'CONFLICT',
              'a request with this Idempotency-Key is still being processed: retry when it has finished',
            );
          case 'replay':
            response.status(claim.answer.status);
            for (const [name, value] of Object.entries(claim.answer.headers)) response.setHeader(name, value);
            response.setHeader('Idempotent-Replayed', 'true');
            return of(claim.answer.body);
          case 'claimed':
            return this.run(next, response, scope, key, fingerprint);
        }
      }),
    );
  }

  private run(
    next: CallHandler,
    response: Response,
    scope: string,
    key: string,
    fingerprint: string,
  ): Observable<unknown> {
    let answered: { body: unknown } | undefined;
    response.once('finish', () => {
      const status = response.statusCode;
      const settle =
        answered && status < 400
          ? this.store.complete(scope, key, fingerprint, {
              status,
              body: answered.body ?? null,
              headers: Object.fromEntries(
                REPLAYED_HEADERS.flatMap((name) => {
                  const value = response.getHeader(name);
                  return value === undefined ? [] : [[name, String(value)]];
                }),
              ),
            })
          : this.store.release(scope, key);
      settle.catch((error: unknown) =>
        this.logger.error({ err: error }, 'storing the answer of an idempotent request failed'),
      );
    });
    return next.handle().pipe(tap((body) => (answered = { body })));
  }
}
