import path from 'node:path';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { GraphQLFormattedError } from 'graphql';
import { projectRoot } from '@lattice/platform';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
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
      inject: [RUNTIME_CONFIG],
      useFactory: graphqlOptions,
    }),
  ],
  controllers: [GraphiqlController],
})
export class LatticeGraphQLModule {}

export function graphqlOptions(config: RuntimeConfig): ApolloDriverConfig {
  return {
    path: '/graphql',
    autoSchemaFile:
      config.env.NODE_ENV === 'production' ? true : path.join(projectRoot(), 'apps/controller/schema.gql'),
    sortSchema: true,
    // Only for authenticated callers too: see IntrospectionGuard (features/auth).
    introspection: config.env.LATTICE_GRAPHQL_INTROSPECTION,
    // Not Apollo's landing page (it loads GraphiQL from a CDN): GraphiqlController serves it at /graphiql.
    graphiql: false,
    includeStacktraceInErrorResponses: false,
    context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
    // Field resolvers (GlobalNamespace.ca, Slo.history, ...) pass the guards too, so the role each
    // declares is checked like a query's, and their errors are mapped like a query's.
    fieldResolverEnhancers: ['guards', 'filters'],
    plugins: [queryLimitsPlugin()],
    formatError: withoutStacktrace,
  };
}

/** Belt and braces: no error leaves with a stack trace, whatever Apollo's defaults become. */
export function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
