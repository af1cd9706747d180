import { type SketchJSON } from './ddsketch';

export const MINUTE_MS = 60_000;

/**
 * One minute of traffic from a source service to a destination service; mirrors protobuf
 * TelemetryItem. The reporting cluster is where the destination runs (the server side reports each
 * request once); see docs/telemetry.md for the attribution model.
 */
export interface TelemetryItem {
  /** Start of the minute, a multiple of 60 000. */
  minuteUnixMs: number;
  /** The mesh's name of the caller's cluster (Istio `source_cluster`); absent or '' when unknown. */
  sourceCluster?: string;
  sourceNamespace: string;
  sourceService: string;
  destinationNamespace: string;
  destinationService: string;
  requests: number;
  errors: number;
  latency: SketchJSON;
}

/** Start of the minute that contains `unixMs`. */
export function minuteStart(unixMs: number): number {
  return Math.floor(unixMs / MINUTE_MS) * MINUTE_MS;
}

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
