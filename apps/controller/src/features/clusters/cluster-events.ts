/** Redis pub/sub channel announcing that a cluster's agent must be disconnected (revoked or deleted). */
export function clusterRevokedChannel(redisPrefix: string): string {
  return `${redisPrefix}:events:cluster-revoked`;
}

export interface ClusterRevokedEvent {
  tenantId: string;
  clusterId: string;
}
