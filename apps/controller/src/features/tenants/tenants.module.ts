import { Module } from '@nestjs/common';
import { TokensModule } from '../auth/tokens.module';
import { TenantsController } from './tenants.controller';
import { TenantsService } from './tenants.service';

@Module({ imports: [TokensModule], controllers: [TenantsController], providers: [TenantsService] })
export class TenantsModule {}
