import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { GqlArgumentsHost } from '@nestjs/graphql';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { DomainError } from '@lattice/domain';
import { asTransientDatabaseError } from '../database/db.util';
import { HTTP_STATUS_BY_CODE, RETRY_AFTER_SECONDS_BY_CODE, type ErrorBody } from './error-response.util';
import { assignRequestId, currentRequestId, requestIdFor } from './request-context.util';

export { requestIdFor };

/**
 * Every error leaves as JSON with a status and a message; unexpected ones are logged with the
 * request id and answered with an opaque 500 (never a stack trace).
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): unknown {
    if (host.getType<string>() === 'graphql') {
      return toGraphQLError(exception, this.logger, graphqlRequestIdOf(host));
    }
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request & { id?: string }>();
    const body = toErrorBody(exception, this.logger, assignRequestId(request, response));
    const retryAfter =
      exception instanceof HttpException
        ? (exception.getResponse() as { retryAfter?: number }).retryAfter
        : retryAfterSecondsOf(body);
    if (retryAfter) response.setHeader('Retry-After', String(retryAfter));
    response.status(body.statusCode).json(body);
    return undefined;
  }
}

export function toErrorBody(exception: unknown, logger: Logger, requestId: string): ErrorBody {
  const transient = asTransientDatabaseError(exception);
  if (transient) {
    // Overload, not a bug: the client retries; operators see it as a warning (pool or database too small).
    logger.warn({ err: exception, requestId }, 'database overloaded or unreachable; answered 503');
    exception = transient;
  }
  if (exception instanceof DomainError) {
    const statusCode = HTTP_STATUS_BY_CODE[exception.code];
    return {
      statusCode,
      error: exception.code,
      message: exception.message,
      ...(exception.fields.length ? { errors: exception.fields } : {}),
      requestId,
    };
  }
  // Nest wraps body-parser errors (invalid JSON, too large) in HttpExceptions; the cause says which.
  const bodyParserError =
    asBodyParserError(exception) ?? asBodyParserError((exception as { cause?: unknown })?.cause);
  if (bodyParserError) return { ...bodyParserError, requestId };
  if (exception instanceof HttpException) {
    const statusCode = exception.getStatus();
    const raw = exception.getResponse();
    const details = typeof raw === 'string' ? { message: raw } : (raw as Record<string, unknown>);
    return {
      statusCode,
      error: HttpStatus[statusCode] ?? 'ERROR',
      message: Array.isArray(details.message)
        ? details.message.join('; ')
        : String(details.message ?? exception.message),
      ...(Array.isArray(details.errors) ? { errors: details.errors as ErrorBody['errors'] } : {}),
      requestId,
    };
  }
  logger.error({ err: exception, requestId }, 'unexpected error');
  return {
    statusCode: 500,
    error: 'INTERNAL',
    message: `internal error (request id ${requestId})`,
    requestId,
  };
}

/** Retry-After for the error codes that mean "try again later". */
export function retryAfterSecondsOf(body: ErrorBody): number | undefined {
  return RETRY_AFTER_SECONDS_BY_CODE[body.error as keyof typeof RETRY_AFTER_SECONDS_BY_CODE];
}

/** The id of the HTTP request carrying a GraphQL operation (pino-http gave it), so errors can name it. */
function graphqlRequestIdOf(host: ArgumentsHost): string {
  const { req, res } = GqlArgumentsHost.create(host).getContext<{ req?: Request; res?: Response }>();
  if (req && res) return assignRequestId(req, res);
  return currentRequestId() ?? '';
}

/** express.json() errors carry a status and a type; malformed JSON is the client's mistake. */
function asBodyParserError(exception: unknown): Omit<ErrorBody, 'requestId'> | undefined {
  const error = exception as { status?: number; type?: string; message?: string };
  if (typeof error?.status !== 'number' || typeof error.type !== 'string') return undefined;
  if (error.type === 'entity.parse.failed') {
    return {
      statusCode: 400,
      error: 'MALFORMED_JSON',
      message: `request body is not valid JSON: ${error.message}`,
    };
  }
  if (error.type === 'entity.too.large') {
    return { statusCode: 413, error: 'PAYLOAD_TOO_LARGE', message: 'request body is too large' };
  }
  if (error.status >= 400 && error.status < 500) {
    return {
      statusCode: error.status,
      error: error.type.toUpperCase(),
      message: error.message ?? error.type,
    };
  }
  return undefined;
}

/**
 * A resolver's (or guard's) error as GraphQL answers it: the same code, status and message as REST,
 * plus the request id; unexpected errors are logged and answered with a fixed message.
 */
export function toGraphQLError(exception: unknown, logger: Logger, requestId: string): GraphQLError {
  if (exception instanceof GraphQLError) return exception;
  const body = toErrorBody(exception, logger, requestId);
  return new GraphQLError(body.message, {
    extensions: {
      code: body.error,
      statusCode: body.statusCode,
      requestId,
      ...(body.errors ? { errors: body.errors } : {}),
      ...(retryAfterSecondsOf(body) ? { retryAfterSeconds: retryAfterSecondsOf(body) } : {}),
    },
  });
}
