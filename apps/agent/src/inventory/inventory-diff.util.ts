import { canonicalJson } from './canonical-json.util';
import {
  type ClusterInventory,
  type InventoryNamespace,
  type InventoryService,
  serviceKey,
} from './inventory-source.port';

export interface InventoryDelta {
  upsertedNamespaces: InventoryNamespace[];
  upsertedServices: InventoryService[];
  removedNamespaces: string[];
  removedServices: Array<{ namespace: string; name: string }>;
}

/** What changed from `previous` to `next`: new or changed entries are upserted, missing ones removed. */
export function diffInventory(previous: ClusterInventory, next: ClusterInventory): InventoryDelta {
  const previousNamespaces = indexBy(previous.namespaces, (namespace) => namespace.name);
  const nextNamespaces = indexBy(next.namespaces, (namespace) => namespace.name);
  const previousServices = indexBy(previous.services, serviceKey);
  const nextServices = indexBy(next.services, serviceKey);

  return {
    upsertedNamespaces: changedEntries(previousNamespaces, nextNamespaces),
    upsertedServices: changedEntries(previousServices, nextServices),
    removedNamespaces: [...previousNamespaces.keys()].filter((name) => !nextNamespaces.has(name)).sort(),
    removedServices: [...previousServices.entries()]
      .filter(([key]) => !nextServices.has(key))
      .map(([, service]) => ({ namespace: service.namespace, name: service.name }))
      .sort((a, b) => serviceKey(a).localeCompare(serviceKey(b))),
  };
}

export function isEmptyDelta(delta: InventoryDelta): boolean {
  return (
    delta.upsertedNamespaces.length === 0 &&
    delta.upsertedServices.length === 0 &&
    delta.removedNamespaces.length === 0 &&
    delta.removedServices.length === 0
  );
}

function indexBy<T>(items: T[], key: (item: T) => string): Map<string, T> {
  return new Map(items.map((item) => [key(item), item]));
}

function changedEntries<T>(previous: Map<string, T>, next: Map<string, T>): T[] {
  const changed: T[] = [];
  for (const [key, item] of [...next.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const before = previous.get(key);
    if (before === undefined || canonicalJson(before) !== canonicalJson(item)) changed.push(item);
  }
  return changed;
}
