import type { DesiredGlobalNamespace } from '@lattice/domain';
import type { IPeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import type { KubeObject } from './kube-object';
import { objectName } from './object-name';

type PeerAuthenticationSpec = NonNullable<IPeerAuthentication['spec']>;

/**
 * The GNS mTLS mode for one of its namespaces in this cluster: namespace-wide (no selector).
 * STRICT refuses plain-text callers; PERMISSIVE accepts both while workloads migrate.
 */
export function renderPeerAuthentication(
  gns: DesiredGlobalNamespace,
  namespace: string,
  labels: Record<string, string>,
): KubeObject {
  const spec: PeerAuthenticationSpec = { mtls: { mode: gns.mtlsMode } };
  return {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'PeerAuthentication',
    metadata: { name: objectName(`lattice-${gns.name}`), namespace, labels },
    spec,
  };
}
