import type { TelemetryBatch__Output } from '@lattice/proto';

export interface IngestResult {
  /** The batch id was seen before; nothing was counted again. */
  duplicate: boolean;
  accepted: number;
}

/** Stores a telemetry batch received on an agent stream (validated, deduplicated by batch id). */
export abstract class TelemetryIngest {
  abstract ingest(tenantId: string, clusterId: string, batch: TelemetryBatch__Output): Promise<IngestResult>;
}
