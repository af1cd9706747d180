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
import { versionFromIfMatch, withEtag, optionalVersionFromIfMatch } from '../../platform/http/etag.util';
import { pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import { SloEventListView, SloListQueryDto, SloPageView, SloSpecDto, SloView } from './slos.dto';
import { SlosService } from './slos.service';

const idPipe = new ResourceIdPipe('SLO');

@ApiTags('slos')
@ApiBearerAuth()
@Controller('v1/slos')
export class SlosController {
  /** PUT validates its body itself, after the id is known to exist (see replace). */
  private readonly bodyValidation = createValidationPipe();

  constructor(private readonly slos: SlosService) {}

  @RequireRole('editor')
  @Post()
  @ApiCreatedResponse({ type: SloView, description: 'ETag header: version and representation hash' })
  @ApiConflictResponse({ description: 'an SLO of this name exists in the tenant' })
  async create(
    @CurrentTenant() tenant: TenantPrincipal,
    @Body() body: SloSpecDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SloView> {
    const created = await this.slos.create(tenant, body);
    response.setHeader('Location', `/v1/slos/${created.id}`);
    return withEtag(response, created);
  }

  @RequireRole('viewer')
  @Get()
  @ApiOkResponse({ type: SloPageView })
  list(@CurrentTenant() tenant: TenantPrincipal, @Query() query: SloListQueryDto): Promise<SloPageView> {
    return this.slos.list(tenant.tenantId, pageRequest(query), query.gnsId);
  }

  @RequireRole('viewer')
  @Get(':id')
  @ApiOkWithEtag(SloView)
  async get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SloView> {
    const view = await this.slos.get(tenant.tenantId, id);
    return withEtag(response, view);
  }

  /** Replaces the definition. 404 first (whatever the body), then 428/400 for If-Match, 400 for the body, 412 when stale, 409 for a taken name. */
  @RequireRole('editor')
  @Put(':id')
  @ApiHeader({ name: 'If-Match', required: true, description: 'the ETag from GET' })
  @ApiBody({ type: SloSpecDto })
  @ApiOkResponse({ type: SloView })
  @ApiConflictResponse({ description: 'an SLO of this name exists in the tenant' })
  async replace(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() rawBody: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<SloView> {
    await this.slos.assertExists(tenant.tenantId, id);
    const expectedVersion = versionFromIfMatch(ifMatch);
    const body: SloSpecDto = await this.bodyValidation.transform(rawBody, {
      type: 'body',
      metatype: SloSpecDto,
    });
    const updated = await this.slos.replace(tenant, id, expectedVersion, body);
    return withEtag(response, updated);
  }

  /** If-Match is optional here; when sent, a stale one gets 412. */
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
    await this.slos.assertExists(tenant.tenantId, id);
    await this.slos.delete(tenant, id, optionalVersionFromIfMatch(ifMatch));
  }

  @RequireRole('viewer')
  @Get(':id/events')
  @ApiOkResponse({
    type: SloEventListView,
    description: 'alert firings and resolutions, newest first (at most 100)',
  })
  async listSloEvents(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
  ): Promise<SloEventListView> {
    return { items: (await this.slos.events(tenant.tenantId, id, { limit: 100 })).items };
  }
}
