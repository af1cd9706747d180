import {
  type ClusterInventory,
  deriveSeed,
  type InventoryService,
  SeededRandom,
  type SyntheticEdge,
} from '@lattice/agent';

/**
 * Synthetic clusters for the fleet simulator: every cluster runs a bookinfo-like application in
 * namespace `bookinfo` (productpage -> details, reviews -> ratings), optionally with extra services
 * spread over extra namespaces. Clusters differ deterministically by index (which reviews versions
 * run there, replica counts, a zone label, traffic rates), but a service always has the same ports
 * everywhere, so a Global Namespace spanning the fleet has no port conflicts.
 */
export interface InventoryShape {
  /** Services per cluster, bookinfo's 4 included (>= 4). */
  services: number;
  /** Namespaces the services beyond bookinfo's spread over (`app-1`, `app-2`, ...; >= 1). */
  extraNamespaces: number;
  /** Seed of the per-cluster variation. */
  seed: number;
}

export interface TrafficShape {
  /** Mean requests per second per edge; each cluster varies it by up to ±50 %. */
  requestsPerSecond: number;
  seed: number;
}

export const BOOKINFO_NAMESPACE = 'bookinfo';
export const BOOKINFO_SERVICES = ['productpage', 'details', 'reviews', 'ratings'] as const;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
const REVIEW_VERSIONS = ['v1', 'v2', 'v3'];

export function clusterName(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(5, '0')}`;
}

function extraService(ordinal: number, shape: InventoryShape): { namespace: string; name: string } {
  return { namespace: `app-${(ordinal % shape.extraNamespaces) + 1}`, name: `svc-${ordinal + 1}` };
}

/** The inventory of cluster `index` (0-based). Deterministic for (index, shape). */
export function syntheticInventory(index: number, shape: InventoryShape): ClusterInventory {
  const random = new SeededRandom(deriveSeed(shape.seed, 'inventory', index));
  const zone = ZONES[index % ZONES.length] as string;
  const replicas = (): number => 1 + Math.floor(random.next() * 3);
  const service = (namespace: string, name: string, versions: string[]): InventoryService => ({
    namespace,
    name,
    labels: { app: name },
    ports: [{ name: 'http', port: 9080, protocol: 'HTTP', targetPort: 9080 }],
    endpointGroups: versions.map((version) => ({
      labels: { app: name, version },
      ready: replicas(),
      notReady: 0,
    })),
  });
  // Each cluster runs one to three of the reviews versions, starting at a cluster-dependent one.
  const reviewCount = 1 + (index % REVIEW_VERSIONS.length);
  const reviewVersions = REVIEW_VERSIONS.map((_, i) => REVIEW_VERSIONS[(index + i) % 3] as string)
    .slice(0, reviewCount)
    .sort();
  const services: InventoryService[] = [
    service(BOOKINFO_NAMESPACE, 'productpage', ['v1']),
    service(BOOKINFO_NAMESPACE, 'details', ['v1']),
    service(BOOKINFO_NAMESPACE, 'reviews', reviewVersions),
    service(BOOKINFO_NAMESPACE, 'ratings', ['v1']),
  ];
  const extras = shape.services - BOOKINFO_SERVICES.length;
  const namespaces = new Set<string>([BOOKINFO_NAMESPACE]);
  for (let ordinal = 0; ordinal < extras; ordinal++) {
    const { namespace, name } = extraService(ordinal, shape);
    namespaces.add(namespace);
    services.push(service(namespace, name, ['v1']));
  }
  return {
    namespaces: [...namespaces]
      .sort()
      .map((name) => ({ name, labels: { zone, 'lattice.io/simulated': 'true' } })),
    services,
  };
}

/**
 * The traffic cluster `index` observes: productpage calls details and reviews, reviews calls
 * ratings, and productpage calls every extra service. Rates, error ratios and latencies vary by
 * cluster.
 */
export function syntheticEdges(
  index: number,
  inventory: InventoryShape,
  traffic: TrafficShape,
): SyntheticEdge[] {
  const random = new SeededRandom(deriveSeed(traffic.seed, 'traffic', index));
  const ref = (namespace: string, service: string) => ({ namespace, service });
  const edge = (
    source: { namespace: string; service: string },
    destination: { namespace: string; service: string },
  ): SyntheticEdge => {
    const p50Ms = 5 + Math.round(random.next() * 15);
    return {
      source,
      destination,
      requestsPerSecond: round(traffic.requestsPerSecond * (0.5 + random.next())),
      errorRatio: round(random.next() * 0.01),
      latency: { distribution: 'lognormal', p50Ms, p99Ms: p50Ms * 5 },
    };
  };
  const productpage = ref(BOOKINFO_NAMESPACE, 'productpage');
  const edges = [
    edge(productpage, ref(BOOKINFO_NAMESPACE, 'details')),
    edge(productpage, ref(BOOKINFO_NAMESPACE, 'reviews')),
    edge(ref(BOOKINFO_NAMESPACE, 'reviews'), ref(BOOKINFO_NAMESPACE, 'ratings')),
  ];
  for (let ordinal = 0; ordinal < inventory.services - BOOKINFO_SERVICES.length; ordinal++) {
    const { namespace, name } = extraService(ordinal, inventory);
    edges.push(edge(productpage, ref(namespace, name)));
  }
  return edges;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
