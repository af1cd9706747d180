// Builders for the policy specs (not exported from the library).
import { buildDesiredStates } from '../gns/desired-states';
import type { ClusterWithInventory, InventoryService } from '../gns/inventory';
import { computeMembership } from '../gns/membership';
import { anyCluster, cluster, gns, http } from '../gns/test-fixtures';
import { gnsPolicyContext, type GnsPolicyContext } from './policy-context';

export function versioned(namespace: string, name: string, versions: string[]): InventoryService {
  return {
    namespace,
    name,
    labels: { app: name },
    ports: [http(80)],
    endpointGroups: versions.map((version) => ({ labels: { app: name, version }, ready: 1, notReady: 0 })),
    selector: { app: name },
  };
}

/** GNS "shop" over namespace shop: cart v1 in east, cart v2 in west, reviews v1+v2 in east, payments in west. */
export function shopMesh(): { clusters: ClusterWithInventory[]; definition: ReturnType<typeof gns> } {
  const clusters = [
    cluster(
      'c-east',
      'east',
      [versioned('shop', 'cart', ['v1']), versioned('shop', 'reviews', ['v1', 'v2'])],
      {
        eastWestAddress: '203.0.113.10',
      },
    ),
    cluster('c-west', 'west', [versioned('shop', 'cart', ['v2']), versioned('shop', 'payments', ['v1'])], {
      eastWestAddress: '203.0.113.20',
    }),
    cluster('c-other', 'other', [versioned('ops', 'grafana', ['v1'])]),
  ];
  const definition = gns({
    id: 'g-shop',
    name: 'shop',
    matchConditions: [anyCluster({ type: 'EXACT', value: 'shop' })],
  });
  return { clusters, definition };
}

export function shopContext(): GnsPolicyContext {
  const { clusters, definition } = shopMesh();
  const membership = computeMembership([definition], clusters);
  return gnsPolicyContext(membership.globalNamespaces[0], clusters);
}

export function shopStates() {
  const { clusters, definition } = shopMesh();
  const membership = computeMembership([definition], clusters);
  return { membership, clusters, states: buildDesiredStates(membership, clusters) };
}
