import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@lattice/domain';
import { AuthService } from './auth.service';
import { PERMISSION_KEY, type Permission } from '../../platform/auth/permissions.decorator';
import { requestOf } from '../../platform/auth/authenticated-request.util';
import { roleSatisfies } from '../../platform/auth/principal.util';

/**
 * Global guard for REST and GraphQL. Deny by default: a handler that declares no permission is
 * refused (and a test walks every route to make sure none forgot).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const permission = this.reflector.getAllAndOverride<Permission | undefined>(PERMISSION_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (!permission) {
      this.logger.error(
        `${context.getClass().name}.${context.getHandler().name} declares no permission; denied`,
      );
      throw new DomainError('FORBIDDEN', 'this operation declares no permission and is denied');
    }
    if (permission.kind === 'public') return true;

    const request = requestOf(context);
    request.principal ??= await this.auth.authenticate(request.headers.authorization);
    const principal = request.principal;
    if (permission.kind === 'operator') {
      if (principal.kind !== 'operator')
        throw new DomainError('FORBIDDEN', 'only the platform operator may do this');
      return true;
    }
    if (principal.kind !== 'token') {
      throw new DomainError('FORBIDDEN', 'the operator token manages tenants; use a tenant API token here');
    }
    if (!roleSatisfies(principal.role, permission.role)) {
      throw new DomainError(
        'FORBIDDEN',
        `this needs the ${permission.role} role; the token has ${principal.role}`,
      );
    }
    return true;
  }
}
