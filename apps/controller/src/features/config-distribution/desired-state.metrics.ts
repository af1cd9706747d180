import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

@Injectable()
export class DesiredStateMetrics {
  readonly recomputations: Counter<'outcome'>;
  readonly snapshotVersions: Counter;
  readonly writeToEnqueuedSeconds: Histogram;
  readonly enqueueSeconds: Histogram;
  readonly storeSeconds: Histogram;

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
    // Fine buckets around the 20 ms target of the write path (docs/config-distribution.md).
    const buckets = [0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
    this.writeToEnqueuedSeconds = new Histogram({
      name: 'lattice_config_write_enqueued_seconds',
      help: 'From an API request that changes desired state reaching its handler to the recomputation being enqueued (validated and committed in between; the debounce not included)',
      buckets,
      registers: [metrics.registry],
    });
    this.storeSeconds = new Histogram({
      name: 'lattice_desired_state_store_seconds',
      help: 'Time to store one chunk (up to 25 clusters) of new desired snapshots',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [metrics.registry],
    });
    this.enqueueSeconds = new Histogram({
      name: 'lattice_desired_state_enqueue_seconds',
      help: 'Time to enqueue a desired-state recomputation (Redis round trips)',
      buckets,
      registers: [metrics.registry],
    });
  }
}
