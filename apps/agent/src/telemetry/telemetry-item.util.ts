import type { TelemetryItem } from '@lattice/domain';

export interface ServiceEdge {
  /** '' when unknown. */
  sourceCluster?: string;
  sourceNamespace: string;
  sourceService: string;
  destinationNamespace: string;
  destinationService: string;
}

/** A collision-free map key for an edge (names may contain any character). */
export function serviceEdgeKey(edge: ServiceEdge): string {
  return JSON.stringify([
    edge.sourceCluster ?? '',
    edge.sourceNamespace,
    edge.sourceService,
    edge.destinationNamespace,
    edge.destinationService,
  ]);
}

/** Orders items by minute, then by edge, so outputs are deterministic. */
export function compareTelemetryItems(left: TelemetryItem, right: TelemetryItem): number {
  if (left.minuteUnixMs !== right.minuteUnixMs) return left.minuteUnixMs - right.minuteUnixMs;
  const leftKey = serviceEdgeKey(left);
  const rightKey = serviceEdgeKey(right);
  return leftKey < rightKey ? -1 : leftKey > rightKey ? 1 : 0;
}
