import { Inject, Injectable } from '@nestjs/common';
import DataLoader from 'dataloader';
import {
  buildTopology,
  DomainError,
  reportedDurationMs,
  gnsTelemetryScope,
  mergeSketchJson,
  planAggregateReads,
  planSeriesReads,
  QueryResultCache,
  seriesBucket,
  TrafficTotals,
  TrafficTotalsByKey,
  validateSeriesRequest,
  validateTimeRange,
  type GnsTelemetryScope,
  type NamedCluster,
  type SeriesRequest,
  type TimeRange,
  type Topology,
  type TrafficMetrics,
} from '@lattice/domain';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { RollupStateStore } from './rollup-state.store';
import { TelemetryRepository } from './telemetry.repository';
import { TelemetryScopeRepository, type GnsKey } from './telemetry-scope.repository';
import { TelemetryVersionStore } from './telemetry-version.store';
import type { GnsScopeFacts } from './telemetry.types';

/** Answers kept per process; a topology answer of a large GNS is some hundred KB. */
const CACHED_ANSWERS = 200;

export interface ServiceMetricsPoint extends TrafficMetrics {
  timestamp: Date;
}

export type { Topology, TopologyEdge, TopologyNode } from '@lattice/domain';

export type TopServicesOrder = 'ERROR_RATE' | 'LATENCY_P99';

export interface TopService extends TrafficMetrics {
  service: string;
}

/**
 * Answers telemetry questions about a Global Namespace from the coarsest stored resolution that
 * covers them (see planSeriesReads / planAggregateReads): one grouped SQL query per question,
 * sketches merged here. serviceMetrics and topology answers are cached under everything they
 * depend on: the question, the GNS's scope and the rollup watermark, with the tenant's telemetry
 * version (TelemetryVersionStore, read before the rows) they were read at. An answer of an older
 * version is served for at most LATTICE_TELEMETRY_QUERY_STALENESS_MS after it was read, while one
 * computation for the newest version replaces it (QueryResultCache): agents report every few
 * seconds, so without it a busy tenant's dashboards recomputed on every request.
 */
@Injectable()
export class TelemetryQueryService {
  private readonly answers: QueryResultCache<unknown>;

  /**
   * The GNS facts every telemetry query reads first, batched (DataLoader): the lookups issued in
   * the same tick (the fields of one GraphQL document, say several serviceMetrics aliases and a
   * topology, or concurrent requests) become one loadMany, two SQL queries in all. Not cached
   * across batches (cache: false), so an edit of a GNS is seen by the next query.
   */
  private readonly scopeLoader: DataLoader<GnsKey, GnsScopeFacts | null, string>;

  constructor(
    private readonly telemetry: TelemetryRepository,
    private readonly scopes: TelemetryScopeRepository,
    private readonly rollupState: RollupStateStore,
    private readonly versions: TelemetryVersionStore,
    @Inject(RUNTIME_CONFIG) config: RuntimeConfig,
  ) {
    this.answers = new QueryResultCache(CACHED_ANSWERS, config.env.LATTICE_TELEMETRY_QUERY_STALENESS_MS);
    this.scopeLoader = new DataLoader((keys) => this.scopes.loadMany(keys), {
      cache: false,
      maxBatchSize: 100,
    });
  }

  async serviceMetrics(
    tenantId: string,
    gnsId: string,
    service: string,
    from: Date,
    to: Date,
    stepSeconds: number,
  ): Promise<ServiceMetricsPoint[]> {
    const request = validateSeriesRequest(from, to, stepSeconds);
    if (service.trim() === '')
      throw DomainError.validation([{ field: 'service', message: 'must not be empty' }]);
    // Independent reads, run together; the version is still read before the rows (in compute).
    const [version, rolledUpUntil, facts] = await Promise.all([
      this.versions.current(tenantId),
      this.rollupState.rolledUpUntil(),
      this.scopeFacts(tenantId, gnsId),
    ]);
    const nowMs = Date.now();
    const question = [
      'serviceMetrics',
      tenantId,
      gnsId,
      service,
      request.fromMs,
      request.toMs,
      request.stepMs,
      reportedUntil(request.toMs, nowMs),
    ];
    return this.cached(question, version, rolledUpUntil, facts, () =>
      this.computeServiceMetrics(tenantId, service, request, rolledUpUntil, facts, nowMs),
    );
  }

  private async computeServiceMetrics(
    tenantId: string,
    service: string,
    request: SeriesRequest,
    rolledUpUntil: number | null,
    facts: GnsScopeFacts,
    nowMs: number,
  ): Promise<ServiceMetricsPoint[]> {
    const scope = gnsTelemetryScope(facts.matchConditions, facts.clusters);
    const plan = planSeriesReads(request, rolledUpUntil);
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
        bucket.addSketchJson(group.requests, group.errors, group.sketches);
      }
    }
    return buckets.map((totals, index) => {
      const range = seriesBucket(request, index);
      return { timestamp: new Date(range.fromMs), ...totals.metrics(reportedDurationMs(range, nowMs)) };
    });
  }

  /** Services per cluster and the calls between them (see buildTopology for where nodes are placed). */
  async topology(tenantId: string, gnsId: string, from: Date, to: Date): Promise<Topology> {
    const range = validateTimeRange(from, to);
    // Independent reads, run together; the version is still read before the rows (in compute).
    const [version, rolledUpUntil, facts] = await Promise.all([
      this.versions.current(tenantId),
      this.rollupState.rolledUpUntil(),
      this.scopeFacts(tenantId, gnsId),
    ]);
    const nowMs = Date.now();
    const question = [
      'topology',
      tenantId,
      gnsId,
      range.fromMs,
      range.toMs,
      reportedUntil(range.toMs, nowMs),
    ];
    return this.cached(question, version, rolledUpUntil, facts, () =>
      this.computeTopology(tenantId, range, rolledUpUntil, facts, nowMs),
    );
  }

  private async computeTopology(
    tenantId: string,
    range: TimeRange,
    rolledUpUntil: number | null,
    facts: GnsScopeFacts,
    nowMs: number,
  ): Promise<Topology> {
    const scope = gnsTelemetryScope(facts.matchConditions, facts.clusters);
    const clusters = facts.clusters;
    const plan = planAggregateReads(range, rolledUpUntil);
    const candidates = new Set(scope.candidateClusterIds);
    // A member caller's calls are reported by the callee's cluster, which may be outside the candidates.
    const candidateNames = clusters
      .filter((cluster) => candidates.has(cluster.id))
      .map((cluster) => cluster.name);
    const groups = await this.telemetry.edgeGroups(
      tenantId,
      { clusterIds: scope.candidateClusterIds, orSourceClusters: candidateNames },
      plan,
    );
    const traffic = groups.map(({ requests, errors, sketches, ...key }) => ({
      ...key,
      totals: new TrafficTotals().addSketchJson(requests, errors, sketches),
    }));
    return buildTopology(traffic, scope, clusters, reportedDurationMs(range, nowMs));
  }

  /** The GNS services (merged over member clusters and namespaces) with the worst error rate or p99. */
  async topServices(
    tenantId: string,
    gnsId: string,
    from: Date,
    to: Date,
    by: TopServicesOrder,
    first: number,
  ): Promise<TopService[]> {
    const range = validateTimeRange(from, to);
    const { scope } = await this.scopeOf(tenantId, gnsId);
    const plan = planAggregateReads(range, await this.rollupState.rolledUpUntil());
    const groups = await this.telemetry.destinationGroups(
      tenantId,
      { clusterIds: scope.candidateClusterIds },
      plan,
    );
    const byService = new TrafficTotalsByKey<string>((service) => service);
    for (const group of groups) {
      if (scope.includes(group.clusterId, group.destinationNamespace)) {
        byService.add(
          group.destinationService,
          group.requests,
          group.errors,
          mergeSketchJson(group.sketches),
        );
      }
    }
    const services = [...byService]
      .filter(({ totals }) => totals.requests > 0)
      .map(({ key, totals }) => ({ service: key, ...totals.metrics(reportedDurationMs(range, Date.now())) }));
    const rank = (service: TopService) =>
      by === 'ERROR_RATE' ? (service.errorRate ?? 0) : (service.p99 ?? 0);
    services.sort((a, b) => rank(b) - rank(a) || b.requests - a.requests || compare(a.service, b.service));
    return services.slice(0, first);
  }

  private async scopeOf(
    tenantId: string,
    gnsId: string,
  ): Promise<{ scope: GnsTelemetryScope; clusters: NamedCluster[] }> {
    const facts = await this.scopeFacts(tenantId, gnsId);
    return { scope: gnsTelemetryScope(facts.matchConditions, facts.clusters), clusters: facts.clusters };
  }

  private async scopeFacts(tenantId: string, gnsId: string): Promise<GnsScopeFacts> {
    const facts = await this.scopeLoader.load({ tenantId, gnsId });
    if (!facts) throw DomainError.notFound('global namespace', gnsId);
    return facts;
  }

  /** The answer cached under the question and what it depends on; computed when there is none. */
  private cached<T>(
    question: unknown[],
    version: string | null,
    rolledUpUntil: number | null,
    facts: GnsScopeFacts,
    compute: () => Promise<T>,
  ): Promise<T> {
    // No version yet (or lost): the rows may change without the version moving, so nothing is cached.
    if (version === null) return compute();
    const key = JSON.stringify([question, rolledUpUntil, facts.matchConditions, facts.clusters]);
    return this.answers.get(key, version, compute) as Promise<T>;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Part of a cache key: an answer over a range that reaches past the reported minutes depends on
 * the clock too (its rates divide by the reported part, reportedDurationMs), so it is keyed by the
 * current minute; a range wholly in the past is not.
 */
function reportedUntil(toMs: number, nowMs: number): number | null {
  const minute = Math.floor(nowMs / 60_000) * 60_000;
  return toMs > minute ? minute : null;
}
