import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';
import type { GraphQLResolveInfo } from 'graphql';

type HttpPair = { req: Record<string, unknown>; res: Record<string, unknown> };

/** ThrottlerGuard for REST and GraphQL: a GraphQL resolver finds the request in its context. */
@Injectable()
export class RequestThrottlerGuard extends ThrottlerGuard {
  protected override getRequestResponse(context: ExecutionContext): HttpPair {
    if (context.getType<string>() === 'graphql') {
      const { req, res } = GqlExecutionContext.create(context).getContext<HttpPair>();
      return { req, res };
    }
    return super.getRequestResponse(context) as HttpPair;
  }

  /** Guards also run on GraphQL field resolvers (for their roles); only root fields are counted. */
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() === 'graphql') {
      const info = GqlExecutionContext.create(context).getInfo<GraphQLResolveInfo>();
      if (info.path.prev !== undefined) return true;
    }
    return super.shouldSkip(context);
  }
}
