import type { TelemetryItem } from '@lattice/proto';

export type { TelemetryItem } from '@lattice/proto';

/** Produces the telemetry items observed since the last call (synthetic, Prometheus, ...). */
export interface TelemetrySource {
  collect(now: Date): Promise<TelemetryItem[]>;
}
