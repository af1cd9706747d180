import type { ClusterCondition, ClusterInventory } from '@lattice/domain';

/** A cluster as the clusters feature hands it out (JSON columns decoded, no database row type). */
export interface ClusterRecord {
  id: string;
  tenantId: string;
  name: string;
  eastWestAddress: string | null;
  labels: Record<string, string>;
  /** The agent may replace an `istio-system/cacerts` Lattice did not create. */
  takeOverMeshCa: boolean;
  /** Registered network and locality; null: not registered. */
  network: string | null;
  region: string | null;
  zone: string | null;
  /** Lattice renders the east-west Gateway (default true). */
  eastWestGatewayManaged: boolean;
  /** Labels of the east-west gateway pods; null: Istio's default. */
  eastWestGatewaySelector: Record<string, string> | null;
  version: number;
  /** Controller replica holding the agent's stream; null when no stream is open. */
  connectionId: string | null;
  firstConnectedAt: Date | null;
  lastSeenAt: Date | null;
  agentVersion: string | null;
  appliedVersion: number;
  desiredVersion: number;
  lastNackVersion: number | null;
  lastNackReason: string | null;
  lastNackAt: Date | null;
  inventory: ClusterInventory;
  inventoryUpdatedAt: Date | null;
  /** As stored; `clusterConditions` (libs/domain) fills in and corrects them for an API. */
  conditions: ClusterCondition[];
  revokedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface NewCluster {
  name: string;
  eastWestAddress: string | null;
  labels: Record<string, string>;
  /** Default false. */
  takeOverMeshCa?: boolean;
  network?: string | null;
  region?: string | null;
  zone?: string | null;
  /** Default true. */
  eastWestGatewayManaged?: boolean;
  eastWestGatewaySelector?: Record<string, string> | null;
}

/** What an operator may change on a cluster. */
export interface ClusterChanges {
  eastWestAddress?: string | null;
  labels?: Record<string, string>;
  takeOverMeshCa?: boolean;
  network?: string | null;
  region?: string | null;
  zone?: string | null;
  eastWestGatewayManaged?: boolean;
  eastWestGatewaySelector?: Record<string, string> | null;
}
