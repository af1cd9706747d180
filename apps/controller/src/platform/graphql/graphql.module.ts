import path from 'node:path';
import { Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import type { GraphQLFormattedError } from 'graphql';
import { projectRoot } from '@lattice/platform';
import { ClustersModule } from '../../features/clusters/clusters.module';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/runtime-config.types';
import { GlobalNamespacesModule } from '../../features/global-namespaces/global-namespaces.module';
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { InventoryResolver } from '../../features/global-namespaces/inventory.resolver';
import { queryLimitsPlugin } from './query-limits';

/**
 * GraphQL at /graphql (code-first). The schema is written to apps/controller/schema.gql, sorted, so
 * API changes show in review; in production it is only built in memory (read-only file systems).
 * Authentication and roles come from the global AuthGuard through the `req` in the context; errors
 * from resolvers are mapped by AllExceptionsFilter.
 */
@Module({
  imports: [
    ClustersModule,
    GlobalNamespacesModule,
    GraphQLModule.forRootAsync<ApolloDriverConfig>({
      driver: ApolloDriver,
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig): ApolloDriverConfig => ({
        path: '/graphql',
        autoSchemaFile: config.env.NODE_ENV === 'production' ? true : path.join(projectRoot(), 'apps/controller/schema.gql'),
        sortSchema: true,
        introspection: config.env.LATTICE_GRAPHQL_INTROSPECTION,
        // GraphiQL loads the schema by introspection, so it is offered only when that is allowed.
        graphiql: config.env.LATTICE_GRAPHQL_INTROSPECTION,
        includeStacktraceInErrorResponses: false,
        context: ({ req, res }: { req: unknown; res: unknown }) => ({ req, res }),
        plugins: [queryLimitsPlugin()],
        formatError: withoutStacktrace,
      }),
    }),
  ],
  providers: [InventoryResolver],
})
export class LatticeGraphQLModule {}

/** Belt and braces: no error leaves with a stack trace, whatever Apollo's defaults become. */
export function withoutStacktrace(formatted: GraphQLFormattedError): GraphQLFormattedError {
  if (!formatted.extensions || !('stacktrace' in formatted.extensions)) return formatted;
  const { stacktrace: _stacktrace, ...extensions } = formatted.extensions;
  return { ...formatted, extensions };
}
