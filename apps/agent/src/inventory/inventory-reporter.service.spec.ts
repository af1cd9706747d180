import { InventoryReporter } from './inventory-reporter.service';
import type { ClusterInventory } from './inventory-source.port';

const shop: ClusterInventory = {
  namespaces: [{ name: 'shop', labels: {} }],
  services: [{ namespace: 'shop', name: 'cart', labels: {}, ports: [], endpointGroups: [] }],
};
const withSearch: ClusterInventory = {
  namespaces: [...shop.namespaces, { name: 'search', labels: {} }],
  services: [{ namespace: 'search', name: 'query', labels: {}, ports: [], endpointGroups: [] }],
};

describe('InventoryReporter', () => {
  it('reports the full inventory first, then deltas, each with the next revision', () => {
    const reporter = new InventoryReporter(1000);
    expect(reporter.revision).toBe(1000);
    expect(reporter.report(shop)).toEqual({ full: true, ...shop, revision: 1001 });
    expect(reporter.report(withSearch)).toEqual({
      full: false,
      namespaces: [{ name: 'search', labels: {} }],
      services: [{ namespace: 'search', name: 'query', labels: {}, ports: [], endpointGroups: [] }],
      removedNamespaces: [],
      removedServices: [{ namespace: 'shop', name: 'cart' }],
      revision: 1002,
    });
    expect(reporter.revision).toBe(1002);
  });

  it('reports nothing, and keeps its revision, when nothing changed', () => {
    const reporter = new InventoryReporter(7);
    reporter.report(shop);
    expect(reporter.report({ ...shop })).toBeUndefined();
    expect(reporter.revision).toBe(8);
  });

  it('reports the full inventory again on a new stream, with a higher revision', () => {
    const reporter = new InventoryReporter(0);
    reporter.report(shop);
    reporter.report(withSearch);
    reporter.streamStarted();
    expect(reporter.report(withSearch)).toEqual({ full: true, ...withSearch, revision: 3 });
  });
});
