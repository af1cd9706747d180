import type { DesiredGlobalNamespace, MtlsMode } from '@lattice/domain';
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

/** A service's own mTLS mode (overriding the GNS one) on its workloads in one namespace. */
export function renderServicePeerAuthentication(
  gns: DesiredGlobalNamespace,
  service: string,
  mtlsMode: MtlsMode,
  workloadLabels: Record<string, string>,
  namespace: string,
  labels: Record<string, string>,
): KubeObject {
  const spec: PeerAuthenticationSpec = {
    selector: { matchLabels: { ...workloadLabels } },
    mtls: { mode: mtlsMode },
  };
  return {
    apiVersion: 'security.istio.io/v1beta1',
    kind: 'PeerAuthentication',
    metadata: {
      name: objectName(`lattice-${gns.name}-${service}`, `${gns.id}/${service}`),
      namespace,
      labels,
    },
    spec,
  };
}
