import { Injectable } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { GnsCaRepository } from './gns-ca.repository';

/** Seconds until the soonest CA certificate expiry, for the "CA expiring" alert. */
@Injectable()
export class GnsCaMetrics {
  constructor(metrics: MetricsService, repository: GnsCaRepository) {
    const expiry = new Gauge({
      name: 'lattice_ca_certificate_expiry_seconds',
      help: 'Seconds until the soonest expiry among active GNS roots (kind=root) and the intermediates they signed (kind=intermediate); negative once expired',
      labelNames: ['kind'] as const,
      registers: [metrics.registry],
      async collect() {
        const soonest = await repository.soonestExpiries();
        expiry.reset();
        for (const kind of ['root', 'intermediate'] as const) {
          const notAfter = soonest[kind];
          if (notAfter) expiry.set({ kind }, (notAfter.getTime() - Date.now()) / 1000);
        }
      },
    });
  }
}
