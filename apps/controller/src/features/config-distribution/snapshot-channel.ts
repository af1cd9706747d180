/**
 * Redis pub/sub channel on which a new desired snapshot version of a cluster is announced, so the
 * replica that holds the cluster's agent stream pushes it (whichever replica computed it).
 */
export function snapshotChannel(redisPrefix: string): string {
  return `${redisPrefix}:events:cluster-snapshot`;
}

export interface SnapshotAnnouncement {
  tenantId: string;
  clusterId: string;
  version: number;
}
