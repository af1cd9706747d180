import type { DesiredClusterState, DesiredGlobalNamespace } from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { failoverOrder } from './failover';
import { compareObjects, objectKey } from './manifest';
import { ownershipLabels } from './ownership';
import { renderCaSecret, renderMeshCaSecret } from './render-ca-secret';
import { renderDestinationRule } from './render-destination-rule';
import { renderEastWestGateway } from './render-east-west-gateway';
import { renderGnsPolicies, trafficPolicyOf } from './render-policies';
import { RenderError } from './render-error';
import { renderPeerAuthentication } from './render-peer-authentication';
import { renderServiceEntry } from './render-service-entry';
import { hasVersionService, renderVersionService } from './render-version-service';

/** Private keys of this cluster's intermediates, by GNS id (they never leave the cluster). */
export type IntermediateKeys = ReadonlyMap<string, string>;

/**
 * Everything one cluster should hold for its desired state, in apply order. An empty state gives
 * an empty list: the agent then prunes every object labelled as Lattice's.
 * Throws RenderError when the state cannot be rendered (the agent NACKs with its message).
 */
export function renderClusterState(state: DesiredClusterState, keys: IntermediateKeys): KubeObject[] {
  const objects = state.globalNamespaces.flatMap((gns) => renderGlobalNamespace(state, gns, keys));
  const meshCa = renderClusterMeshCa(state, keys);
  if (meshCa) objects.push(meshCa);
  const seen = new Set<string>();
  for (const object of objects) {
    const key = objectKey(object);
    if (seen.has(key))
      throw new RenderError(`two rendered objects are both ${key}; the desired state lists something twice`);
    seen.add(key);
  }
  return objects.sort(compareObjects);
}

function renderGlobalNamespace(
  state: DesiredClusterState,
  gns: DesiredGlobalNamespace,
  keys: IntermediateKeys,
): KubeObject[] {
  // Each object gets its own label map so a consumer mutating one cannot change the others.
  const labels = (): Record<string, string> => ownershipLabels(gns.id, state.clusterId);
  const objects: KubeObject[] = gns.localNamespaces.map((namespace) =>
    renderPeerAuthentication(gns, namespace, labels()),
  );
  for (const service of gns.services) {
    // Without endpoints a DNS ServiceEntry would resolve its own GNS host: publish nothing instead.
    if (service.endpoints.length === 0 || service.ports.length === 0) continue;
    const policy = trafficPolicyOf(gns, service.name);
    const failover = failoverOrder(
      { clusterName: state.clusterName, ...(state.locality ? { locality: state.locality } : {}) },
      service,
      policy,
    );
    objects.push(
      renderServiceEntry(gns, service, labels(), failover),
      renderDestinationRule(gns, service, labels(), policy, failover),
    );
    for (const endpoint of service.endpoints)
      if (hasVersionService(endpoint)) objects.push(renderVersionService(gns, service, endpoint, labels()));
  }
  objects.push(...renderGnsPolicies(gns, labels));
  if (gns.eastWestGateway?.managed) objects.push(renderEastWestGateway(gns, gns.eastWestGateway, labels()));
  // Without this cluster's intermediate key there is nothing istiod could sign with: the Secret
  // waits until the agent has generated a key and its CSR has been signed.
  const key = keys.get(gns.id);
  if (gns.ca !== undefined && key !== undefined && key.trim() !== '')
    objects.push(renderCaSecret(gns, gns.ca, key, labels()));
  return objects;
}

/** istiod's `cacerts` from the designated GNS (DesiredMeshCa), once its intermediate key is here. */
function renderClusterMeshCa(state: DesiredClusterState, keys: IntermediateKeys): KubeObject | undefined {
  if (!state.meshCa) return undefined;
  const gns = state.globalNamespaces.find((candidate) => candidate.id === state.meshCa?.gnsId);
  if (!gns?.ca)
    throw new RenderError(`the mesh CA names GNS ${state.meshCa.gnsId}, which has no CA material here`);
  const key = keys.get(gns.id);
  if (key === undefined || key.trim() === '') return undefined;
  return renderMeshCaSecret(
    gns,
    gns.ca,
    state.meshCa.trustBundlePem,
    key,
    ownershipLabels(gns.id, state.clusterId),
  );
}
