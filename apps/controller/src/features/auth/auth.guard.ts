import { CanActivate, ExecutionContext, Inject, Injectable, Logger } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import type { Response } from 'express';
import { Reflector } from '@nestjs/core';
import { DomainError } from '@lattice/domain';
import { AuthService } from './auth.service';
import { PERMISSION_KEY, type Permission } from '../../platform/auth/permissions.decorator';
import { requestOf, type AuthenticatedRequest } from '../../platform/auth/authenticated-request.util';
import type { Principal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { clientIpOf } from '../../platform/rate-limit/rate-limit-key.util';
import { RateLimitStore } from '../../platform/rate-limit/rate-limit.store';
import { roleSatisfies } from '../../platform/auth/principal.util';

const AUTH_FAILURES = 'auth-failures';
const MINUTE_MS = 60_000;

/**
 * Global guard for REST and GraphQL. Deny by default: a handler that declares no permission is
 * refused (and a test walks every route to make sure none forgot).
 *
 * Missing or invalid credentials count against the client IP (LATTICE_AUTH_FAILURES_PER_MINUTE,
 * in Redis, across replicas); an address past that budget gets 429 with Retry-After BEFORE any
 * token lookup, so a flood of fake tokens costs at most that many database reads per minute.
 * The per-principal throttler (RequestThrottlerGuard) runs after this guard and keys on the
 * principal it sets.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly logger = new Logger(AuthGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly limits: RateLimitStore,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
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
    request.principal ??= await this.authenticate(context, request);
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

  private async authenticate(context: ExecutionContext, request: AuthenticatedRequest): Promise<Principal> {
    const ip = clientIpOf(request);
    const limit = this.config.env.LATTICE_AUTH_FAILURES_PER_MINUTE;
    const budget = await this.limits.peek(AUTH_FAILURES, ip, limit);
    if (!budget.allowed) throw tooManyFailures(context, budget.retryAfterSeconds);
    try {
      return await this.auth.authenticate(request.headers.authorization);
    } catch (error) {
      if (error instanceof DomainError && error.code === 'UNAUTHENTICATED') {
        const counted = await this.limits.hit(AUTH_FAILURES, ip, limit, MINUTE_MS);
        if (!counted.allowed) throw tooManyFailures(context, counted.retryAfterSeconds);
      }
      throw error;
    }
  }
}

function tooManyFailures(context: ExecutionContext, retryAfterSeconds: number): DomainError {
  responseOf(context)?.setHeader('Retry-After', String(retryAfterSeconds));
  return new DomainError(
    'RATE_LIMITED',
    `too many requests with missing or invalid credentials from this address; retry in ${retryAfterSeconds} s`,
  );
}

function responseOf(context: ExecutionContext): Response | undefined {
  if (context.getType<string>() === 'graphql') {
    return GqlExecutionContext.create(context).getContext<{ res?: Response }>().res;
  }
  return context.switchToHttp().getResponse<Response>();
}
