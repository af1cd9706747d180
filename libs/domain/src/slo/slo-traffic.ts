import type { MatchCondition } from '../gns/match-conditions';
import { DDSketch } from '../telemetry/ddsketch';
import {
  gnsTelemetryScope,
  type GnsTelemetryScope,
  type NamedCluster,
} from '../telemetry/gns-telemetry-scope';
import { mergeSketchJson } from '../telemetry/traffic-totals';
import type { MergedMinute } from './sli';

/** What decides which traffic is an SLO's: its services, in its GNS's member (cluster, namespace) pairs. */
export interface SloTrafficSource {
  tenantId: string;
  gnsId: string;
  services: readonly string[];
  matchConditions: readonly MatchCondition[];
  clusters: readonly NamedCluster[];
}

/** Traffic to one destination (tenant, cluster, namespace, service) in one minute or hour, sketches not merged yet. */
export interface DestinationPeriod {
  tenantId: string;
  clusterId: string;
  namespace: string;
  service: string;
  /** Start of the minute or hour. */
  minuteMs: number;
  requests: number;
  errors: number;
  /** Serialised DDSketches (one per source row), merged once when first read. */
  sketches: unknown[];
}

/** A (tenant, service) whose traffic is read over [fromMs, toMs). */
export interface TrafficTarget {
  tenantId: string;
  service: string;
  fromMs: number;
  toMs: number;
}

/** A span of time some SLO's traffic is read for. */
export interface SloTrafficSpan {
  slo: Pick<SloTrafficSource, 'tenantId' | 'services'>;
  fromMs: number;
  toMs: number;
}

export function trafficTargetKey(tenantId: string, service: string): string {
  return `${tenantId}|${service}`;
}

/** Each (tenant, service) the spans read, over the hull of its spans: one read covers every SLO of the service. */
export function spanTrafficTargets(spans: readonly SloTrafficSpan[]): TrafficTarget[] {
  const targets = new Map<string, TrafficTarget>();
  for (const span of spans) {
    for (const service of span.slo.services) {
      const key = trafficTargetKey(span.slo.tenantId, service);
      const target = targets.get(key);
      if (target) {
        target.fromMs = Math.min(target.fromMs, span.fromMs);
        target.toMs = Math.max(target.toMs, span.toMs);
      } else {
        targets.set(key, { tenantId: span.slo.tenantId, service, fromMs: span.fromMs, toMs: span.toMs });
      }
    }
  }
  return [...targets.values()];
}

/** Each (tenant, service) some of the SLOs reads, once. */
export function uniqueTrafficServices(
  slos: readonly Pick<SloTrafficSource, 'tenantId' | 'services'>[],
): { tenantId: string; service: string }[] {
  const targets = new Map<string, { tenantId: string; service: string }>();
  for (const slo of slos) {
    for (const service of slo.services)
      targets.set(trafficTargetKey(slo.tenantId, service), { tenantId: slo.tenantId, service });
  }
  return [...targets.values()];
}

/** A destination period with its sketches merged at most once, however many SLOs read it. */
interface IndexedPeriod extends DestinationPeriod {
  merged?: DDSketch;
}

/**
 * The traffic read for a batch of SLO spans, by (tenant, service), and each SLO's share of it. GNS
 * scopes are compiled once per GNS and sketches merged once per destination period.
 */
export class SloTrafficIndex {
  private readonly byTarget = new Map<string, IndexedPeriod[]>();
  private readonly scopes = new Map<string, GnsTelemetryScope>();

  constructor(periods: readonly DestinationPeriod[]) {
    for (const period of periods) {
      const key = trafficTargetKey(period.tenantId, period.service);
      const list = this.byTarget.get(key) ?? [];
      list.push({ ...period });
      this.byTarget.set(key, list);
    }
  }

  /** The SLO's traffic per minute (or hour): its services in the GNS's member (cluster, namespace) pairs. */
  periodsOf(slo: SloTrafficSource): Map<number, MergedMinute> {
    const scope = this.scopeOf(slo);
    const periods = new Map<number, MergedMinute & { ownsLatency: boolean }>();
    for (const service of slo.services) {
      for (const row of this.byTarget.get(trafficTargetKey(slo.tenantId, service)) ?? []) {
        if (!scope.includes(row.clusterId, row.namespace)) continue;
        row.merged ??= mergeSketchJson(row.sketches);
        const period = periods.get(row.minuteMs);
        if (!period) {
          // Shared with other SLOs until a second destination makes it ours to merge into.
          periods.set(row.minuteMs, {
            minuteUnixMs: row.minuteMs,
            requests: row.requests,
            errors: row.errors,
            latency: row.merged,
            ownsLatency: false,
          });
          continue;
        }
        period.requests += row.requests;
        period.errors += row.errors;
        if (!period.ownsLatency) {
          period.latency = period.latency ? period.latency.clone() : new DDSketch();
          period.ownsLatency = true;
        }
        period.latency!.merge(row.merged);
      }
    }
    return periods;
  }

  private scopeOf(slo: SloTrafficSource): GnsTelemetryScope {
    let scope = this.scopes.get(slo.gnsId);
    if (!scope) {
      scope = gnsTelemetryScope(slo.matchConditions, slo.clusters);
      this.scopes.set(slo.gnsId, scope);
    }
    return scope;
  }
}
