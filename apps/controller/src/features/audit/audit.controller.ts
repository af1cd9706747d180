import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { mapPage, pageRequest } from '../../platform/http/pagination.util';
import { AuditEventPageView, AuditQueryDto, toAuditEventView } from './audit.dto';
import { AuditService } from './audit.service';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('v1/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditService) {}

  @RequireRole('admin')
  @Get()
  @ApiOkResponse({ type: AuditEventPageView, description: 'oldest first' })
  async listAuditEvents(@CurrentTenant() tenant: TenantPrincipal, @Query() query: AuditQueryDto) {
    const { resourceType, resourceId } = query;
    const page = await this.audit.list(tenant.tenantId, { resourceType, resourceId }, pageRequest(query));
    return mapPage(page, toAuditEventView);
  }
}
