import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { mapPage, pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  ApiTokenPageView,
  ApiTokenView,
  CreatedApiTokenView,
  CreateTokenDto,
  toTokenView,
} from './tokens.dto';
import { TokensService } from './tokens.service';

@ApiTags('tokens')
@ApiBearerAuth()
@Controller('v1/tokens')
export class TokensController {
  constructor(private readonly tokens: TokensService) {}

  @RequireRole('admin')
  @Post()
  @ApiCreatedResponse({ type: CreatedApiTokenView })
  create(
    @CurrentTenant() tenant: TenantPrincipal,
    @Body() body: CreateTokenDto,
  ): Promise<CreatedApiTokenView> {
    return this.tokens.create(tenant, {
      name: body.name,
      role: body.role,
      expiresAt: body.expiresAt ? new Date(body.expiresAt) : null,
    });
  }

  @RequireRole('admin')
  @Get()
  @ApiOkResponse({ type: ApiTokenPageView })
  async list(@CurrentTenant() tenant: TenantPrincipal, @Query() query: PageQueryDto) {
    return mapPage(await this.tokens.list(tenant.tenantId, pageRequest(query)), toTokenView);
  }

  @RequireRole('admin')
  @Get(':id')
  @ApiOkResponse({ type: ApiTokenView })
  get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', new ResourceIdPipe('token')) id: string,
  ): Promise<ApiTokenView> {
    return this.tokens.get(tenant.tenantId, id);
  }

  /** Revocation takes effect on the next request: tokens are checked against the database every time. */
  @RequireRole('admin')
  @Delete(':id')
  @ApiOkResponse({ type: ApiTokenView })
  @ApiConflictResponse({ description: "the token is the tenant's last active admin token" })
  revoke(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', new ResourceIdPipe('token')) id: string,
  ): Promise<ApiTokenView> {
    return this.tokens.revoke(tenant, id);
  }
}
