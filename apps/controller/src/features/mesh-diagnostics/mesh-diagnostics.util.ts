import type { DiagnosedCluster, MeshInstallation } from '@lattice/domain';
import type { MeshCluster } from '../config-distribution/config-distribution.types';

/**
 * A cluster with its registered facts. The registered network comes from the clusters feature
 * (a `network` registration field); until a cluster has one, it is null.
 */
export function diagnosedCluster(
  cluster: MeshCluster,
  installation: MeshInstallation | null,
): DiagnosedCluster {
  const registered = cluster as MeshCluster & { network?: string | null };
  return {
    id: cluster.id,
    name: cluster.name,
    registeredNetwork: registered.network ?? null,
    registeredEastWestAddress: cluster.eastWestAddress,
    installation,
  };
}
