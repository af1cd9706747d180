import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

@Injectable()
export class SloMetrics {
  readonly evaluationDuration: Histogram;
  readonly alertEvents: Counter<'type'>;

  constructor(metrics: MetricsService) {
    this.evaluationDuration = new Histogram({
      name: 'lattice_slo_evaluation_duration_seconds',
      help: 'Duration of one SLO evaluation cycle over every SLO',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [metrics.registry],
    });
    this.alertEvents = new Counter({
      name: 'lattice_slo_alert_events_total',
      help: 'Burn-rate alerts fired or resolved',
      labelNames: ['type'] as const,
      registers: [metrics.registry],
    });
  }
}
