import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { Logger, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { projectRoot } from '@lattice/platform';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { currentRequestId } from '../http/request-context.util';
import { DateTimeScalar } from './date-time.model';
import { MetricsService } from '../metrics/metrics.service';
import { operationMetricsPlugin } from './operation-metrics.util';
import { queryLimitsPlugin } from './query-limits.util';
import { GraphiqlController } from './graphiql.controller';

/**
 * GraphQL at /graphql (code-first). Resolvers live in their features and are registered by the
 * feature modules (`providers`); @nestjs/graphql finds them by scanning every module, so this module
 * imports no feature. The schema is written to apps/controller/schema.gql, sorted, so API changes
 * show in review; in production it is only built in memory (read-only file systems).
 * Authentication and roles come from the global AuthGuard through the `req` in the context; errors
 * from resolvers are mapped by AllExceptionsFilter.
 */
@Module({
  imports: [
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [RUNTIME_CONFIG, MetricsService],
      useFactory: graphqlOptions,
    }),
  ],
  controllers: [GraphiqlController],
})
export class LatticeGraphQLModule {}

/** Where the schema is committed (relative to the project root). */
export const SCHEMA_FILE = 'apps/controller/schema.gql';

/**
 * How the code-first schema is built, here and by graphql-schema.util.ts (which checks the committed
 * file without starting the app): a field typed `Date` without an explicit scalar gets the strict
 * DateTime too, so the schema has one DateTime.
 */
export const SCHEMA_BUILD_OPTIONS: NonNullable<ApolloDriverConfig['buildSchemaOptions']> = {
  scalarsMap: [{ type: Date, scalar: DateTimeScalar }],
};

export function graphqlOptions(config: RuntimeConfig, metrics: MetricsService): ApolloDriverConfig {
  return {
    path: '/graphql',
    autoSchemaFile: config.env.NODE_ENV === 'production' ? true : path.join(projectRoot(), SCHEMA_FILE),
    sortSchema: true,
    buildSchemaOptions: SCHEMA_BUILD_OPTIONS,
    // Only for authenticated callers too: see IntrospectionGuard (features/auth).
    introspection: config.env.LATTICE_GRAPHQL_INTROSPECTION,
    // Not Apollo's landing page (it loads GraphiQL from a CDN): GraphiqlController serves it at /graphiql.
    graphiql: false,
    includeStacktraceInErrorResponses: false,
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    // Field resolvers (GlobalNamespace.ca, Slo.history, ...) pass the guards too, so the role each
    // declares is checked like a query's, and their errors are mapped like a query's.
    fieldResolverEnhancers: ['guards', 'filters'],
    // Apollo installs its cache-control plugin by default; it runs a hook for every resolved field
    // (a topology answer has thousands) and nothing here sets cache hints.
    plugins: [
      queryLimitsPlugin(),
      operationMetricsPlugin(metrics.registry),
      ApolloServerPluginCacheControlDisabled(),
    ],
    // The GraphQL edge middleware (main.ts) already refuses longer documents; this holds for any
    // other way a document reaches Apollo.
    parseOptions: { maxTokens: config.env.LATTICE_GRAPHQL_MAX_TOKENS },
    formatError: formatGraphQLError,
  };
}

const logger = new Logger('GraphQL');

/** Codes that Apollo gives errors nobody mapped (a bug, not the client's mistake). */
const UNMAPPED_CODES = new Set([undefined, 'INTERNAL_SERVER_ERROR']);

/**
 * The last step of every GraphQL error: it names the request (`extensions.requestId`, the same id
 * as the X-Request-Id header and the log lines); input refused by a scalar is BAD_USER_INPUT whether
 * it came inline (a validation error to graphql-js) or as a variable; and an error nobody mapped
 * (a TypeError in a resolver, a serialisation failure) is logged and answered as INTERNAL with a
 * fixed message — never its raw JavaScript message.
 */
export function formatGraphQLError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const requestId = currentRequestId() ?? randomUUID();
  const { stacktrace: _stacktrace, ...extensions } = withoutStacktrace(formatted).extensions ?? {};
  const original = error instanceof GraphQLError ? error.originalError : undefined;
  if (original instanceof GraphQLError && original.extensions.code === 'BAD_USER_INPUT') {
    return { ...formatted, extensions: { ...extensions, code: 'BAD_USER_INPUT', requestId } };
  }
  if (UNMAPPED_CODES.has(extensions.code as string | undefined)) {
    logger.error({ err: original ?? error, requestId }, 'unexpected GraphQL error');
    return {
      message: `internal error (request id ${requestId})`,
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
      extensions: { code: 'INTERNAL', statusCode: 500, requestId },
    };
  }
  return { ...formatted, extensions: { ...extensions, requestId } };
}

/** Belt and braces: no error leaves with a stack trace, whatever Apollo's defaults become. */
export function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
