import type { ClusterLocality, DesiredGnsService, DesiredTrafficPolicy } from '@lattice/domain';
import { compareText } from '@lattice/domain';

/** Endpoint labels that rank clusters for failover: `lattice.io/failover-<n>`. */
export const FAILOVER_LABEL_PREFIX = 'lattice.io/failover-';
const RANKED = 'y';

/** The client cluster a ServiceEntry and DestinationRule are rendered for. */
export interface ClientCluster {
  clusterName: string;
  locality?: ClusterLocality;
}

/**
 * Clusters in the order this cluster's clients should use them; empty when there is nothing to
 * order (the service runs in one cluster only).
 *
 * - Default (local-first): this cluster first when the service runs here, then the other clusters
 *   by proximity: same region and zone, then same region, then the rest; ties by cluster name.
 *   A region or zone that is unknown on either side never counts as the same.
 * - An explicit failover policy (`failover: [clusters…]`) replaces the order after the local
 *   cluster; clusters it does not list come last, all alike (as before).
 */
export function failoverOrder(
  client: ClientCluster | string,
  service: DesiredGnsService,
  policy: DesiredTrafficPolicy | undefined,
): string[] {
  const { clusterName, locality } = typeof client === 'string' ? { clusterName: client } : client;
  const runsHere = service.endpoints.some((endpoint) => endpoint.kind === 'LOCAL');
  const clusters = [...new Set(service.endpoints.map((endpoint) => endpoint.clusterName))];
  if (policy?.failover?.length) {
    const order = runsHere ? [clusterName, ...policy.failover] : [...policy.failover];
    return [...new Set(order)];
  }
  if (clusters.length < 2) return [];
  const localities = new Map(
    service.endpoints.map((endpoint) => [endpoint.clusterName, splitLocality(endpoint.locality)] as const),
  );
  const remote = clusters
    .filter((name) => name !== clusterName)
    .map((name) => ({ name, distance: distance(locality, localities.get(name)) }))
    .sort((a, b) => a.distance - b.distance || compareText(a.name, b.name))
    .map((entry) => entry.name);
  return runsHere ? [clusterName, ...remote] : remote;
}

/** 0: same region and zone, 1: same region, 2: anything else (or unknown). */
function distance(from: ClusterLocality | undefined, to: ClusterLocality | undefined): number {
  if (!from?.region || !to?.region || from.region !== to.region) return 2;
  return from.zone && to.zone && from.zone === to.zone ? 0 : 1;
}

/** `region/zone/subzone` (Istio's locality form) back into its parts. */
function splitLocality(locality: string | undefined): ClusterLocality | undefined {
  if (!locality) return undefined;
  const [region, zone] = locality.split('/');
  return { ...(region ? { region } : {}), ...(zone ? { zone } : {}) };
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

/** The labels of an endpoint ranked k-th of n clusters (`failover-1` … `failover-(n-k+1)`); {} when unranked. */
export function failoverLabels(
  order: readonly string[],
  clusterName: string,
): Readonly<Record<string, string>> {
  return failoverLabelsOf(order)(clusterName);
}

/**
 * failoverLabels for one order, with the ranks looked up once: a service's endpoints, one or more
 * per cluster, each ask (an index search per endpoint made a render quadratic in clusters).
 */
export function failoverLabelsOf(
  order: readonly string[],
): (clusterName: string) => Readonly<Record<string, string>> {
  const ranks = new Map<string, number>();
  order.forEach((name, rank) => {
    if (!ranks.has(name)) ranks.set(name, rank);
  });
  return (clusterName) => {
    const rank = ranks.get(clusterName);
    return rank === undefined ? {} : failoverLabelsOfCount(order.length - rank);
  };
}

/**
 * Label sets by count, each built once from the one before: every endpoint of every render asks
 * for one (an n-cluster service's endpoints carry n(n+1)/2 labels together), and building them
 * anew was most of an agent's time per snapshot. Counts past the bound are built when asked.
 */
const failoverLabelSets: Readonly<Record<string, string>>[] = [Object.freeze({})];
const MAX_CACHED_FAILOVER_LABELS = 256;

function failoverLabelsOfCount(count: number): Readonly<Record<string, string>> {
  const cached = failoverLabelSets[count];
  if (cached) return cached;
  const bound = Math.min(count, MAX_CACHED_FAILOVER_LABELS);
  for (let size = failoverLabelSets.length; size <= bound; size++)
    failoverLabelSets.push(
      Object.freeze({ ...failoverLabelSets[size - 1], [`${FAILOVER_LABEL_PREFIX}${size}`]: RANKED }),
    );
  if (count <= bound) return failoverLabelSets[count]!;
  const labels: Record<string, string> = { ...failoverLabelSets[bound] };
  for (let index = bound + 1; index <= count; index++) labels[`${FAILOVER_LABEL_PREFIX}${index}`] = RANKED;
  return labels;
}
