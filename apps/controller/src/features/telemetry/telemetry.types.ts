import type { MatchCondition, NamedCluster } from '@lattice/domain';

export interface IngestResult {
  /** The batch id was seen before; nothing was counted again. */
  duplicate: boolean;
  accepted: number;
}

/** What decides which telemetry belongs to a GNS (read before every query, part of its cache key). */
export interface GnsScopeFacts {
  matchConditions: MatchCondition[];
  clusters: NamedCluster[];
}
