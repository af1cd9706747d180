import { ExecutionContext, Injectable } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { ThrottlerGuard } from '@nestjs/throttler';

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
}
