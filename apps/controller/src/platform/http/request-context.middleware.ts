import { Injectable, type NestMiddleware } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { assignRequestId, runInRequestContext } from './request-context.util';

/**
 * Serves the rest of the request (REST handlers, Apollo, guards, services, repositories) inside an
 * AsyncLocalStorage context holding its request id. A Nest middleware, so it runs after the body
 * parsers (whose stream callbacks would otherwise lose the context).
 */
@Injectable()
export class RequestContextMiddleware implements NestMiddleware {
  use(request: IncomingMessage, response: ServerResponse, next: () => void): void {
    runInRequestContext(
      { requestId: assignRequestId(request, response), startedAt: performance.now() },
      next,
    );
  }
}
