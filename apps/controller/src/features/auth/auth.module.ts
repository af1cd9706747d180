import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiTokenRepository } from './api-token.repository';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';

@Global()
@Module({
  providers: [ApiTokenRepository, AuthService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [ApiTokenRepository, AuthService],
})
export class AuthModule {}
