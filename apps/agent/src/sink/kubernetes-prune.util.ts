import { ISTIO_CONFIG_NAMESPACE, type KubeObject } from '@lattice/istio';
import { CLUSTER_LABEL, MANAGED_BY_LABEL, MANAGED_BY_VALUE } from './apply-sink.port';

export interface KindRef {
  apiVersion: string;
  kind: string;
  /**
   * List (to prune) only in this namespace. Lattice writes Secrets and ConfigMaps only to Istio's
   * config namespace, so the agent's RBAC grants them only there (deploy/helm/lattice-agent).
   */
  namespace?: string;
}

export interface ExistingObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}

/** The kinds the Istio renderer writes; pruned even when the desired set no longer has any of them. */
export const DEFAULT_MANAGED_KINDS: readonly KindRef[] = [
  { apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry' },
  { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule' },
  { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService' },
  { apiVersion: 'security.istio.io/v1', kind: 'PeerAuthentication' },
  { apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy' },
  { apiVersion: 'v1', kind: 'Secret', namespace: ISTIO_CONFIG_NAMESPACE },
  // Per-version Services of split instances, in the application namespaces.
  { apiVersion: 'v1', kind: 'Service' },
  { apiVersion: 'v1', kind: 'ConfigMap', namespace: ISTIO_CONFIG_NAMESPACE },
];

/** Adds the labels that mark an object as this agent's, so a later apply can find and prune it. */
export function withOwnershipLabels(object: KubeObject, clusterId: string): KubeObject {
  return {
    ...object,
    metadata: {
      ...object.metadata,
      labels: {
        ...(object.metadata.labels ?? {}),
        [MANAGED_BY_LABEL]: MANAGED_BY_VALUE,
        [CLUSTER_LABEL]: clusterId,
      },
    },
  };
}

export function ownershipSelector(clusterId: string): string {
  return `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE},${CLUSTER_LABEL}=${clusterId}`;
}

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

/**
 * Which existing objects to delete: those labelled as this agent's for this cluster that the
 * desired set does not name. Identity ignores the API version (v1 and v1beta1 of a kind are one
 * object in the API server), and objects owned by someone else are never returned.
 */
export function objectsToPrune(
  existing: ExistingObject[],
  desired: KubeObject[],
  clusterId: string,
): ExistingObject[] {
  const wanted = new Set(
    desired.map((object) =>
      identity(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name),
    ),
  );
  return existing.filter((object) => {
    const labels = object.metadata?.labels ?? {};
    if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || labels[CLUSTER_LABEL] !== clusterId) return false;
    if (!object.apiVersion || !object.kind || !object.metadata?.name) return false;
    return !wanted.has(
      identity(object.apiVersion, object.kind, object.metadata.namespace, object.metadata.name),
    );
  });
}

function apiGroup(apiVersion: string): string {
  return apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
}

function identity(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  return `${apiGroup(apiVersion)}|${kind}|${namespace ?? ''}|${name}`;
}
