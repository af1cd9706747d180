import { Body, Controller, Delete, Get, Headers, HttpCode, Param, Post, Put, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { DomainError } from '@lattice/domain';
import { ApiOkWithEtag, ApiCreateOrReplacePolicy } from '../../platform/http/api-docs.decorators';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { optionalVersionFromIfMatch, withEtag } from '../../platform/http/etag.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  DryRunRequestDto,
  DryRunView,
  SECURITY_POLICY_EXAMPLE,
  SecurityPolicyView,
  TRAFFIC_POLICY_EXAMPLE,
  TrafficPolicyListView,
  TrafficPolicyView,
} from './policies.dto';
import { PoliciesService, type DryRunInput } from './policies.service';

const gnsIdPipe = new ResourceIdPipe('global namespace');

/**
 * Traffic policies keyed by GNS service, one security policy per GNS, and a dry run. Every route
 * first checks that the GNS belongs to the caller's tenant (404 otherwise), then the request.
 */
@ApiTags('policies')
@ApiBearerAuth()
@Controller('v1/global-namespaces/:gnsId')
export class PoliciesController {
  constructor(private readonly policies: PoliciesService) {}

  @RequireRole('viewer')
  @Get('traffic-policies')
  @ApiOkResponse({ type: TrafficPolicyListView })
  async listTrafficPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
  ): Promise<TrafficPolicyListView> {
    return { items: await this.policies.listTraffic(tenant.tenantId, gnsId) };
  }

  @RequireRole('viewer')
  @Get('traffic-policies/:service')
  @ApiOkWithEtag(TrafficPolicyView)
  async getTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TrafficPolicyView> {
    return withEtag(response, await this.policies.getTraffic(tenant.tenantId, gnsId, service));
  }

  /**
   * Creates (201, no If-Match) or replaces (200, If-Match required: 428 without, 412 when stale)
   * the policy of one GNS service. 400 names every bad field; warnings come back in the body.
   */
  @RequireRole('editor')
  @Put('traffic-policies/:service')
  @ApiCreateOrReplacePolicy({
    type: TrafficPolicyView,
    summary: 'Create or replace the traffic policy of a GNS service',
    example: TRAFFIC_POLICY_EXAMPLE,
  })
  async putTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<TrafficPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    const { view, created } = await this.policies.putTraffic(
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
  @Delete('traffic-policies/:service')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiNoContentResponse({ description: 'agents remove the objects it rendered with the next snapshot' })
  async deleteTrafficPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Param('service') service: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    await this.policies.deleteTraffic(tenant, gnsId, service, optionalVersionFromIfMatch(ifMatch));
  }

  @RequireRole('viewer')
  @Get('security-policy')
  @ApiOkWithEtag(SecurityPolicyView)
  async getSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SecurityPolicyView> {
    return withEtag(response, await this.policies.getSecurity(tenant.tenantId, gnsId));
  }

  @RequireRole('editor')
  @Put('security-policy')
  @ApiOperation({ summary: 'Create or replace the security policy of the GNS' })
  @ApiHeader({ name: 'If-Match', required: false, description: 'required to replace an existing policy' })
  @ApiBody({ schema: { type: 'object', example: SECURITY_POLICY_EXAMPLE } })
  @ApiOkResponse({ type: SecurityPolicyView, description: 'replaced (If-Match named the current version)' })
  @ApiCreatedResponse({ type: SecurityPolicyView, description: 'created: the GNS had no security policy' })
  @ApiConflictResponse({
    description: 'another request created the policy at the same moment; GET it and retry',
  })
  async putSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SecurityPolicyView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    const { view, created } = await this.policies.putSecurity(
      tenant,
      gnsId,
      optionalVersionFromIfMatch(ifMatch),
      body,
    );
    response.status(created ? 201 : 200);
    return withEtag(response, view);
  }

  @RequireRole('editor')
  @Delete('security-policy')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiNoContentResponse()
  async deleteSecurityPolicy(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    await this.policies.deleteSecurity(tenant, gnsId, optionalVersionFromIfMatch(ifMatch));
  }

  /**
   * The Istio objects each member cluster would receive with the proposed policies, and what would
   * be added, changed or removed; stores, schedules and sends nothing. Editors only: it shows the
   * rendered configuration of every member cluster.
   */
  @RequireRole('editor')
  @Post('policies/dry-run')
  @HttpCode(200)
  @ApiOperation({ summary: 'Preview the objects each member cluster would receive for proposed policies' })
  @ApiBody({ type: DryRunRequestDto })
  @ApiOkResponse({ type: DryRunView })
  async dryRunPolicies(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('gnsId', gnsIdPipe) gnsId: string,
    @Body() body: unknown,
  ): Promise<DryRunView> {
    await this.policies.assertGnsExists(tenant.tenantId, gnsId);
    return this.policies.dryRun(tenant.tenantId, gnsId, dryRunInput(body));
  }
}

function dryRunInput(body: unknown): DryRunInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw DomainError.validation([
      { field: '(body)', message: 'must be an object with trafficPolicies and/or securityPolicy' },
    ]);
  const { trafficPolicies, securityPolicy, ...rest } = body as Record<string, unknown>;
  const unknown = Object.keys(rest);
  if (unknown.length > 0)
    throw DomainError.validation(
      unknown.map((field) => ({
        field,
        message: 'is not a dry-run field (trafficPolicies, securityPolicy)',
      })),
    );
  if (trafficPolicies !== undefined && !Array.isArray(trafficPolicies))
    throw DomainError.validation([
      { field: 'trafficPolicies', message: 'must be a list of {service, spec}' },
    ]);
  if (Array.isArray(trafficPolicies)) {
    // Each entry is {service, spec}; anything else in it is a typo, not something to ignore.
    const entryProblems = trafficPolicies.flatMap((entry: unknown, index) => {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry))
        return [{ field: `trafficPolicies[${index}]`, message: 'must be an object {service, spec}' }];
      return Object.keys(entry)
        .filter((key) => key !== 'service' && key !== 'spec')
        .map((key) => ({
          field: `trafficPolicies[${index}].${key}`,
          message: 'is not a known field (service, spec)',
        }));
    });
    if (entryProblems.length > 0) throw DomainError.validation(entryProblems);
  }
  if (trafficPolicies === undefined && securityPolicy === undefined)
    throw DomainError.validation([
      { field: '(body)', message: 'propose trafficPolicies, a securityPolicy or both' },
    ]);
  return {
    ...(trafficPolicies !== undefined
      ? { trafficPolicies: trafficPolicies as DryRunInput['trafficPolicies'] }
      : {}),
    ...(securityPolicy !== undefined ? { securityPolicy } : {}),
  };
}
