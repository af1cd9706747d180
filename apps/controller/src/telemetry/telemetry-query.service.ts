import { Injectable } from '@nestjs/common';
import {
  DomainError,
  gnsTelemetryScope,
  mergeSketchJson,
  planAggregateReads,
  planSeriesReads,
  seriesBucket,
  TrafficTotals,
  TrafficTotalsByKey,
  validateSeriesRequest,
  validateTimeRange,
  type GnsTelemetryScope,
  type MatchCondition,
  type NamedCluster,
  type TrafficMetrics,
} from '@lattice/domain';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryScopeRepository } from './telemetry-scope.repository';

export interface ServiceMetricsPoint extends TrafficMetrics {
  timestamp: Date;
}

export interface ServiceInCluster {
  clusterId: string;
  clusterName: string;
  namespace: string;
  service: string;
}

export interface TopologyNode extends ServiceInCluster, TrafficMetrics {
  id: string;
  /** In a member (cluster, namespace) of the GNS; callers from outside appear as non-members. */
  member: boolean;
}

export interface TopologyEdge extends TrafficMetrics {
  sourceId: string;
  destinationId: string;
  clusterId: string;
}

export interface Topology {
  nodes: TopologyNode[];
  edges: TopologyEdge[];
}

export type TopServicesOrder = 'ERROR_RATE' | 'LATENCY_P99';

export interface TopService extends TrafficMetrics {
  service: string;
}

/**
 * Answers telemetry questions about a Global Namespace from the coarsest stored resolution that
 * covers them (see planSeriesReads / planAggregateReads): one grouped SQL query per question,
 * sketches merged here.
 */
@Injectable()
export class TelemetryQueryService {
  constructor(
    private readonly telemetry: TelemetryRepository,
    private readonly scopes: TelemetryScopeRepository,
    private readonly rollupState: RollupStateStore,
  ) {}

  async serviceMetrics(tenantId: string, gnsId: string, service: string, from: Date, to: Date, stepSeconds: number): Promise<ServiceMetricsPoint[]> {
    const request = validateSeriesRequest(from, to, stepSeconds);
    if (service.trim() === '') throw DomainError.validation([{ field: 'service', message: 'must not be empty' }]);
    const { scope } = await this.scopeOf(tenantId, gnsId);
    const plan = planSeriesReads(request, await this.rollupState.rolledUpUntil());
    const groups = await this.telemetry.seriesGroups(
      tenantId,
      { clusterIds: scope.candidateClusterIds, destinationService: service },
      plan,
      request.fromMs,
      request.stepMs,
    );
    const buckets = Array.from({ length: request.points }, () => new TrafficTotals());
    for (const group of groups) {
      const bucket = buckets[group.bucket];
      if (bucket && scope.includes(group.clusterId, group.destinationNamespace)) {
        bucket.add(group.requests, group.errors, mergeSketchJson(group.sketches));
      }
    }
    return buckets.map((totals, index) => {
      const range = seriesBucket(request, index);
      return { timestamp: new Date(range.fromMs), ...totals.metrics(range.toMs - range.fromMs) };
    });
  }

  /**
   * Services per cluster and the calls between them. An edge belongs to the GNS when its caller or
   * its callee is a member; a node's numbers are the traffic it received over those edges.
   */
  async topology(tenantId: string, gnsId: string, from: Date, to: Date): Promise<Topology> {
    const range = validateTimeRange(from, to);
    const { scope, clusterNames } = await this.scopeOf(tenantId, gnsId);
    const plan = planAggregateReads(range, await this.rollupState.rolledUpUntil());
    const groups = await this.telemetry.edgeGroups(tenantId, { clusterIds: scope.candidateClusterIds }, plan);
    const durationMs = range.toMs - range.fromMs;
    const nodes = new Map<string, { node: ServiceInCluster; member: boolean; received: TrafficTotals }>();
    const nodeOf = (clusterId: string, namespace: string, service: string) => {
      const id = nodeId(clusterId, namespace, service);
      let entry = nodes.get(id);
      if (!entry) {
        const node = { clusterId, clusterName: clusterNames.get(clusterId) ?? clusterId, namespace, service };
        entry = { node, member: scope.includes(clusterId, namespace), received: new TrafficTotals() };
        nodes.set(id, entry);
      }
      return { id, entry };
    };
    const edges: TopologyEdge[] = [];
    for (const group of groups) {
      const sourceMember = scope.includes(group.clusterId, group.sourceNamespace);
      const destinationMember = scope.includes(group.clusterId, group.destinationNamespace);
      if (!sourceMember && !destinationMember) continue;
      const source = nodeOf(group.clusterId, group.sourceNamespace, group.sourceService);
      const destination = nodeOf(group.clusterId, group.destinationNamespace, group.destinationService);
      const totals = new TrafficTotals().add(group.requests, group.errors, mergeSketchJson(group.sketches));
      destination.entry.received.addTotals(totals);
      edges.push({ sourceId: source.id, destinationId: destination.id, clusterId: group.clusterId, ...totals.metrics(durationMs) });
    }
    edges.sort((a, b) => compare(a.sourceId, b.sourceId) || compare(a.destinationId, b.destinationId));
    const nodeList = [...nodes.entries()]
      .map(([id, { node, member, received }]) => ({ id, ...node, member, ...received.metrics(durationMs) }))
      .sort((a, b) => compare(a.id, b.id));
    return { nodes: nodeList, edges };
  }

  /** The GNS services (merged over member clusters and namespaces) with the worst error rate or p99. */
  async topServices(tenantId: string, gnsId: string, from: Date, to: Date, by: TopServicesOrder, first: number): Promise<TopService[]> {
    const range = validateTimeRange(from, to);
    const { scope } = await this.scopeOf(tenantId, gnsId);
    const plan = planAggregateReads(range, await this.rollupState.rolledUpUntil());
    const groups = await this.telemetry.destinationGroups(tenantId, { clusterIds: scope.candidateClusterIds }, plan);
    const byService = new TrafficTotalsByKey<string>((service) => service);
    for (const group of groups) {
      if (scope.includes(group.clusterId, group.destinationNamespace)) {
        byService.add(group.destinationService, group.requests, group.errors, mergeSketchJson(group.sketches));
      }
    }
    const services = [...byService]
      .filter(({ totals }) => totals.requests > 0)
      .map(({ key, totals }) => ({ service: key, ...totals.metrics(range.toMs - range.fromMs) }));
    const rank = (service: TopService) => (by === 'ERROR_RATE' ? (service.errorRate ?? 0) : (service.p99 ?? 0));
    services.sort((a, b) => rank(b) - rank(a) || b.requests - a.requests || compare(a.service, b.service));
    return services.slice(0, first);
  }

  private async scopeOf(tenantId: string, gnsId: string): Promise<{ scope: GnsTelemetryScope; clusterNames: Map<string, string> }> {
    const facts = await this.scopes.load(tenantId, gnsId);
    if (!facts) throw DomainError.notFound('global namespace', gnsId);
    return {
      scope: gnsTelemetryScope(facts.matchConditions, facts.clusters),
      clusterNames: new Map(facts.clusters.map((cluster) => [cluster.id, cluster.name])),
    };
  }
}

export interface GnsScopeFacts {
  matchConditions: MatchCondition[];
  clusters: NamedCluster[];
}

/** Cluster ids are UUIDs and Kubernetes names cannot contain "/", so the id is unambiguous. */
function nodeId(clusterId: string, namespace: string, service: string): string {
  return `${clusterId}/${namespace}/${service}`;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
