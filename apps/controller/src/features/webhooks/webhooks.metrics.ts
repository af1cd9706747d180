import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

@Injectable()
export class WebhooksMetrics {
  readonly deliveryAttempts: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.deliveryAttempts = new Counter({
      name: 'lattice_webhook_delivery_attempts_total',
      help: 'Webhook delivery attempts by outcome: succeeded, retrying (failed, will retry) or failed (for good)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }
}
