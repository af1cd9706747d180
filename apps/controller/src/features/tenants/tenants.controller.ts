import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { OperatorOnly, RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { mapPage, pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  CREATED_TOKEN_SCHEMA,
  CreatedTenantView,
  CreateRecoveryTokenDto,
  CreateTenantDto,
  TenantPageView,
  TenantView,
  toTenantView,
} from './tenants.dto';
import { TenantsService } from './tenants.service';

@ApiTags('tenants')
@ApiBearerAuth()
@Controller('v1')
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  /** Platform operator: creates a tenant and returns its first admin token (shown once). */
  @OperatorOnly()
  @Post('tenants')
  @ApiCreatedResponse({ type: CreatedTenantView })
  @ApiConflictResponse({ description: 'a tenant of this name exists' })
  create(@Body() body: CreateTenantDto) {
    return this.tenants.create(body.name);
  }

  @OperatorOnly()
  @Get('tenants')
  @ApiOkResponse({ type: TenantPageView })
  async list(@Query() query: PageQueryDto) {
    return mapPage(await this.tenants.list(pageRequest(query)), toTenantView);
  }

  /**
   * Platform operator: a new admin token for a tenant that has none left (shown once, audited as
   * the operator). The body is optional: `{name?, expiresAt?}`.
   */
  @OperatorOnly()
  @Post('tenants/:id/recovery-tokens')
  @ApiCreatedResponse({ schema: CREATED_TOKEN_SCHEMA, description: 'the token is in this answer only' })
  issueRecoveryToken(
    @Param('id', new ResourceIdPipe('tenant')) id: string,
    @Body() body: CreateRecoveryTokenDto,
  ) {
    return this.tenants.issueRecoveryToken(id, {
      name: body?.name,
      expiresAt: body?.expiresAt ? new Date(body.expiresAt) : undefined,
    });
  }

  /** The tenant the calling token belongs to. */
  @RequireRole('viewer')
  @Get('tenant')
  @ApiOkResponse({ type: TenantView })
  getCurrentTenant(@CurrentTenant() tenant: TenantPrincipal) {
    return this.tenants.get(tenant.tenantId);
  }
}
