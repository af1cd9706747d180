/**
 * Redis pub/sub channel telling the replica that holds a cluster's agent stream to check which
 * intermediates to ask that cluster for (a rotation stage moved on, a GNS root was created).
 */
export function caCheckChannel(redisPrefix: string): string {
  return `${redisPrefix}:events:cluster-ca-check`;
}

export interface CaCheckEvent {
  tenantId: string;
  clusterId: string;
}
