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

/** The InventorySynced condition as a source sees it (Kubernetes condition fields). */
export interface InventorySyncState {
  status: 'True' | 'False' | 'Unknown';
  /** CamelCase, e.g. Synced, Syncing, Forbidden, ServerError, Timeout, Unreachable. */
  reason: string;
  message: string;
  /** When status last changed (ms since the epoch). */
  lastTransitionMs: number;
}

export type InventorySyncListener = (state: InventorySyncState) => void;

/**
 * Emits complete inventories (never deltas); the connection diffs consecutive ones. A source may
 * emit the same inventory twice; the diff makes that a no-op.
 */
export interface InventorySource {
  /**
   * Starts watching. Fails with a clear error when the source cannot work at all (no such file, an
   * unusable kubeconfig); a source that can recover (an API server that refuses or fails for a
   * while) resolves and reports through syncState until its first inventory is available.
   */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The latest good inventory, undefined before the first one. */
  current(): ClusterInventory | undefined;
  /** Returns a function that unsubscribes. */
  subscribe(listener: InventoryListener): () => void;
  /**
   * Sources that can fail after start (an API server) report their sync state; the agent sends it
   * to the controller as the InventorySynced condition. Sources without it report nothing.
   */
  syncState?(): InventorySyncState;
  subscribeSyncState?(listener: InventorySyncListener): () => void;
}

export function serviceKey(service: { namespace: string; name: string }): string {
  return `${service.namespace}/${service.name}`;
}
