import { ArgumentsHost, BadRequestException, HttpException, Logger } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import type { GraphQLError } from 'graphql';
import { toServiceError } from '../../features/agent-gateway/grpc-status.util';
import { AllExceptionsFilter, toErrorBody } from './all-exceptions.filter';

describe('toErrorBody', () => {
  const logger = { error: jest.fn() } as unknown as Logger;

  it('names body-parser failures that Nest wrapped in an HttpException', () => {
    const parseFailure = Object.assign(new SyntaxError('Unexpected end of JSON input'), {
      status: 400,
      type: 'entity.parse.failed',
    });
    expect(
      toErrorBody(new BadRequestException(parseFailure.message, { cause: parseFailure }), logger, 'r1'),
    ).toEqual({
      statusCode: 400,
      error: 'MALFORMED_JSON',
      message: 'request body is not valid JSON: Unexpected end of JSON input',
      requestId: 'r1',
    });
    const tooLarge = Object.assign(new Error('request entity too large'), {
      status: 413,
      type: 'entity.too.large',
    });
    expect(
      toErrorBody(new HttpException(tooLarge.message, 413, { cause: tooLarge }), logger, 'r2'),
    ).toMatchObject({
      statusCode: 413,
      error: 'PAYLOAD_TOO_LARGE',
    });
    expect(logger.error).not.toHaveBeenCalled();
  });
});

describe('transient database errors', () => {
  const logger = { error: jest.fn(), warn: jest.fn() } as unknown as Logger;
  const poolExhausted = Object.assign(
    new Error('Transaction API error: Unable to start a transaction in the given time.'),
    { code: 'P2028' },
  );

  it('answers 503 UNAVAILABLE with Retry-After over REST, logged as a warning', () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const setHeader = jest.fn();
    const json = jest.fn();
    const status = jest.fn(() => ({ json }));
    const host = {
      getType: () => 'http',
      switchToHttp: () => ({
        getResponse: () => ({ setHeader, status, headersSent: false }),
        getRequest: () => ({ id: 'r3', headers: {} }),
      }),
    } as unknown as ArgumentsHost;
    new AllExceptionsFilter().catch(poolExhausted, host);
    expect(status).toHaveBeenCalledWith(503);
    expect(json).toHaveBeenCalledWith(
      expect.objectContaining({ statusCode: 503, error: 'UNAVAILABLE', requestId: 'r3' }),
    );
    expect(setHeader).toHaveBeenCalledWith('Retry-After', '1');
    expect(warn).toHaveBeenCalled();
  });

  it('answers GraphQL with code UNAVAILABLE and retryAfterSeconds', () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const context = { req: { id: 'r4', headers: {} }, res: { headersSent: false, setHeader: jest.fn() } };
    const host = {
      getType: () => 'graphql',
      getArgs: () => [{}, {}, context, {}],
    } as unknown as ArgumentsHost;
    const error = new AllExceptionsFilter().catch(poolExhausted, host) as GraphQLError;
    expect(error.extensions).toMatchObject({
      code: 'UNAVAILABLE',
      statusCode: 503,
      retryAfterSeconds: 1,
      requestId: 'r4',
    });
  });

  it('maps to gRPC UNAVAILABLE', () => {
    expect(toServiceError(poolExhausted, 'ref').code).toBe(GrpcStatus.UNAVAILABLE);
    expect(logger.error).not.toHaveBeenCalled();
  });
});
