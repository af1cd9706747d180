export type { KubeObject } from './kube-object';
export { renderClusterState, type IntermediateKeys } from './render-cluster-state';
export { renderServiceEntry, resolutionFor } from './render-service-entry';
export { renderDestinationRule, autoPassthroughSni } from './render-destination-rule';
export { renderPeerAuthentication } from './render-peer-authentication';
export { renderCaSecret, caSecretName, ROOT_GENERATION_ANNOTATION } from './render-ca-secret';
export { objectKey, toYaml, compareObjects } from './manifest';
export { objectName, MAX_OBJECT_NAME_LENGTH } from './object-name';
export { RenderError } from './render-error';
export {
  ISTIO_CONFIG_NAMESPACE,
  MANAGED_BY_LABEL,
  MANAGED_BY_LATTICE,
  GNS_LABEL,
  CLUSTER_LABEL,
  ISTIO_CLUSTER_LABEL,
  ownershipLabels,
  managedObjectsSelector,
} from './ownership';
