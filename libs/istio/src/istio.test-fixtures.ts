// Builders shared by the renderer specs (not exported from the library).
import { DestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import { Gateway } from '@kubernetes-models/istio/networking.istio.io/v1beta1/Gateway';
import { ServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { VirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import { AuthorizationPolicy } from '@kubernetes-models/istio/security.istio.io/v1beta1/AuthorizationPolicy';
import { PeerAuthentication } from '@kubernetes-models/istio/security.istio.io/v1beta1/PeerAuthentication';
import type { DesiredClusterState, DesiredGlobalNamespace } from '@lattice/domain';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kube-object';

/** The ownership labels of every object rendered for GNS g-shop in cluster c-east. */
export const OWNED = {
  'app.kubernetes.io/managed-by': 'lattice',
  'lattice.io/gns': 'g-shop',
  'lattice.io/cluster': 'c-east',
};

/** The "east" cluster's desired state: GNS g-shop (shop.lattice.local, STRICT, namespace shop). */
export function eastShopState(
  gns: Pick<DesiredGlobalNamespace, 'services'> & Partial<DesiredGlobalNamespace>,
): DesiredClusterState {
  return {
    clusterId: 'c-east',
    clusterName: 'east',
    globalNamespaces: [
      {
        id: 'g-shop',
        name: 'shop',
        domain: 'shop.lattice.local',
        mtlsMode: 'STRICT',
        localNamespaces: ['shop'],
        ...gns,
      },
    ],
  };
}

const MODELS = {
  ServiceEntry,
  DestinationRule,
  VirtualService,
  Gateway,
  PeerAuthentication,
  AuthorizationPolicy,
  Service,
};

/** Validates a rendered object against the Istio / Kubernetes schema of its kind. */
export function validateAgainstSchema(object: KubeObject): void {
  if (object.kind === 'Secret') return; // not an Istio kind; checked field by field in the CA tests
  const Model = MODELS[object.kind as keyof typeof MODELS];
  if (!Model) throw new Error(`unexpected kind ${object.kind}`);
  new Model(object as never).validate();
}
