import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { WebhookDeliveryQueue } from './webhook-delivery.queue';
import { WebhooksController } from './webhooks.controller';
import { WebhooksRepository } from './webhooks.repository';
import { WebhooksService } from './webhooks.service';

/** Tenant webhook endpoints and the signed, retried delivery of SLO alert events to them. */
@Module({
  imports: [AuditModule],
  controllers: [WebhooksController],
  providers: [WebhooksRepository, WebhooksService, WebhookDeliveryQueue],
  exports: [WebhooksService],
})
export class WebhooksModule {}
