export type ClusterStatus = 'PENDING' | 'CONNECTED' | 'DISCONNECTED';

/** How long a cluster stays CONNECTED without a heartbeat (agents beat every 10 s). */
export const CLUSTER_HEARTBEAT_GRACE_MS = 45_000;

export interface ClusterConnectionFacts {
  firstConnectedAt: Date | null;
  /** Set while a controller replica holds the agent's stream. */
  connectionId: string | null;
  lastSeenAt: Date | null;
}

/**
 * PENDING until an agent has ever connected; CONNECTED while a stream is open and the agent was
 * heard from within the grace period (a crashed replica leaves connectionId behind, so lastSeenAt
 * decides); DISCONNECTED otherwise.
 */
export function clusterStatus(
  cluster: ClusterConnectionFacts,
  now: Date,
  graceMs = CLUSTER_HEARTBEAT_GRACE_MS,
): ClusterStatus {
  if (!cluster.firstConnectedAt) return 'PENDING';
  const recent = cluster.lastSeenAt !== null && now.getTime() - cluster.lastSeenAt.getTime() <= graceMs;
  return cluster.connectionId !== null && recent ? 'CONNECTED' : 'DISCONNECTED';
}
