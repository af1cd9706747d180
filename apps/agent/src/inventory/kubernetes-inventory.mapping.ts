import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../sink/apply-sink.port';
import { canonicalJson } from './canonical-json.util';
import type {
  ClusterInventory,
  InventoryEndpointGroup,
  InventoryService,
  InventoryServicePort,
} from './inventory-source.port';

// Structural views of the Kubernetes objects the source watches: only the fields it reads, so the
// mapping is testable without @kubernetes/client-node.
interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
}

export interface NamespaceView {
  metadata?: ObjectMeta;
}

export interface ServiceView {
  metadata?: ObjectMeta;
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: Array<{
      name?: string;
      port: number;
      protocol?: string;
      appProtocol?: string;
      targetPort?: number | string;
    }>;
  };
}

export interface EndpointSliceView {
  metadata?: ObjectMeta;
  ports?: Array<{ name?: string; port?: number }>;
  endpoints?: Array<{
    addresses?: string[];
    conditions?: { ready?: boolean };
    targetRef?: { kind?: string; name?: string; namespace?: string };
  }>;
}

export interface PodView {
  metadata?: ObjectMeta;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
/** The pod labels that split a service's endpoints into groups (Istio's subset convention). */
export const ENDPOINT_GROUP_LABELS = ['app', 'version'] as const;

/**
 * Builds the inventory from the watched objects. Endpoints are grouped by the `app`/`version`
 * labels of their pods when the pod is known (pods are watched only if they carry `version`);
 * otherwise they fall into the group without labels.
 */
export function buildKubernetesInventory(
  namespaces: readonly NamespaceView[],
  services: readonly ServiceView[],
  endpointSlices: readonly EndpointSliceView[],
  pods: readonly PodView[],
): ClusterInventory {
  const podLabels = new Map<string, Record<string, string>>();
  for (const pod of pods) {
    if (pod.metadata?.name && pod.metadata.namespace) {
      podLabels.set(`${pod.metadata.namespace}/${pod.metadata.name}`, pod.metadata.labels ?? {});
    }
  }
  const slicesByService = new Map<string, EndpointSliceView[]>();
  for (const slice of endpointSlices) {
    const serviceName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!serviceName || !slice.metadata?.namespace) continue;
    const key = `${slice.metadata.namespace}/${serviceName}`;
    slicesByService.set(key, [...(slicesByService.get(key) ?? []), slice]);
  }

  return {
    namespaces: namespaces
      .filter((namespace) => namespace.metadata?.name)
      .map((namespace) => ({
        name: namespace.metadata?.name as string,
        labels: { ...(namespace.metadata?.labels ?? {}) },
      }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    services: services
      .flatMap((service) => {
        const mapped = mapService(
          service,
          slicesByService.get(`${service.metadata?.namespace}/${service.metadata?.name}`) ?? [],
          podLabels,
        );
        return mapped ? [mapped] : [];
      })
      .sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`)),
  };
}

export function mapService(
  service: ServiceView,
  slices: EndpointSliceView[],
  podLabels: ReadonlyMap<string, Record<string, string>>,
): InventoryService | undefined {
  const name = service.metadata?.name;
  const namespace = service.metadata?.namespace;
  // ExternalName services have no workloads behind them.
  if (!name || !namespace || service.spec?.type === 'ExternalName') return undefined;
  // Lattice's own per-version Services are views of a reported Service, not services of their own:
  // reporting them would publish them in the GNS and feed back into the next split.
  if (service.metadata?.labels?.[MANAGED_BY_LABEL] === MANAGED_BY_VALUE) return undefined;
  return {
    namespace,
    name,
    labels: { ...(service.metadata?.labels ?? {}) },
    ports: (service.spec?.ports ?? []).flatMap((port) => {
      const protocol = meshProtocol(port);
      if (!protocol) return [];
      const mapped: InventoryServicePort = {
        name: port.name ?? '',
        port: port.port,
        protocol,
        targetPort: resolveTargetPort(port.targetPort, port.name, port.port, slices),
      };
      return [mapped];
    }),
    endpointGroups: groupEndpoints(slices, podLabels),
    selector: { ...(service.spec?.selector ?? {}) },
  };
}

/** Istio's protocol selection: appProtocol first, then the port name prefix; UDP/SCTP are not meshed. */
export function meshProtocol(port: {
  name?: string;
  protocol?: string;
  appProtocol?: string;
}): string | undefined {
  if (port.protocol && port.protocol.toUpperCase() !== 'TCP') return undefined;
  const fromAppProtocol = PROTOCOL_NAMES[(port.appProtocol ?? '').toLowerCase()];
  if (fromAppProtocol) return fromAppProtocol;
  const prefix = (port.name ?? '').toLowerCase().split('-')[0] ?? '';
  return PROTOCOL_NAMES[prefix] ?? 'TCP';
}

const PROTOCOL_NAMES: Record<string, string> = {
  http: 'HTTP',
  http2: 'HTTP2',
  'kubernetes.io/h2c': 'HTTP2',
  grpc: 'GRPC',
  'grpc-web': 'GRPC',
  https: 'TLS',
  tls: 'TLS',
  tcp: 'TCP',
};

function resolveTargetPort(
  targetPort: number | string | undefined,
  portName: string | undefined,
  port: number,
  slices: EndpointSliceView[],
): number {
  if (typeof targetPort === 'number') return targetPort;
  if (typeof targetPort === 'string' && /^\d+$/.test(targetPort)) return Number(targetPort);
  // A named target port: the EndpointSlice carries the resolved number under the service port's name.
  for (const slice of slices) {
    const match = slice.ports?.find((candidate) => (candidate.name ?? '') === (portName ?? ''));
    if (match?.port !== undefined) return match.port;
  }
  return port;
}

function groupEndpoints(
  slices: EndpointSliceView[],
  podLabels: ReadonlyMap<string, Record<string, string>>,
): InventoryEndpointGroup[] {
  const groups = new Map<string, InventoryEndpointGroup>();
  // Dual-stack services have one slice per address family listing the same pods: count each pod once.
  const counted = new Set<string>();
  for (const slice of slices) {
    for (const endpoint of slice.endpoints ?? []) {
      const pod =
        endpoint.targetRef?.kind === 'Pod' && endpoint.targetRef.name
          ? `${endpoint.targetRef.namespace ?? slice.metadata?.namespace}/${endpoint.targetRef.name}`
          : undefined;
      const identity = pod ?? endpoint.addresses?.[0];
      if (identity !== undefined) {
        if (counted.has(identity)) continue;
        counted.add(identity);
      }
      const labels: Record<string, string> = {};
      const known = pod ? podLabels.get(pod) : undefined;
      for (const label of ENDPOINT_GROUP_LABELS)
        if (known?.[label] !== undefined) labels[label] = known[label];
      const key = canonicalJson(labels);
      const group = groups.get(key) ?? { labels, ready: 0, notReady: 0 };
      // The API defines a missing `ready` condition as ready.
      if (endpoint.conditions?.ready === false) group.notReady += 1;
      else group.ready += 1;
      groups.set(key, group);
    }
  }
  return [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, group]) => group);
}
