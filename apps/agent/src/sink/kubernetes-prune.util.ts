import { ISTIO_CONFIG_NAMESPACE, type KubeObject } from '@lattice/istio';
import { apiGroupOf as apiGroup } from './istio-api-versions.util';
import { type ExistingObject, ownerOf } from './kubernetes-ownership.util';

export interface KindRef {
  apiVersion: string;
  kind: string;
  /**
   * List (to prune) only in this namespace. Lattice writes Secrets and ConfigMaps only to Istio's
   * config namespace, so the agent's RBAC grants them only there (deploy/helm/lattice-agent).
   */
  namespace?: string;
}

/** The kinds the Istio renderer writes; pruned even when the desired set no longer has any of them. */
export const DEFAULT_MANAGED_KINDS: readonly KindRef[] = [
  { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry' },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' },
  // The east-west Gateway of each GNS (rendered into istio-system; listed cluster-wide like the other Istio kinds).
  { apiVersion: 'networking.istio.io/v1', kind: 'Gateway' },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' },
  { apiVersion: 'v1', kind: 'Secret', namespace: ISTIO_CONFIG_NAMESPACE },
  // Per-version Services of split instances, in the application namespaces.
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap', namespace: ISTIO_CONFIG_NAMESPACE },
];

/**
 * Default kinds plus any other kind in the desired set, each once. A kind limited to one namespace
 * stays limited while every desired object of it is in that namespace; otherwise it is listed in
 * all namespaces (so nothing escapes pruning).
 */
export function kindsToWatch(
  desired: KubeObject[],
  defaults: readonly KindRef[] = DEFAULT_MANAGED_KINDS,
): KindRef[] {
  const kinds = new Map<string, KindRef>();
  for (const ref of defaults) kinds.set(`${apiGroup(ref.apiVersion)}/${ref.kind}`, ref);
  for (const { apiVersion, kind, metadata } of desired) {
    const key = `${apiGroup(apiVersion)}/${kind}`;
    const limitedTo = kinds.get(key)?.namespace;
    kinds.set(key, {
      apiVersion,
      kind,
      ...(limitedTo !== undefined && metadata.namespace === limitedTo ? { namespace: limitedTo } : {}),
    });
  }
  return [...kinds.values()];
}

export interface PrunePlan {
  /** This agent's objects the desired set no longer names. */
  remove: ExistingObject[];
  /** No longer wanted but taken over (they existed before Lattice wrote them): left in place. */
  keep: ExistingObject[];
}

/**
 * Which existing objects to delete: those this agent owns for this cluster (labels and owner
 * annotation, see ownerOf) that the desired set does not name. Identity ignores the API version
 * (v1 and v1beta1 of a kind are one object in the API server). Objects owned by someone else are
 * never returned; objects the agent took over are kept, so leaving the last GNS never deletes a
 * user's CA.
 */
export function planPrune(existing: ExistingObject[], desired: KubeObject[], clusterId: string): PrunePlan {
  const wanted = new Set(desired.map(objectIdentity));
  const plan: PrunePlan = { remove: [], keep: [] };
  for (const object of existing) {
    const owner = ownerOf(object, clusterId);
    if (!owner || !object.apiVersion || !object.kind || !object.metadata?.name) continue;
    if (wanted.has(objectIdentity(object))) continue;
    (owner.takenOver ? plan.keep : plan.remove).push(object);
  }
  return plan;
}

/** Identity of an object in the API server, whatever version it is read at. */
export function objectIdentity(object: ExistingObject): string {
  const { apiVersion = '', kind = '', metadata } = object;
  return `${apiGroup(apiVersion)}|${kind}|${metadata?.namespace ?? ''}|${metadata?.name ?? ''}`;
}
