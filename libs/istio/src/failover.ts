import type { DesiredGnsService, DesiredTrafficPolicy } from '@lattice/domain';

/** Endpoint labels that rank clusters for failover: `lattice.io/failover-<n>`. */
export const FAILOVER_LABEL_PREFIX = 'lattice.io/failover-';
const RANKED = 'y';

/**
 * Clusters in the order this cluster's clients should use them: its own cluster first when the
 * service runs here (no cross-cluster hop while local endpoints are healthy), then the policy's
 * order. Clusters not listed come last, all alike.
 */
export function failoverOrder(
  localClusterName: string,
  service: DesiredGnsService,
  policy: DesiredTrafficPolicy | undefined,
): string[] {
  if (!policy?.failover?.length || !policy.outlierDetection) return [];
  const runsHere = service.endpoints.some((endpoint) => endpoint.kind === 'LOCAL');
  const order = runsHere ? [localClusterName, ...policy.failover] : [...policy.failover];
  return [...new Set(order)];
}

/**
 * Istio's failoverPriority gives an endpoint priority by how many of the listed labels it matches
 * from the first on; with explicit values (`label=value`, Istio 1.18+) that works for any label.
 * The endpoint in the k-th of n clusters carries `failover-1` … `failover-(n-k+1)`, so the first
 * cluster matches all n (priority 0), the next n-1 (priority 1), and unlisted clusters none.
 */
export function failoverPriority(clusterCount: number): string[] {
  return Array.from({ length: clusterCount }, (_, index) => `${FAILOVER_LABEL_PREFIX}${index + 1}=${RANKED}`);
}

export function failoverLabels(order: readonly string[], clusterName: string): Record<string, string> {
  const rank = order.indexOf(clusterName);
  if (rank < 0) return {};
  return Object.fromEntries(
    Array.from({ length: order.length - rank }, (_, index) => [
      `${FAILOVER_LABEL_PREFIX}${index + 1}`,
      RANKED,
    ]),
  );
}
