import { compareText } from '@lattice/domain';
import { stringify } from 'yaml';
import type { KubeObject } from './kube-object';

/** `kind/namespace/name` (namespace empty for cluster-scoped objects): identifies an object in a cluster. */
export function objectKey(object: KubeObject): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * Apply order: the CA Secret first (istiod needs it before workloads get certificates), then
 * PeerAuthentication and AuthorizationPolicy, per-version Services before the ServiceEntry
 * endpoints that point at them, then DestinationRule before the ServiceEntry whose traffic it
 * secures (so no request leaves without mTLS), the east-west Gateway once the hosts it forwards to
 * exist, and VirtualServices last (the subsets they route to
 * exist by then). Unknown kinds go last.
 */
const KIND_ORDER = [
  'Secret',
  'PeerAuthentication',
  'AuthorizationPolicy',
  'Service',
  'DestinationRule',
  'ServiceEntry',
  'Gateway',
  'VirtualService',
];

export function compareObjects(a: KubeObject, b: KubeObject): number {
  const rank = (object: KubeObject): number => {
    const index = KIND_ORDER.indexOf(object.kind);
    return index === -1 ? KIND_ORDER.length : index;
  };
  return (
    rank(a) - rank(b) ||
    compareText(a.kind, b.kind) ||
    compareText(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    Number(isAllowNothing(a)) - Number(isAllowNothing(b)) ||
    compareText(a.metadata.name, b.metadata.name)
  );
}

/**
 * A namespace-wide AuthorizationPolicy without rules (a GNS's default DENY) goes after the
 * per-service ALLOW policies of its namespace, so switching to default DENY never briefly denies
 * callers that an ALLOW policy being applied in the same pass admits.
 */
function isAllowNothing(object: KubeObject): boolean {
  const spec = object.spec as { selector?: unknown; rules?: unknown } | undefined;
  return object.kind === 'AuthorizationPolicy' && spec?.selector === undefined && spec?.rules === undefined;
}

/** Multi-document YAML (`---` separated), e.g. for the directory sink or `kubectl apply -f`. */
export function toYaml(objects: readonly KubeObject[]): string {
  return objects.map((object) => stringify(object, { lineWidth: 0 })).join('---\n');
}
