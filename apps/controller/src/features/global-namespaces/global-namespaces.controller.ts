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
  ApiBody,
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
import { optionalVersionFromIfMatch, versionFromIfMatch, withEtag } from '../../platform/http/etag.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import {
  GlobalNamespacePageView,
  GlobalNamespaceSpecDto,
  GlobalNamespaceView,
  GnsServiceListView,
} from './global-namespaces.dto';
import { GlobalNamespacesService } from './global-namespaces.service';

const idPipe = new ResourceIdPipe('global namespace');

@ApiTags('global-namespaces')
@ApiBearerAuth()
@Controller('v1/global-namespaces')
export class GlobalNamespacesController {
  /** PUT validates its body itself, after the id is known to exist (see replace). */
  private readonly bodyValidation = createValidationPipe();

  constructor(private readonly globalNamespaces: GlobalNamespacesService) {}

  @RequireRole('editor')
  @Post()
  @ApiCreatedResponse({
    type: GlobalNamespaceView,
    description: 'ETag header: version and representation hash',
  })
  @ApiConflictResponse({ description: 'a global namespace of this name exists in the tenant' })
  async create(
    @CurrentTenant() tenant: TenantPrincipal,
    @Body() body: GlobalNamespaceSpecDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GlobalNamespaceView> {
    const created = await this.globalNamespaces.create(tenant, body);
    response.setHeader('Location', `/v1/global-namespaces/${created.id}`);
    return withEtag(response, created);
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: GlobalNamespacePageView })
  list(
    @CurrentTenant() tenant: TenantPrincipal,
    @Query() query: PageQueryDto,
  ): Promise<GlobalNamespacePageView> {
    return this.globalNamespaces.list(tenant.tenantId, pageRequest(query));
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkWithEtag(GlobalNamespaceView)
  async get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GlobalNamespaceView> {
    return withEtag(response, await this.globalNamespaces.get(tenant.tenantId, id));
  }

  /**
   * Replaces the definition. Order of answers: 404 (unknown or another tenant's id, whatever the
   * body), 428/400 for If-Match, 400 for the body, 412 when the version is stale, 409 for a taken name
   * or a domain change while a root rotation runs. A domain change starts a root rotation (see docs/certificate-authority.md).
   */
  @RequireRole('editor')
  @Put(':id')
  @ApiHeader({ name: 'If-Match', required: true, description: 'the ETag from GET' })
  @ApiBody({ type: GlobalNamespaceSpecDto })
  @ApiOkResponse({ type: GlobalNamespaceView })
  @ApiConflictResponse({
    description:
      'the name is taken, or the domain changes while a root CA rotation runs (a new domain starts one)',
  })
  async replace(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() rawBody: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<GlobalNamespaceView> {
    await this.globalNamespaces.assertExists(tenant.tenantId, id);
    const expectedVersion = versionFromIfMatch(ifMatch);
    const body: GlobalNamespaceSpecDto = await this.bodyValidation.transform(rawBody, {
      type: 'body',
      metatype: GlobalNamespaceSpecDto,
    });
    return withEtag(response, await this.globalNamespaces.replace(tenant, id, expectedVersion, body));
  }

  /** Removes it from every cluster's desired state. If-Match is optional; when sent, a stale one gets 412. */
  @RequireRole('editor')
  @Delete(':id')
  @HttpCode(204)
  @ApiHeader({ name: 'If-Match', required: false })
  @ApiNoContentResponse()
  async delete(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
  ): Promise<void> {
    await this.globalNamespaces.assertExists(tenant.tenantId, id);
    await this.globalNamespaces.delete(tenant, id, optionalVersionFromIfMatch(ifMatch));
  }

  @RequireRole('viewer')
  @Get(':id/services')
  @ApiOkResponse({ type: GnsServiceListView })
  async listGlobalNamespaceServices(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
  ): Promise<GnsServiceListView> {
    return { items: await this.globalNamespaces.services(tenant.tenantId, id) };
  }
}
