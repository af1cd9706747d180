import { type InventoryUpdate, MESH_INSTALLATION_LIMITS, type MeshInstallation } from '@lattice/domain';
import type { Inventory__Output, MeshInstallation__Output } from '@lattice/proto';
import { boundAgentString } from './agent-strings.util';

/** An agent's Inventory message as the domain's InventoryUpdate (not yet validated). */
export function inventoryUpdateFromProto(inventory: Inventory__Output): InventoryUpdate {
  return {
    full: inventory.full,
    namespaces: inventory.namespaces.map((ns) => ({ name: ns.name, labels: ns.labels })),
    services: inventory.services.map((svc) => ({
      namespace: svc.namespace,
      name: svc.name,
      labels: svc.labels,
      ports: svc.ports.map((p) => ({
        name: p.name,
        port: p.port,
        protocol: p.protocol,
        targetPort: p.targetPort,
      })),
      endpointGroups: svc.endpointGroups.map((g) => ({
        labels: g.labels,
        ready: g.ready,
        notReady: g.notReady,
      })),
      selector: svc.selector,
    })),
    removedNamespaces: inventory.removedNamespaces,
    removedServices: inventory.removedServices.map((ref) => ({ namespace: ref.namespace, name: ref.name })),
  };
}

/**
 * An agent's MeshInstallation message as the domain's MeshInstallation (not yet validated): every
 * string bounded (an over-long one keeps a marker the validation refuses, naming the field), every
 * list cut one past its limit so the validation still sees that it was too long.
 */
export function meshInstallationFromProto(mesh: MeshInstallation__Output): MeshInstallation {
  const L = MESH_INSTALLATION_LIMITS;
  const name = (value: string) => boundAgentString(value, L.name);
  const short = (value: string) => boundAgentString(value, L.short);
  const gateway = mesh.eastWestGateway;
  return {
    meshConfigFound: mesh.meshConfigFound,
    meshConfigName: name(mesh.meshConfigName),
    trustDomain: name(mesh.trustDomain),
    trustDomainAliases: mesh.trustDomainAliases.slice(0, L.aliases + 1).map(name),
    dnsCapture: mesh.dnsCapture,
    dnsAutoAllocate: mesh.dnsAutoAllocate,
    network: short(mesh.network),
    eastWestGateway: gateway
      ? {
          namespace: name(gateway.namespace),
          name: name(gateway.name),
          addresses: gateway.addresses.slice(0, L.addresses + 1).map(name),
          ports: gateway.ports.slice(0, L.ports + 1).map(Number),
          selector: short(gateway.selector),
        }
      : null,
    passthroughGateways: mesh.passthroughGatewaysRead
      ? mesh.passthroughGateways.slice(0, L.passthroughGateways + 1).map((gateway) => ({
          namespace: name(gateway.namespace),
          name: name(gateway.name),
          selector: boundLabels(gateway.selector, L.selectorLabels + 1),
          hosts: gateway.hosts
            .slice(0, L.gatewayHosts + 1)
            .map((host) => boundAgentString(host, L.gatewayHost)),
        }))
      : null,
    istioVersion: short(mesh.istioVersion),
    revision: short(mesh.revision),
    localities: mesh.localities.slice(0, L.localities + 1).map((locality) => ({
      region: short(locality.region),
      zone: short(locality.zone),
      nodes: Number(locality.nodes),
    })),
    problems: mesh.problems.slice(0, L.problems + 1).map((problem) => boundAgentString(problem, L.problem)),
    source: short(mesh.source),
  };
}

/** A label map an agent sent: at most `maxEntries` entries, keys and values bounded (validated later). */
function boundLabels(labels: Record<string, string>, maxEntries: number): Record<string, string> {
  const L = MESH_INSTALLATION_LIMITS;
  return Object.fromEntries(
    Object.entries(labels)
      .slice(0, maxEntries)
      .map(([key, value]) => [boundAgentString(key, L.gatewayHost), boundAgentString(value, L.short)]),
  );
}
