import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { mapPage, pageRequest } from '../../platform/http/pagination.util';
import { AuditRepository } from './audit.repository';

class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: 'cluster' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceType?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  resourceId?: string;
}

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditRepository) {}

  @RequireRole('admin')
  @Get()
  async list(@CurrentTenant() tenant: TenantPrincipal, @Query() query: AuditQueryDto) {
    const { resourceType, resourceId } = query;
    const page = await this.audit.list(tenant.tenantId, { resourceType, resourceId }, pageRequest(query));
    return mapPage(page, (event) => ({
      id: event.id,
      at: event.createdAt.toISOString(),
      actor: { tokenId: event.actorTokenId, name: event.actorName },
      action: event.action,
      resourceType: event.resourceType,
      resourceId: event.resourceId,
      before: event.before,
      after: event.after,
      requestId: event.correlationId,
    }));
  }
}
