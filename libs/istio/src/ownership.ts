import { RenderError } from './render-error';

/**
 * Istio's root config namespace. GNS-wide objects (ServiceEntry, DestinationRule, the CA Secret)
 * live here: one place per cluster, visible to every namespace (exportTo '*'), and not inside a
 * tenant namespace that might leave the GNS.
 */
export const ISTIO_CONFIG_NAMESPACE = 'istio-system';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_LATTICE = 'lattice';
export const GNS_LABEL = 'lattice.io/gns';
export const CLUSTER_LABEL = 'lattice.io/cluster';
/**
 * ServiceEntry endpoint label naming the cluster the endpoint stands for. Not Istio's
 * `topology.istio.io/cluster`: istiod overwrites that one on ServiceEntry endpoints with the id of
 * the cluster the ServiceEntry is in (AugmentLabels in pilot/pkg/serviceregistry/util/label).
 */
export const ENDPOINT_CLUSTER_LABEL = 'lattice.io/endpoint-cluster';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

/**
 * Labels on everything Lattice renders: the agent lists objects by these to prune what a new
 * snapshot no longer contains (a deleted GNS, a namespace that left it).
 */
export function ownershipLabels(gnsId: string, clusterId: string): Record<string, string> {
  for (const [what, value] of [
    ['GNS id', gnsId],
    ['cluster id', clusterId],
  ] as const) {
    if (!isLabelValue(value))
      throw new RenderError(`${what} "${value}" cannot be used as a Kubernetes label value`);
  }
  return { [MANAGED_BY_LABEL]: MANAGED_BY_LATTICE, [GNS_LABEL]: gnsId, [CLUSTER_LABEL]: clusterId };
}

/** Selector that finds every object Lattice rendered into a cluster (e.g. for `kubectl get -l`). */
export function managedObjectsSelector(clusterId: string, gnsId?: string): string {
  const parts = [`${MANAGED_BY_LABEL}=${MANAGED_BY_LATTICE}`, `${CLUSTER_LABEL}=${clusterId}`];
  if (gnsId !== undefined) parts.push(`${GNS_LABEL}=${gnsId}`);
  return parts.join(',');
}
