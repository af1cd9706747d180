import { compileMatchConditions, compileSelector, type MatchCondition } from '../gns/match-conditions';
import { RESERVED_NAMESPACES } from '../gns/membership';

export interface NamedCluster {
  id: string;
  name: string;
}

/** Which telemetry belongs to a Global Namespace: traffic seen in member (cluster, namespace) pairs. */
export interface GnsTelemetryScope {
  /** Clusters some condition could match; reads are narrowed to these before namespaces are checked. */
  candidateClusterIds: string[];
  includes(clusterId: string, namespace: string): boolean;
}

/**
 * Membership from the match conditions alone (cluster names and namespaces as reported in the
 * telemetry), so a service that has since left the inventory still shows its past traffic.
 * Reserved control-plane namespaces are never members, as in computeMembership.
 */
export function gnsTelemetryScope(
  conditions: readonly MatchCondition[],
  clusters: readonly NamedCluster[],
): GnsTelemetryScope {
  const matches = compileMatchConditions(conditions);
  const clusterSelectors = conditions.map((condition) => compileSelector(condition.cluster));
  const nameById = new Map<string, string>();
  for (const cluster of clusters) {
    if (clusterSelectors.some((matchesCluster) => matchesCluster(cluster.name)))
      nameById.set(cluster.id, cluster.name);
  }
  return {
    candidateClusterIds: [...nameById.keys()],
    includes(clusterId, namespace) {
      const name = nameById.get(clusterId);
      return name !== undefined && !RESERVED_NAMESPACES.has(namespace) && matches(name, namespace);
    },
  };
}
