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
  ApiAcceptedResponse,
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
import { CurrentTenant } from '../../platform/auth/current-principal.decorator';
import { RequireRole } from '../../platform/auth/permissions.decorator';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { versionFromIfMatch, withEtag } from '../../platform/http/etag.util';
import { PageQueryDto } from '../../platform/http/pagination.dto';
import { pageRequest } from '../../platform/http/pagination.util';
import { ResourceIdPipe } from '../../platform/http/uuid-param.pipe';
import { createValidationPipe } from '../../platform/http/validation.pipe';
import {
  CreatedWebhookView,
  WebhookDeliveryPageView,
  WebhookDeliveryView,
  WebhookPageView,
  WebhookSpecDto,
  WebhookView,
} from './webhooks.dto';
import { WebhooksService } from './webhooks.service';

const idPipe = new ResourceIdPipe('webhook');

/**
 * Webhook endpoints are notification configuration whose URLs often embed a receiver's token, so
 * editors manage and read them; viewers do not see them.
 */
@ApiTags('webhooks')
@ApiBearerAuth()
@Controller('v1/webhooks')
export class WebhooksController {
  private readonly bodyValidation = createValidationPipe();

  constructor(private readonly webhooks: WebhooksService) {}

  @RequireRole('editor')
  @Post()
  @ApiCreatedResponse({
    type: CreatedWebhookView,
    description: 'the signing secret is in this response only',
  })
  @ApiConflictResponse({ description: 'a webhook of this name exists in the tenant' })
  async create(
    @CurrentTenant() tenant: TenantPrincipal,
    @Body() body: WebhookSpecDto,
    @Res({ passthrough: true }) response: Response,
  ): Promise<CreatedWebhookView> {
    const created = await this.webhooks.create(tenant, body);
    response.setHeader('Location', `/v1/webhooks/${created.id}`);
    return withEtag(response, created);
  }

  @RequireRole('editor')
  @Get()
  @ApiOkResponse({ type: WebhookPageView })
  list(@CurrentTenant() tenant: TenantPrincipal, @Query() query: PageQueryDto): Promise<WebhookPageView> {
    return this.webhooks.list(tenant.tenantId, pageRequest(query));
  }

  @RequireRole('editor')
  @Get(':id')
  @ApiOkResponse({ type: WebhookView })
  async get(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<WebhookView> {
    const view = await this.webhooks.get(tenant.tenantId, id);
    return withEtag(response, view);
  }

  /** Replaces name, URL, event types and enabled; the secret is kept. 404, then 428/400 If-Match, 400 body, 412 stale. */
  @RequireRole('editor')
  @Put(':id')
  @ApiHeader({ name: 'If-Match', required: true })
  @ApiBody({ type: WebhookSpecDto })
  @ApiOkResponse({ type: WebhookView })
  @ApiConflictResponse({ description: 'a webhook of this name exists in the tenant' })
  async replace(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() rawBody: unknown,
    @Res({ passthrough: true }) response: Response,
  ): Promise<WebhookView> {
    await this.webhooks.get(tenant.tenantId, id);
    const expectedVersion = versionFromIfMatch(ifMatch);
    const body: WebhookSpecDto = await this.bodyValidation.transform(rawBody, {
      type: 'body',
      metatype: WebhookSpecDto,
    });
    const updated = await this.webhooks.replace(tenant, id, expectedVersion, body);
    return withEtag(response, updated);
  }

  @RequireRole('editor')
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse()
  async delete(@CurrentTenant() tenant: TenantPrincipal, @Param('id', idPipe) id: string): Promise<void> {
    await this.webhooks.delete(tenant, id);
  }

  @RequireRole('editor')
  @Get(':id/deliveries')
  @ApiOkResponse({ type: WebhookDeliveryPageView, description: 'newest first' })
  listWebhookDeliveries(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<WebhookDeliveryPageView> {
    return this.webhooks.deliveries(tenant.tenantId, id, pageRequest(query));
  }

  @RequireRole('editor')
  @Post(':id/test')
  @HttpCode(202)
  @ApiAcceptedResponse({
    type: WebhookDeliveryView,
    description: 'a webhook.test delivery, sent in the background; follow it in deliveries',
  })
  testWebhook(
    @CurrentTenant() tenant: TenantPrincipal,
    @Param('id', idPipe) id: string,
  ): Promise<WebhookDeliveryView> {
    return this.webhooks.test(tenant, id);
  }
}
