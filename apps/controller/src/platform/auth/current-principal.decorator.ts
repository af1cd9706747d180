import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { requestOf } from './authenticated-request.util';
import type { TenantPrincipal } from './principal.util';

/** The calling tenant token (routes guarded by RequireRole only). */
export const CurrentTenant = createParamDecorator(
  (_data: unknown, context: ExecutionContext): TenantPrincipal => {
    const principal = requestOf(context).principal;
    if (principal?.kind !== 'token')
      throw new DomainError('UNAUTHENTICATED', 'a tenant API token is required');
    return principal;
  },
);
