import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Put, Query, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiOkWithEtag, ApiCreateOrReplacePolicy } from '../../platform/http/api-docs.decorators';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { optionalVersionFromIfMatch, withEtag } from '../../platform/http/etag.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  AUTOSCALING_POLICY_EXAMPLE,
  AutoscalingEventPageView,
  AutoscalingPolicyListView,
  AutoscalingPolicyView,
} from './autoscaling.dto';
import { AutoscalingService } from './autoscaling.service';

const gnsIdPipe = new ResourceIdPipe('global namespace');

/**
 * Autoscaling policies per GNS service and the decisions the agents made. Every route first checks
 * that the GNS belongs to the caller's tenant (404 otherwise).
 */
@ApiTags('autoscaling')
@ApiBearerAuth()
@Controller('v1/global-namespaces/:gnsId')
export class AutoscalingController {
  constructor(private readonly autoscaling: AutoscalingService) {}

  @RequireRole('viewer')
  @Get('autoscaling-policies')
  @ApiOperation({ summary: 'Autoscaling policies of a Global Namespace, by service' })
  @ApiOkResponse({ type: AutoscalingPolicyListView })
  async list(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
  ): Promise<AutoscalingPolicyListView> {
    return { items: await this.autoscaling.list(tenant.tenantId, gnsId) };
  }

  @RequireRole('viewer')
  @Get('services/:service/autoscaling')
  @ApiOkWithEtag(AutoscalingPolicyView)
  async get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AutoscalingPolicyView> {
    return withEtag(response, await this.autoscaling.get(tenant.tenantId, gnsId, service));
  }

  /**
   * Creates (201, no If-Match) or replaces (200, If-Match required: 428 without, 412 when stale)
   * the autoscaling policy of one GNS service. 400 names every bad field.
   */
  @RequireRole('editor')
  @Put('services/:service/autoscaling')
  @ApiCreateOrReplacePolicy({
    type: AutoscalingPolicyView,
    summary: 'Create or replace the autoscaling policy of a GNS service',
    example: AUTOSCALING_POLICY_EXAMPLE,
  })
  async put(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<AutoscalingPolicyView> {
    const { view, created } = await this.autoscaling.put(
      tenant,
      gnsId,
      service,
      optionalVersionFromIfMatch(ifMatch),
      body,
    );
    response.status(created ? 201 : 200);
    return withEtag(response, view);
  }

  @RequireRole('editor')
  @Delete('services/:service/autoscaling')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiNoContentResponse({ description: 'agents stop scaling the workload with the next snapshot' })
  async delete(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.autoscaling.delete(tenant, gnsId, service, optionalVersionFromIfMatch(ifMatch));
  }

  /** The decisions agents made for the service, newest first, each with its windows and rule. */
  @RequireRole('viewer')
  @Get('services/:service/autoscaling/events')
  @ApiOperation({ summary: 'Autoscaling decisions for a GNS service, newest first' })
  @ApiOkResponse({ type: AutoscalingEventPageView })
  async events(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Query() query: PageQueryDto,
  ): Promise<AutoscalingEventPageView> {
    return this.autoscaling.listEvents(tenant.tenantId, gnsId, service, pageRequest(query));
  }
}
