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
