import { Logger } from '@nestjs/common';
import { GraphQLError } from 'graphql';
import { testRuntimeConfig } from '../../../../../test/support/runtime-config';
import { runInRequestContext } from '../http/request-context.util';
import { formatGraphQLError, graphqlOptions } from './graphql.module';

describe('graphqlOptions', () => {
  it('runs guards and exception filters on field resolvers too, so their roles are checked and their errors mapped', () => {
    const options = graphqlOptions(testRuntimeConfig('postgresql://unused'), new MetricsService());
    expect(options.fieldResolverEnhancers).toEqual(expect.arrayContaining(['guards', 'filters']));
  });
});

describe('formatGraphQLError', () => {
  const inRequest = <T>(run: () => T): T => runInRequestContext({ requestId: 'req-1' }, run);

  it('adds the request id to every error and drops stack traces', () => {
    const formatted = inRequest(() =>
      formatGraphQLError(
        { message: 'not found', extensions: { code: 'NOT_FOUND', statusCode: 404, stacktrace: ['at x'] } },
        new GraphQLError('not found'),
      ),
    );
    expect(formatted).toEqual({
      message: 'not found',
      extensions: { code: 'NOT_FOUND', statusCode: 404, requestId: 'req-1' },
    });
  });

  it('answers a value refused by a scalar as BAD_USER_INPUT even when graphql-js calls it a validation error', () => {
    const refused = new GraphQLError('DateTime must be ...; got 123', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
    const validation = new GraphQLError(refused.message, { originalError: refused });
    const formatted = inRequest(() =>
      formatGraphQLError(
        { message: refused.message, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } },
        validation,
      ),
    );
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', requestId: 'req-1' });
    expect(formatted.message).toBe(refused.message);
  });

  it('never passes on the raw message of an error nobody mapped, and logs it with the request id', () => {
    const log = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const typeError = new TypeError("Cannot read properties of null (reading 'getTime')");
    const wrapped = new GraphQLError(typeError.message, {
      originalError: typeError,
      path: ['slo', 'history'],
    });
    const formatted = inRequest(() =>
      formatGraphQLError(
        {
          message: typeError.message,
          path: ['slo', 'history'],
          extensions: { code: 'INTERNAL_SERVER_ERROR' },
        },
        wrapped,
      ),
    );
    expect(formatted).toEqual({
      message: 'internal error (request id req-1)',
      path: ['slo', 'history'],
      extensions: { code: 'INTERNAL', statusCode: 500, requestId: 'req-1' },
    });
    expect(log).toHaveBeenCalledWith({ err: typeError, requestId: 'req-1' }, 'unexpected GraphQL error');
    log.mockRestore();
  });
});
import { MetricsService } from '../metrics/metrics.service';
