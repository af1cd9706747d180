import type { ApolloServerPlugin, GraphQLRequestListener } from '@apollo/server';
import { Plugin } from '@nestjs/apollo';
import { DomainError } from '@lattice/domain';
import type { AuthenticatedRequest } from '../../platform/auth/authenticated-request.util';
import { asksForIntrospection, introspectionRefusal } from '../../platform/graphql/introspection.util';
import { AuthService } from './auth.service';

/**
 * GraphQL introspection (`__schema`, `__type`) only for authenticated callers: it resolves no Nest
 * resolver, so the AuthGuard never sees it. An Apollo plugin (found by @nestjs/apollo in any
 * module) that authenticates the request itself when nothing before it did, and answers 401
 * without a valid token. Whether introspection is allowed at all stays LATTICE_GRAPHQL_INTROSPECTION's call.
 */
@Plugin()
export class IntrospectionGuard implements ApolloServerPlugin<{ req?: AuthenticatedRequest }> {
  constructor(private readonly auth: AuthService) {}

  async requestDidStart(): Promise<GraphQLRequestListener<{ req?: AuthenticatedRequest }>> {
    return {
      didResolveOperation: async ({ document, contextValue }) => {
        if (!asksForIntrospection(document)) return;
        const request = contextValue.req;
        if (!request) throw introspectionRefusal('no HTTP request');
        if (request.principal) return;
        if (!request.headers.authorization)
          throw introspectionRefusal(
            'send "Authorization: Bearer <token>" (GraphiQL at /graphiql asks for one)',
          );
        try {
          request.principal = await this.auth.authenticate(request.headers.authorization);
        } catch (error) {
          if (error instanceof DomainError) throw introspectionRefusal(error.message);
          throw error;
        }
      },
    };
  }
}
