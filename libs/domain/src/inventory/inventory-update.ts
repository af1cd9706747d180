import type { FieldError } from '../errors';
import type { ClusterInventory, InventoryNamespace, InventoryService } from '../gns/inventory';

/** An Inventory message from an agent: a full replacement or a delta. */
export interface InventoryUpdate {
  full: boolean;
  namespaces: readonly InventoryNamespace[];
  services: readonly InventoryService[];
  removedNamespaces: readonly string[];
  removedServices: readonly { namespace: string; name: string }[];
}

export const INVENTORY_LIMITS = {
  namespaces: 5_000,
  services: 20_000,
  portsPerService: 64,
  endpointGroupsPerService: 256,
  labels: 64,
};

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const PROTOCOLS = new Set([
  'HTTP',
  'HTTP2',
  'GRPC',
  'TCP',
  'TLS',
  'UDP',
  'SCTP',
  'HTTPS',
  'MONGO',
  'REDIS',
  'MYSQL',
  '',
]);

/** Checks what an agent sent before it is stored; every problem names the item. */
export function validateInventoryUpdate(update: InventoryUpdate): FieldError[] {
  const errors: FieldError[] = [];
  const push = (field: string, message: string) => errors.length < 20 && errors.push({ field, message });
  if (update.namespaces.length > INVENTORY_LIMITS.namespaces)
    push('namespaces', `more than ${INVENTORY_LIMITS.namespaces} namespaces`);
  if (update.services.length > INVENTORY_LIMITS.services)
    push('services', `more than ${INVENTORY_LIMITS.services} services`);
  update.namespaces.forEach((ns, i) => {
    if (!DNS_LABEL.test(ns.name))
      push(`namespaces[${i}].name`, `"${ns.name.slice(0, 80)}" is not a Kubernetes namespace name`);
    if (Object.keys(ns.labels).length > INVENTORY_LIMITS.labels)
      push(`namespaces[${i}].labels`, 'too many labels');
  });
  update.services.forEach((svc, i) => {
    if (!DNS_LABEL.test(svc.namespace))
      push(`services[${i}].namespace`, `"${svc.namespace.slice(0, 80)}" is not a Kubernetes namespace name`);
    if (!DNS_LABEL.test(svc.name))
      push(`services[${i}].name`, `"${svc.name.slice(0, 80)}" is not a Kubernetes service name`);
    if (svc.ports.length > INVENTORY_LIMITS.portsPerService) push(`services[${i}].ports`, 'too many ports');
    if (svc.endpointGroups.length > INVENTORY_LIMITS.endpointGroupsPerService)
      push(`services[${i}].endpointGroups`, 'too many endpoint groups');
    if (Object.keys(svc.labels).length > INVENTORY_LIMITS.labels)
      push(`services[${i}].labels`, 'too many labels');
    if (Object.keys(svc.selector ?? {}).length > INVENTORY_LIMITS.labels)
      push(`services[${i}].selector`, 'too many selector labels');
    svc.ports.forEach((port, j) => {
      if (!Number.isInteger(port.port) || port.port < 1 || port.port > 65535)
        push(`services[${i}].ports[${j}].port`, `${port.port} is not a port number`);
      if (port.targetPort < 0 || port.targetPort > 65535)
        push(`services[${i}].ports[${j}].targetPort`, `${port.targetPort} is not a port number`);
      if (!PROTOCOLS.has(port.protocol.toUpperCase()))
        push(`services[${i}].ports[${j}].protocol`, `unknown protocol "${port.protocol.slice(0, 20)}"`);
    });
  });
  update.removedNamespaces.forEach((name, i) => {
    if (!DNS_LABEL.test(name)) push(`removedNamespaces[${i}]`, 'is not a namespace name');
  });
  return errors;
}

const serviceKey = (s: { namespace: string; name: string }) => `${s.namespace}/${s.name}`;

/** The inventory after an update: a full one replaces, a delta upserts and removes (services of removed namespaces go too). */
export function applyInventoryUpdate(current: ClusterInventory, update: InventoryUpdate): ClusterInventory {
  if (update.full) {
    return {
      namespaces: sortByName(dedupe(update.namespaces, (n) => n.name)),
      services: sortServices(dedupe(update.services, serviceKey)),
    };
  }
  const namespaces = new Map(current.namespaces.map((ns) => [ns.name, ns]));
  const services = new Map(current.services.map((svc) => [serviceKey(svc), svc]));
  for (const name of update.removedNamespaces) {
    namespaces.delete(name);
    for (const [key, svc] of services) if (svc.namespace === name) services.delete(key);
  }
  for (const ref of update.removedServices) services.delete(serviceKey(ref));
  for (const ns of update.namespaces) namespaces.set(ns.name, ns);
  for (const svc of update.services) services.set(serviceKey(svc), svc);
  return { namespaces: sortByName([...namespaces.values()]), services: sortServices([...services.values()]) };
}

function dedupe<T>(items: readonly T[], key: (item: T) => string): T[] {
  return [...new Map(items.map((item) => [key(item), item])).values()];
}

function sortByName<T extends { name: string }>(items: T[]): T[] {
  return items.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function sortServices(items: InventoryService[]): InventoryService[] {
  return items.sort((a, b) => (serviceKey(a) < serviceKey(b) ? -1 : serviceKey(a) > serviceKey(b) ? 1 : 0));
}
