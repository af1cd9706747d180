import type { MeshInstallation } from '@lattice/domain';
import type { MeshInstallation as MeshInstallationMessage } from '@lattice/proto';

/** The installation as the AgentMessage `mesh` field (field 9) carries it. */
export function meshInstallationMessage(installation: MeshInstallation): MeshInstallationMessage {
  const gateway = installation.eastWestGateway;
  return {
    meshConfigFound: installation.meshConfigFound,
    meshConfigName: installation.meshConfigName,
    trustDomain: installation.trustDomain,
    trustDomainAliases: installation.trustDomainAliases,
    dnsCapture: installation.dnsCapture,
    dnsAutoAllocate: installation.dnsAutoAllocate,
    network: installation.network,
    eastWestGateway: gateway
      ? {
          namespace: gateway.namespace,
          name: gateway.name,
          addresses: gateway.addresses,
          ports: gateway.ports,
          selector: gateway.selector,
        }
      : undefined,
    passthroughGateways: installation.passthroughGateways ?? [],
    passthroughGatewaysRead: installation.passthroughGateways !== null,
    istioVersion: installation.istioVersion,
    revision: installation.revision,
    localities: installation.localities,
    problems: installation.problems,
    source: installation.source,
  };
}
