import { type DiagnosedCluster, eastWestGatewayOf, type MeshInstallation } from '@lattice/domain';
import type { MeshCluster } from '../config-distribution/config-distribution.types';

/** A cluster with what was registered for it (not the agent-reported facts that fill its gaps). */
export function diagnosedCluster(
  cluster: MeshCluster,
  installation: MeshInstallation | null,
): DiagnosedCluster {
  const registered = cluster.registered ?? {
    network: cluster.network,
    eastWestAddress: cluster.eastWestAddress,
  };
  return {
    id: cluster.id,
    name: cluster.name,
    registeredNetwork: registered.network,
    registeredEastWestAddress: registered.eastWestAddress,
    installation,
    eastWestGateway: eastWestGatewayOf(cluster),
  };
}
