import {
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Res,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { ApiOkWithEtag } from '../../platform/http/api-docs.decorators';
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { versionFromIfMatch, withEtag } from '../../platform/http/etag.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { mapPage, pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import {
  BootstrapTokenView,
  ClusterPageView,
  ClusterView,
  CreateClusterDto,
  RegisteredClusterView,
  UpdateClusterDto,
} from './clusters.dto';
import { ClustersService, placementOf, toClusterView } from './clusters.service';

const clusterId = new ResourceIdPipe('cluster');

@ApiTags('clusters')
@ApiBearerAuth()
@Controller('v1/clusters')
export class ClustersController {
  constructor(private readonly clusters: ClustersService) {}

  /** Registers a cluster and returns its one-time bootstrap token and the command that starts the agent. */
  @RequireRole('editor')
  @Post()
  @ApiCreatedResponse({ type: RegisteredClusterView })
  @ApiConflictResponse({ description: 'a cluster of this name exists in the tenant' })
  register(@CurrentTenant() tenant: TenantPrincipal, @Body() body: CreateClusterDto) {
    return this.clusters.register(tenant, {
      name: body.name,
      eastWestAddress: body.eastWestAddress ?? null,
      labels: body.labels ?? {},
      takeOverMeshCa: body.takeOverMeshCa ?? false,
      ...placementOf(body),
    });
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: ClusterPageView })
  async list(@CurrentTenant() tenant: TenantPrincipal, @Query() query: PageQueryDto) {
    return mapPage(await this.clusters.list(tenant.tenantId, pageRequest(query)), (cluster) =>
      toClusterView(cluster),
    );
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkWithEtag(ClusterView)
  async get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', clusterId) id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    const cluster = await this.clusters.get(tenant.tenantId, id);
    return withEtag(res, toClusterView(cluster));
  }

  @RequireRole('editor')
  @Put(':id')
  @ApiHeader({ name: 'If-Match', required: true, description: 'ETag from GET' })
  @ApiOkResponse({ type: ClusterView, description: 'ETag header: the new version' })
  async update(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', clusterId) id: string,
    @Body() body: UpdateClusterDto,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.clusters.get(tenant.tenantId, id);
    const updated = await this.clusters.update(tenant, id, versionFromIfMatch(ifMatch), body);
    return withEtag(res, toClusterView(updated));
  }

  /** A new one-time bootstrap token; older unused tokens of the cluster stop working at once. */
  @RequireRole('editor')
  @Post(':id/bootstrap-tokens')
  @ApiCreatedResponse({ type: BootstrapTokenView })
  @ApiConflictResponse({ description: 'the cluster is revoked: re-enrol it instead' })
  createBootstrapToken(@CurrentTenant() tenant: TenantPrincipal, @Param('id', clusterId) id: string) {
    return this.clusters.newBootstrapToken(tenant, id);
  }

  @RequireRole('editor')
  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: ClusterView })
  @ApiConflictResponse({ description: 'the cluster changed meanwhile; retry' })
  async revoke(@CurrentTenant() tenant: TenantPrincipal, @Param('id', clusterId) id: string) {
    return toClusterView(await this.clusters.revoke(tenant, id));
  }

  /** Lifts a revocation (409 if the cluster is not revoked) and returns a new bootstrap token for its agent. */
  @RequireRole('admin')
  @Post(':id/reenrol')
  @ApiCreatedResponse({ type: RegisteredClusterView })
  @ApiConflictResponse({ description: 'the cluster is not revoked (or changed meanwhile)' })
  async reenrol(@CurrentTenant() tenant: TenantPrincipal, @Param('id', clusterId) id: string) {
    const { cluster, bootstrap } = await this.clusters.reenrol(tenant, id);
    return { cluster: toClusterView(cluster), bootstrap };
  }

  @RequireRole('editor')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'the cluster is removed and its agent cut off' })
  async delete(@CurrentTenant() tenant: TenantPrincipal, @Param('id', clusterId) id: string): Promise<void> {
    await this.clusters.delete(tenant, id);
  }
}
