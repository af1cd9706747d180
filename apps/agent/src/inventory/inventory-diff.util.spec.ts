import type { ClusterInventory, InventoryService } from './inventory-source.port';
import { diffInventory, isEmptyDelta } from './inventory-diff.util';

function service(
  namespace: string,
  name: string,
  overrides: Partial<InventoryService> = {},
): InventoryService {
  return {
    namespace,
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 }],
    endpointGroups: [{ labels: { version: 'v1' }, ready: 2, notReady: 0 }],
    ...overrides,
  };
}

const base: ClusterInventory = {
  namespaces: [
    { name: 'shop', labels: { team: 'a' } },
    { name: 'payments', labels: {} },
  ],
  services: [service('shop', 'cart'), service('shop', 'web'), service('payments', 'api')],
};

describe('diffInventory', () => {
  it('is empty for identical inventories, whatever the key order of labels', () => {
    const reordered: ClusterInventory = {
      namespaces: [...base.namespaces].reverse(),
      services: base.services.map((s) => ({ ...s, labels: { ...s.labels } })).reverse(),
    };
    const delta = diffInventory(base, reordered);
    expect(isEmptyDelta(delta)).toBe(true);
  });

  it('upserts everything when starting from nothing', () => {
    const delta = diffInventory({ namespaces: [], services: [] }, base);
    expect(delta.upsertedNamespaces.map((n) => n.name)).toEqual(['payments', 'shop']);
    expect(delta.upsertedServices.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      'payments/api',
      'shop/cart',
      'shop/web',
    ]);
    expect(delta.removedNamespaces).toEqual([]);
    expect(delta.removedServices).toEqual([]);
  });

  it('reports changed, added and removed entries only', () => {
    const next: ClusterInventory = {
      namespaces: [
        { name: 'shop', labels: { team: 'b' } },
        { name: 'search', labels: {} },
      ],
      services: [
        service('shop', 'cart', { endpointGroups: [{ labels: { version: 'v1' }, ready: 1, notReady: 1 }] }),
        service('shop', 'web'),
        service('search', 'query'),
      ],
    };
    const delta = diffInventory(base, next);
    expect(delta.upsertedNamespaces).toEqual([
      { name: 'search', labels: {} },
      { name: 'shop', labels: { team: 'b' } },
    ]);
    expect(delta.upsertedServices.map((s) => `${s.namespace}/${s.name}`)).toEqual([
      'search/query',
      'shop/cart',
    ]);
    expect(delta.removedNamespaces).toEqual(['payments']);
    expect(delta.removedServices).toEqual([{ namespace: 'payments', name: 'api' }]);
    expect(isEmptyDelta(delta)).toBe(false);
  });

  it('treats a reordered port list as a change (port order is part of the service)', () => {
    const twoPorts = service('shop', 'web', {
      ports: [
        { name: 'http', port: 80, protocol: 'HTTP', targetPort: 8080 },
        { name: 'grpc', port: 90, protocol: 'GRPC', targetPort: 9090 },
      ],
    });
    const swapped = { ...twoPorts, ports: [...twoPorts.ports].reverse() };
    const delta = diffInventory(
      { namespaces: [], services: [twoPorts] },
      { namespaces: [], services: [swapped] },
    );
    expect(delta.upsertedServices).toEqual([swapped]);
  });
});
