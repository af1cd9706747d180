import { ExecutionContext, Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * ThrottlerGuard for REST. GraphQL requests are counted once, by the GraphQL edge middleware before
 * the document is read (platform/graphql/graphql-edge.middleware.ts), so resolvers skip this guard:
 * counting their root fields again would charge one GraphQL request to two budgets.
 */
@Injectable()
export class RequestThrottlerGuard extends ThrottlerGuard {
  protected override async shouldSkip(context: ExecutionContext): Promise<boolean> {
    if (context.getType<string>() === 'graphql') return true;
    return super.shouldSkip(context);
  }
}
