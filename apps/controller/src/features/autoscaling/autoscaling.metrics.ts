import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

/** Controller side of autoscaling: decisions reported by agents (the agents export replicas). */
@Injectable()
export class AutoscalingMetrics {
  readonly decisions: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    this.decisions = new Counter({
      name: 'lattice_autoscaling_decisions_reported_total',
      help: 'Autoscaling decisions reported by agents, by outcome (APPLIED, RECOMMENDED, BLOCKED, FAILED)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }
}
