import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../platform/metrics/metrics.service';
import { ClusterLinkRepository } from './cluster-link.repository';

/** Per-cluster lag series are kept for the clusters furthest behind only, bounding cardinality. */
export const MAX_LAGGING_CLUSTER_SERIES = 200;

/** Config propagation and per-cluster lag: the operator's "is the fleet converging?" metrics. */
@Injectable()
export class AgentGatewayMetrics {
  readonly configPropagation: Histogram;
  readonly snapshotBytesSent: Counter;

  constructor(metrics: MetricsService, links: ClusterLinkRepository) {
    this.configPropagation = new Histogram({
      name: 'lattice_config_propagation_seconds',
      help: 'From a desired snapshot version being stored to the ACK that the agent applied it',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [metrics.registry],
    });
    this.snapshotBytesSent = new Counter({
      name: 'lattice_agent_snapshot_bytes_sent_total',
      help: 'Snapshot payload and checksum bytes written to agent streams by this process',
      registers: [metrics.registry],
    });
    // Both gauges are collected at once on a scrape (prom-client collects concurrently): they share
    // the one query in flight.
    let inFlight: ReturnType<ClusterLinkRepository['clustersBehind']> | undefined;
    const clustersBehind = () =>
      (inFlight ??= links.clustersBehind(MAX_LAGGING_CLUSTER_SERIES).finally(() => (inFlight = undefined)));
    const lag = new Gauge({
      name: 'lattice_cluster_config_lag_versions',
      help: `Desired minus applied snapshot version, for the ${MAX_LAGGING_CLUSTER_SERIES} clusters furthest behind (clusters in step have no series)`,
      labelNames: ['tenant_id', 'cluster_id'] as const,
      registers: [metrics.registry],
      async collect() {
        const { furthest } = await clustersBehind();
        lag.reset();
        for (const cluster of furthest) {
          lag.set({ tenant_id: cluster.tenantId, cluster_id: cluster.clusterId }, cluster.lag);
        }
      },
    });
    const behindCount = new Gauge({
      name: 'lattice_clusters_behind',
      help: 'Clusters whose applied snapshot version is behind their desired one',
      registers: [metrics.registry],
      async collect() {
        behindCount.set((await clustersBehind()).total);
      },
    });
  }
}
