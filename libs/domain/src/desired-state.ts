import type { DesiredAutoscalingPolicy } from './autoscaling/desired-autoscaling-policy';
import type { MtlsMode } from './mtls-mode';
import type { DesiredSecurityPolicy, DesiredTrafficPolicy } from './policies/desired-policy';

export type { MtlsMode } from './mtls-mode';

/**
 * The complete desired state for one cluster, as the controller computes it and the agent renders
 * it. Carried in Snapshot.payload as JSON (format SNAPSHOT_FORMAT in libs/proto). Additive changes
 * only: an agent ignores fields it does not know.
 */
export interface DesiredClusterState {
  clusterId: string;
  clusterName: string;
  globalNamespaces: DesiredGlobalNamespace[];
  /** What the cluster's own mesh CA (istiod's `cacerts`) uses; absent until an intermediate is signed. */
  meshCa?: DesiredMeshCa;
  /**
   * The cluster was registered with `takeOverMeshCa`: the agent may overwrite an `istio-system/cacerts`
   * that Lattice did not create. Absent (older controllers) means false: such a Secret is left alone.
   */
  takeOverMeshCa?: boolean;
  /**
   * This cluster's network (`topology.istio.io/network`); absent when unknown (and from older
   * controllers). Local endpoints carry it, so split-horizon EDS treats them as on this network.
   */
  network?: string;
  /** Region and zone of this cluster's nodes; absent when unknown. Local-first ordering uses them. */
  locality?: ClusterLocality;
  /**
   * Autoscaling policies the agent runs in this cluster (services of its GNS that run here), each
   * with whether an actionable SLO blocks scale-down; absent when none (see docs/autoscaling.md).
   */
  autoscaling?: DesiredAutoscalingPolicy[];
}

export interface ClusterLocality {
  region?: string;
  zone?: string;
}

/**
 * Istio reads one plug-in CA per cluster (`istio-system/cacerts`), but a cluster may be in several
 * GNS: one of them (the oldest with CA material here) is designated, and the trust bundle holds the
 * roots of every GNS whose workloads this cluster's workloads can meet.
 */
export interface DesiredMeshCa {
  gnsId: string;
  trustBundlePem: string;
}

export interface DesiredGlobalNamespace {
  id: string;
  name: string;
  /** DNS suffix of the GNS, e.g. `shop.lattice.local`; also the SPIFFE trust domain. */
  domain: string;
  mtlsMode: MtlsMode;
  /** Namespaces of this cluster that are part of the GNS. */
  localNamespaces: string[];
  services: DesiredGnsService[];
  /** CA material for the cluster's mesh CA; absent until the intermediate is signed. */
  ca?: DesiredCaMaterial;
  /** Traffic policies of the services published here, by service name; absent when none. */
  trafficPolicies?: DesiredTrafficPolicy[];
  /** Access rules and per-service mTLS of the GNS; absent when it has no security policy. */
  securityPolicy?: DesiredSecurityPolicy;
  /**
   * The east-west Gateway of this cluster for the GNS domain (AUTO_PASSTHROUGH on 15443, hosts
   * `*.<domain>`): rendered by the agent when `managed`, otherwise an existing one is expected to
   * select `selector`. Absent from older controllers (then nothing is rendered).
   */
  eastWestGateway?: DesiredEastWestGateway;
}

export interface DesiredEastWestGateway {
  /** true: the agent renders the Gateway; false: one the cluster already has is used. */
  managed: boolean;
  /** Labels of the gateway pods (default `istio: eastwestgateway`). */
  selector: Record<string, string>;
}

export interface DesiredCaMaterial {
  /** Intermediate certificate followed by its root, PEM. The key never leaves the cluster. */
  certChainPem: string;
  /** All roots currently trusted in the GNS, PEM. */
  trustBundlePem: string;
  rootGeneration: number;
}

export interface ServicePortSpec {
  name: string;
  number: number;
  /** HTTP, HTTP2, GRPC, TCP or TLS */
  protocol: string;
}

export interface DesiredGnsService {
  /** Short service name; the GNS host is `${name}.${domain}`. */
  name: string;
  hostname: string;
  ports: ServicePortSpec[];
  endpoints: ServiceEndpoint[];
  /**
   * Stable virtual addresses of the host (allocated per GNS from LATTICE_SERVICE_VIP_RANGE), for
   * services with a TCP-based port: without one every TCP ServiceEntry on a port would share
   * 0.0.0.0:<port> unless Istio's auto-allocation is on. Absent when none.
   */
  addresses?: string[];
}

/** What every endpoint may carry, local or remote (all additive: older agents ignore them). */
interface EndpointPlacement {
  /** Network of the endpoint's cluster (`topology.istio.io/network`); absent when unknown. */
  network?: string;
  /** Istio locality `region/zone/<cluster name>`; absent when the cluster's region is unknown. */
  locality?: string;
  /** Ready workloads behind the endpoint (at least 1), so Envoy spreads unsubsetted traffic by pods. */
  weight?: number;
}

export type ServiceEndpoint = LocalServiceEndpoint | RemoteServiceEndpoint;

/** The service runs in this very cluster: reach it through its Kubernetes address. */
export interface LocalServiceEndpoint extends EndpointPlacement {
  kind: 'LOCAL';
  clusterId: string;
  clusterName: string;
  namespace: string;
  /** `<service>.<namespace>.svc.cluster.local` */
  address: string;
  labels?: Record<string, string>;
  /**
   * Set when a traffic policy splits this instance's pods by subset (v1 and v2 behind one
   * Service): the endpoint is then a per-version Service the agent renders next to the instance's
   * own, selecting only that subset's pods; `address` stays the instance's Service.
   */
  versionService?: VersionServiceSpec;
}

export interface VersionServiceSpec {
  /** The traffic policy subset whose pods the Service selects. */
  subset: string;
  /** The instance's pod selector plus the subset's labels. */
  selector: Record<string, string>;
  /** The pods' port behind each GNS port (the instance Service's targetPort). */
  ports: { number: number; targetPort: number }[];
}

/** The service runs in another member cluster: reach it through that cluster's east-west gateway. */
export interface RemoteServiceEndpoint extends EndpointPlacement {
  kind: 'REMOTE';
  clusterId: string;
  clusterName: string;
  namespace: string;
  /** East-west gateway address (IP or hostname) of the remote cluster. */
  address: string;
  /** 15443: Istio's AUTO_PASSTHROUGH port, routed by SNI. */
  port: number;
  labels?: Record<string, string>;
}
