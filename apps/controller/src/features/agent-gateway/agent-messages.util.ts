import type { InventoryUpdate } from '@lattice/domain';
import type { Inventory__Output } from '@lattice/proto';

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
