import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsBoolean, IsOptional, IsString } from 'class-validator';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '@lattice/domain';
import type { WebhookDeliveryRecord, WebhookEndpointRecord } from './webhooks.repository';

/** Body of POST and PUT (PUT replaces the definition; the secret stays). Semantics are checked in libs/domain. */
export class WebhookSpecDto {
  @ApiProperty({ example: 'oncall', description: 'unique in the tenant' })
  @IsString()
  name!: string;

  @ApiProperty({
    example: 'https://hooks.example.com/lattice',
    description: 'http(s), no credentials; redirects are not followed',
  })
  @IsString()
  url!: string;

  @ApiPropertyOptional({ enum: WEBHOOK_EVENT_TYPES, isArray: true, default: WEBHOOK_EVENT_TYPES })
  @IsOptional()
  @IsArray()
  eventTypes?: WebhookEventType[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookView {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true }) eventTypes!: string[];
  @ApiProperty() enabled!: boolean;
  @ApiProperty({ description: 'the end of the signing secret, to tell secrets apart' }) secretHint!: string;
  @ApiProperty() version!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty() updatedAt!: string;
}

export class CreatedWebhookView extends WebhookView {
  @ApiProperty({ description: 'HMAC-SHA256 signing secret; shown only in this response' })
  secret!: string;
}

export class WebhookPageView {
  @ApiProperty({ type: [WebhookView] }) items!: WebhookView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty() id!: string;
  @ApiProperty() webhookId!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the SLO event delivered; null for test deliveries',
  })
  eventId!: string | null;
  @ApiProperty({ example: 'slo.alert.fired' }) eventType!: string;
  @ApiProperty({ enum: ['PENDING', 'SUCCEEDED', 'FAILED'] }) status!: string;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Number, nullable: true }) responseCode!: number | null;
  @ApiProperty({ type: String, nullable: true }) lastError!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastAttemptAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) deliveredAt!: string | null;
  @ApiProperty() createdAt!: string;
  @ApiProperty({
    type: Object,
    description: 'the JSON body sent (see docs/webhooks.md and docs/schemas/webhook-event.schema.json)',
  })
  payload!: unknown;
}

export class WebhookDeliveryPageView {
  @ApiProperty({ type: [WebhookDeliveryView] }) items!: WebhookDeliveryView[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function toWebhookView(row: WebhookEndpointRecord): WebhookView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    eventTypes: row.eventTypes,
    enabled: row.enabled,
    secretHint: row.secretHint,
    version: row.version,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toDeliveryView(row: WebhookDeliveryRecord): WebhookDeliveryView {
  return {
    id: row.id,
    webhookId: row.webhookId,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    attempts: row.attempts,
    responseCode: row.responseCode,
    lastError: row.lastError,
    lastAttemptAt: row.lastAttemptAt?.toISOString() ?? null,
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    payload: row.payload,
  };
}
