import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';

@Injectable()
export class TelemetryMetrics {
  readonly rows: Counter<'outcome'>;
  readonly ingestLag: Histogram;

  constructor(metrics: MetricsService) {
    this.rows = new Counter({
      name: 'lattice_telemetry_rows_total',
      help: 'Telemetry minute rows received from agents: stored, or duplicate (a resent batch)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
    this.ingestLag = new Histogram({
      name: 'lattice_telemetry_ingest_lag_seconds',
      help: 'Age of the newest minute of a telemetry batch when it was stored (end of that minute to commit)',
      buckets: [1, 5, 15, 30, 60, 120, 300, 900, 3600],
      registers: [metrics.registry],
    });
  }
}
