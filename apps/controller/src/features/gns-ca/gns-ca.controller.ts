import { Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { CaRotationService } from './ca-rotation.service';
import { GnsCa } from './gns-ca.model';
import { GnsCaService } from './gns-ca.service';

const idPipe = new ResourceIdPipe('global namespace');

@ApiTags('global-namespaces')
@ApiBearerAuth()
@Controller('v1/global-namespaces')
export class GnsCaController {
  constructor(
    private readonly gnsCa: GnsCaService,
    private readonly rotation: CaRotationService,
  ) {}

  @RequireRole('viewer')
  @Get(':id/ca')
  @ApiOkResponse({ type: GnsCa, description: 'roots, rotation stage and per-cluster intermediates' })
  getGlobalNamespaceCa(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
  ): Promise<GnsCa> {
    return this.gnsCa.status(tenant.tenantId, id);
  }

  /** Starts a staged root rotation; it advances by itself as clusters apply each stage. */
  @RequireRole('editor')
  @Post(':id/ca/rotate')
  @HttpCode(202)
  @ApiAcceptedResponse({ type: GnsCa, description: 'the rotation started (stage TRUST_BOTH)' })
  @ApiConflictResponse({ description: 'a rotation is already in progress' })
  rotateGlobalNamespaceCa(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
  ): Promise<GnsCa> {
    return this.rotation.rotate(tenant, id);
  }
}
