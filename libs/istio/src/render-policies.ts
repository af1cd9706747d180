import type { DesiredGlobalNamespace, DesiredGnsService, DesiredTrafficPolicy } from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { renderDefaultDeny, renderServiceAuthorization } from './render-authorization-policy';
import { renderServicePeerAuthentication } from './render-peer-authentication';
import { renderVirtualService } from './render-virtual-service';

export function trafficPolicyOf(
  gns: DesiredGlobalNamespace,
  service: string,
): DesiredTrafficPolicy | undefined {
  return gns.trafficPolicies?.find((policy) => policy.service === service);
}

/** Whether the GNS host of the service is published here (renderClusterState skips the others). */
function isPublished(service: DesiredGnsService): boolean {
  return service.endpoints.length > 0 && service.ports.length > 0;
}

/**
 * The policy objects of one GNS in this cluster: VirtualServices for published services with
 * routes (client side, in the config namespace), and on the server side, in each namespace where
 * a service runs here, its PeerAuthentication override and AuthorizationPolicies, plus the
 * namespace-wide allow-nothing policy when the GNS default is DENY. The subsets, connection pool,
 * outlier detection and failover go into the service's DestinationRule (renderDestinationRule).
 */
export function renderGnsPolicies(
  gns: DesiredGlobalNamespace,
  labels: () => Record<string, string>,
): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const service of gns.services) {
    const policy = trafficPolicyOf(gns, service.name);
    if (!policy || !isPublished(service)) continue;
    const virtualService = renderVirtualService(gns, service, policy, labels());
    if (virtualService) objects.push(virtualService);
  }

  const security = gns.securityPolicy;
  if (!security) return objects;
  if (security.defaultAction === 'DENY')
    for (const namespace of gns.localNamespaces) objects.push(renderDefaultDeny(gns, namespace, labels()));
  for (const entry of security.services) {
    for (const namespace of localNamespacesOf(gns, entry.service)) {
      if (entry.mtlsMode !== undefined && entry.mtlsMode !== gns.mtlsMode)
        objects.push(
          renderServicePeerAuthentication(
            gns,
            entry.service,
            entry.mtlsMode,
            entry.workloadLabels,
            namespace,
            labels(),
          ),
        );
      for (const action of ['ALLOW', 'DENY'] as const) {
        const policy = renderServiceAuthorization(gns, security, entry.service, action, namespace, labels());
        if (policy) objects.push(policy);
      }
    }
  }
  return objects;
}

/** Namespaces of this cluster where the service's workloads run: where server-side policies go. */
function localNamespacesOf(gns: DesiredGlobalNamespace, service: string): string[] {
  const found = gns.services.find((candidate) => candidate.name === service);
  return [
    ...new Set(
      (found?.endpoints ?? [])
        .filter((endpoint) => endpoint.kind === 'LOCAL' && gns.localNamespaces.includes(endpoint.namespace))
        .map((endpoint) => endpoint.namespace),
    ),
  ].sort();
}
