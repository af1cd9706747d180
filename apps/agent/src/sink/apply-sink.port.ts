import type { KubeObject } from '@lattice/istio';

/**
 * Makes the target hold exactly `objects` among the objects this agent manages: creates or updates
 * each of them and removes what it applied before and no longer wants. Throws if it cannot; the
 * caller then keeps the previous state as the applied one.
 */
export interface ApplySink {
  apply(objects: KubeObject[], options?: ApplyOptions): Promise<void>;
}

export interface ApplyOptions {
  /**
   * The cluster was registered with the take-over option: an `istio-system/cacerts` that Lattice
   * did not create may be replaced (DesiredClusterState.takeOverMeshCa). Default false.
   */
  takeOverMeshCa?: boolean;
}

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY_VALUE = 'lattice';
export const CLUSTER_LABEL = 'lattice.io/cluster';
