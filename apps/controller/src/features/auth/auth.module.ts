import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module';
import { ApiTokensRepository } from './api-tokens.repository';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { RequestThrottlerGuard } from '../../platform/rate-limit/request-throttler.guard';
import { IntrospectionGuard } from './introspection.guard';
import { TokensController } from './tokens.controller';
import { TokensService } from './tokens.service';

/**
 * API tokens (issue, list, revoke) and the guard that turns a bearer token into a principal on
 * every REST and GraphQL request. The guard is an APP_GUARD: Nest applies it to the whole app
 * from here, so this module is imported once by AppModule and by features that issue tokens.
 */
@Module({
  imports: [AuditModule],
  controllers: [TokensController],
  providers: [
    ApiTokensRepository,
    AuthService,
    TokensService,
    // Order matters: APP_GUARDs run in the order provided. The throttler keys on the principal
    // AuthGuard sets (the token id, not the raw header), so it must come second.
    { provide: APP_GUARD, useClass: AuthGuard },
    { provide: APP_GUARD, useClass: RequestThrottlerGuard },
    IntrospectionGuard,
  ],
  exports: [TokensService],
})
export class AuthModule {}
