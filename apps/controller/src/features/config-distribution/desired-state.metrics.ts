import { Injectable } from '@nestjs/common';
import { Counter } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

@Injectable()
export class DesiredStateMetrics {
  readonly recomputations: Counter<'outcome'>;
  readonly snapshotVersions: Counter;

  constructor(metrics: MetricsService) {
    this.recomputations = new Counter({
      name: 'lattice_desired_state_recomputations_total',
      help: 'Recomputations of a tenant desired state, by outcome',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.snapshotVersions = new Counter({
      name: 'lattice_desired_state_snapshot_versions_total',
      help: 'New per-cluster snapshot versions stored and announced',
      registers: [metrics.registry],
    });
  }
}
