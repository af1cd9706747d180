/** What the agent knows about its cluster: the namespaces and services it reports to the controller. */
export interface InventoryNamespace {
  name: string;
  labels: Record<string, string>;
}

export interface InventoryServicePort {
  name: string;
  port: number;
  /** HTTP, HTTP2, GRPC, TCP or TLS */
  protocol: string;
  targetPort: number;
}

export interface InventoryEndpointGroup {
  labels: Record<string, string>;
  ready: number;
  notReady: number;
}

export interface InventoryService {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  ports: InventoryServicePort[];
  endpointGroups: InventoryEndpointGroup[];
  /** The Service's pod selector (spec.selector); absent or empty when it has none. */
  selector?: Record<string, string>;
}

export interface ClusterInventory {
  namespaces: InventoryNamespace[];
  services: InventoryService[];
}

export type InventoryListener = (inventory: ClusterInventory) => void;

/**
 * Emits complete inventories (never deltas); the connection diffs consecutive ones. A source may
 * emit the same inventory twice; the diff makes that a no-op.
 */
export interface InventorySource {
  /** Starts watching; resolves once the first inventory is available (or fails with a clear error). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The latest good inventory, undefined before the first one. */
  current(): ClusterInventory | undefined;
  /** Returns a function that unsubscribes. */
  subscribe(listener: InventoryListener): () => void;
}

export function serviceKey(service: { namespace: string; name: string }): string {
  return `${service.namespace}/${service.name}`;
}
