// Builders for the gns specs (not exported from the library).
import type {
  ClusterWithInventory,
  GlobalNamespaceDefinition,
  InventoryService,
  InventoryServicePort,
} from './inventory';
import type { MatchCondition } from './match-conditions';

export function gns(
  overrides: Partial<GlobalNamespaceDefinition> & Pick<GlobalNamespaceDefinition, 'id' | 'name'>,
): GlobalNamespaceDefinition {
  return {
    domain: `${overrides.name}.lattice.local`,
    mtlsMode: 'STRICT',
    matchConditions: [],
    createdAt: new Date('2024-01-01T00:00:00Z'),
    ...overrides,
  };
}

export function anyCluster(namespace: MatchCondition['namespace']): MatchCondition {
  return { cluster: { type: 'REGEX', value: '.*' }, namespace };
}

export function http(port: number, name = 'http'): InventoryServicePort {
  return { name, port, protocol: 'HTTP', targetPort: port + 8000 };
}

export function service(
  namespace: string,
  name: string,
  ports: InventoryServicePort[] = [http(80)],
  ready = 1,
): InventoryService {
  return {
    namespace,
    name,
    labels: { app: name },
    ports,
    endpointGroups: [{ labels: { version: 'v1' }, ready, notReady: 0 }],
  };
}

export function cluster(
  id: string,
  name: string,
  services: InventoryService[],
  options: {
    eastWestAddress?: string | null;
    extraNamespaces?: string[];
    network?: string | null;
    locality?: ClusterWithInventory['locality'];
  } = {},
): ClusterWithInventory {
  const namespaces = [
    ...new Set([...services.map((svc) => svc.namespace), ...(options.extraNamespaces ?? [])]),
  ];
  return {
    id,
    name,
    eastWestAddress:
      options.eastWestAddress === undefined ? `${name}.gw.example.com` : options.eastWestAddress,
    network: options.network ?? null,
    locality: options.locality ?? null,
    inventory: { namespaces: namespaces.map((ns) => ({ name: ns, labels: {} })), services },
  };
}
