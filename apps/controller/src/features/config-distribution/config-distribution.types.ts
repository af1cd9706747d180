import type { ClusterWithInventory, GlobalNamespaceDefinition } from '@lattice/domain';

export interface MeshCluster extends ClusterWithInventory {
  /** Hash of the desired state last stored for the cluster; null before its first snapshot. */
  desiredHash: string | null;
}

/** Everything membership is computed from, for one tenant. */
export interface TenantMesh {
  globalNamespaces: GlobalNamespaceDefinition[];
  clusters: MeshCluster[];
}

/** A stored desired snapshot: the payload bytes and their sha256 (the stored desired_hash). */
export interface StoredSnapshot {
  version: number;
  payload: Buffer;
  hash: string;
}

/** One resource of a stored snapshot, as a DeltaSnapshot carries it (docs/agent-protocol.md). */
export interface SnapshotResource {
  name: string;
  /** sha256 (hex) of payload. */
  hash: string;
  payload: Buffer;
}
