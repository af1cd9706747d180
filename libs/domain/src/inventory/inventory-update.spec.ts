import type { InventoryService } from '../gns/inventory';
import { applyInventoryUpdate, validateInventoryUpdate, type InventoryUpdate } from './inventory-update';

const service = (namespace: string, name: string, port = 8080): InventoryService => ({
  namespace,
  name,
  labels: {},
  ports: [{ name: 'http', port, protocol: 'HTTP', targetPort: port }],
  endpointGroups: [{ labels: { version: 'v1' }, ready: 1, notReady: 0 }],
});
const update = (partial: Partial<InventoryUpdate>): InventoryUpdate => ({
  full: false,
  namespaces: [],
  services: [],
  removedNamespaces: [],
  removedServices: [],
  ...partial,
});

describe('applyInventoryUpdate', () => {
  const base = applyInventoryUpdate(
    { namespaces: [], services: [] },
    update({
      full: true,
      namespaces: [
        { name: 'shop', labels: {} },
        { name: 'pay', labels: {} },
      ],
      services: [service('shop', 'cart'), service('pay', 'card')],
    }),
  );

  it('replaces everything with a full inventory', () => {
    const replaced = applyInventoryUpdate(
      base,
      update({ full: true, namespaces: [{ name: 'x', labels: {} }] }),
    );
    expect(replaced).toEqual({ namespaces: [{ name: 'x', labels: {} }], services: [] });
  });

  it('upserts and removes with a delta, dropping the services of a removed namespace', () => {
    const next = applyInventoryUpdate(
      base,
      update({
        services: [service('shop', 'cart', 9090), service('shop', 'web')],
        removedNamespaces: ['pay'],
      }),
    );
    expect(next.namespaces.map((n) => n.name)).toEqual(['shop']);
    expect(next.services.map((s) => `${s.namespace}/${s.name}:${s.ports[0]!.port}`)).toEqual([
      'shop/cart:9090',
      'shop/web:8080',
    ]);
    const removed = applyInventoryUpdate(
      next,
      update({ removedServices: [{ namespace: 'shop', name: 'web' }] }),
    );
    expect(removed.services.map((s) => s.name)).toEqual(['cart']);
  });

  it('is deterministic whatever order the agent lists things in', () => {
    const a = applyInventoryUpdate(
      base,
      update({ full: true, services: [service('b', 'x'), service('a', 'y')] }),
    );
    const b = applyInventoryUpdate(
      base,
      update({ full: true, services: [service('a', 'y'), service('b', 'x')] }),
    );
    expect(a).toEqual(b);
  });
});

describe('validateInventoryUpdate', () => {
  it('accepts a well-formed update', () => {
    expect(
      validateInventoryUpdate(
        update({ namespaces: [{ name: 'shop', labels: {} }], services: [service('shop', 'cart')] }),
      ),
    ).toEqual([]);
  });

  it('names each malformed item', () => {
    const bad = service('Shop', 'cart_1', 70000);
    const errors = validateInventoryUpdate(update({ services: [bad], removedNamespaces: ['../etc'] }));
    expect(errors.map((e) => e.field)).toEqual([
      'services[0].namespace',
      'services[0].name',
      'services[0].ports[0].port',
      'services[0].ports[0].targetPort',
      'removedNamespaces[0]',
    ]);
    const selector = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, 'v']));
    expect(validateInventoryUpdate(update({ services: [{ ...service('shop', 'cart'), selector }] }))).toEqual(
      [{ field: 'services[0].selector', message: 'too many selector labels' }],
    );
  });
});
