export type { KubeObject } from './kube-object';
export { renderClusterState, type IntermediateKeys } from './render-cluster-state';
export { renderServiceEntry, resolutionFor } from './render-service-entry';
export {
  renderDestinationRule,
  autoPassthroughSni,
  FAILOVER_OUTLIER_DETECTION,
} from './render-destination-rule';
export { renderEastWestGateway, eastWestGatewayName } from './render-east-west-gateway';
export { renderPeerAuthentication, renderServicePeerAuthentication } from './render-peer-authentication';
export { renderVirtualService } from './render-virtual-service';
export { renderVersionService, versionServiceName, SUBSET_LABEL } from './render-version-service';
export { renderDefaultDeny, renderServiceAuthorization } from './render-authorization-policy';
export { renderGnsPolicies } from './render-policies';
export {
  previewPolicies,
  diffObjects,
  type ClusterPolicyPreview,
  type PolicyPreviewInput,
} from './policy-preview';
export {
  failoverOrder,
  failoverPriority,
  failoverLabels,
  FAILOVER_LABEL_PREFIX,
  type ClientCluster,
} from './failover';
export {
  renderCaSecret,
  renderMeshCaSecret,
  caSecretName,
  MESH_CA_SECRET_NAME,
  MESH_CA_GNS_ANNOTATION,
  ROOT_GENERATION_ANNOTATION,
} from './render-ca-secret';
export { objectKey, toYaml, compareObjects } from './manifest';
export { objectName, MAX_OBJECT_NAME_LENGTH } from './object-name';
export { RenderError } from './render-error';
export {
  ISTIO_CONFIG_NAMESPACE,
  MANAGED_BY_LABEL,
  MANAGED_BY_LATTICE,
  GNS_LABEL,
  CLUSTER_LABEL,
  ENDPOINT_CLUSTER_LABEL,
  ownershipLabels,
  managedObjectsSelector,
} from './ownership';
