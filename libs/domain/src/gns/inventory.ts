import type { ClusterLocality, DesiredEastWestGateway } from '../desired-state';
import type { MtlsMode } from '../mtls-mode';
import type { MatchCondition } from './match-conditions';

/** A GNS as stored: what membership and desired state are computed from. */
export interface GlobalNamespaceDefinition {
  id: string;
  name: string;
  domain: string;
  mtlsMode: MtlsMode;
  matchConditions: readonly MatchCondition[];
  /** Decides which GNS keeps a contested namespace (the older one); ties broken by id. */
  createdAt: Date;
}

/** The inventory an agent reports (libs/proto Inventory), in camelCase. */
export interface ClusterInventory {
  namespaces: readonly InventoryNamespace[];
  services: readonly InventoryService[];
}

export interface InventoryNamespace {
  name: string;
  labels: Readonly<Record<string, string>>;
}

export interface InventoryService {
  namespace: string;
  name: string;
  labels: Readonly<Record<string, string>>;
  ports: readonly InventoryServicePort[];
  endpointGroups: readonly InventoryEndpointGroup[];
  /** The Service's pod selector; absent or empty when it has none (or an older agent did not say). */
  selector?: Readonly<Record<string, string>>;
}

export interface InventoryServicePort {
  name: string;
  port: number;
  /** HTTP, HTTP2, GRPC, TCP, TLS (as the agent reports it). */
  protocol: string;
  targetPort: number;
}

export interface InventoryEndpointGroup {
  labels: Readonly<Record<string, string>>;
  ready: number;
  notReady: number;
}

/** A cluster of the tenant as far as DNS and routing need it. */
export interface ClusterIdentity {
  id: string;
  name: string;
  /** Address (IP or hostname) of the cluster's east-west gateway; null until known. */
  eastWestAddress: string | null;
  /** Registered with the take-over option: the agent may replace a `cacerts` Lattice did not create. */
  takeOverMeshCa?: boolean;
  /** The cluster's network (`topology.istio.io/network`); null when unknown. */
  network: string | null;
  /** Region and zone of the cluster's nodes; null when unknown. */
  locality: ClusterLocality | null;
  /** How the cluster's east-west Gateway is had; absent means Lattice renders it with the default selector. */
  eastWestGateway?: DesiredEastWestGateway;
  /**
   * What was registered, before the agent-reported facts fill the gaps (`network`, `eastWestAddress`
   * above are the effective ones); absent where only the effective facts are known.
   */
  registered?: { network: string | null; eastWestAddress: string | null };
}

export interface ClusterWithInventory extends ClusterIdentity {
  inventory: ClusterInventory;
}
