import { isIP } from 'node:net';
import type { DesiredGlobalNamespace, DesiredGnsService, ServiceEndpoint } from '@lattice/domain';
import type { IServiceEntry } from '@kubernetes-models/istio/networking.istio.io/v1beta1/ServiceEntry';
import { failoverLabelsOf } from './failover';
import type { KubeObject } from './kube-object';
import { ENDPOINT_CLUSTER_LABEL, ISTIO_CONFIG_NAMESPACE, isLabelValue } from './ownership';
import { hasVersionService, versionServiceAddress } from './render-version-service';
import { serviceObjectName } from './service-object-name';

type ServiceEntrySpec = NonNullable<IServiceEntry['spec']>;
type ServiceEntryEndpoint = NonNullable<ServiceEntrySpec['endpoints']>[number];

/**
 * The GNS host `<service>.<domain>` as a mesh-internal service whose endpoints are the local
 * Kubernetes service(s) and the east-west gateways of the other clusters running it. A local
 * instance split by subset is one endpoint per subset, at its per-version Service. Each endpoint
 * carries its cluster's `network` (split-horizon: a gateway that asks for its own network's view,
 * ISTIO_META_REQUESTED_NETWORK_VIEW, never sees another cluster's gateway, so it cannot forward to
 * it), its `locality` and a `weight` of the ready pods behind it. The stable virtual address, when
 * the service has one, goes into `addresses`.
 */
export function renderServiceEntry(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  labels: Record<string, string>,
  failoverOrder: readonly string[] = [],
): KubeObject {
  const labelsOfCluster = failoverLabelsOf(failoverOrder);
  const spec: ServiceEntrySpec = {
    hosts: [service.hostname],
    exportTo: ['*'],
    location: 'MESH_INTERNAL',
    resolution: resolutionFor(service.endpoints),
    ports: service.ports.map((port) => ({ number: port.number, name: port.name, protocol: port.protocol })),
    endpoints: service.endpoints.map((endpoint) => renderEndpoint(gns, service, endpoint, labelsOfCluster)),
  };
  if (service.addresses?.length) spec.addresses = [...service.addresses];
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'ServiceEntry',
    metadata: { name: serviceObjectName(gns, service), namespace: ISTIO_CONFIG_NAMESPACE, labels },
    spec,
  };
}

/**
 * STATIC only when every endpoint address is an IP: Istio rejects hostnames under STATIC. Any
 * hostname (a local `*.svc.cluster.local` address, or a gateway behind a cloud load balancer name)
 * means DNS; IP endpoints in a DNS ServiceEntry still work (they "resolve" to themselves), so
 * mixed lists are DNS too.
 */
export function resolutionFor(endpoints: readonly ServiceEndpoint[]): 'STATIC' | 'DNS' {
  return endpoints.length > 0 && endpoints.every((endpoint) => isIP(endpoint.address) !== 0)
    ? 'STATIC'
    : 'DNS';
}

function renderEndpoint(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  endpoint: ServiceEndpoint,
  failoverLabels: (clusterName: string) => Readonly<Record<string, string>>,
): ServiceEntryEndpoint {
  // Local: the Kubernetes service listens on the GNS ports. Remote: every port goes to the
  // gateway's AUTO_PASSTHROUGH port, which picks the target from the SNI.
  const targetPortOf = (portNumber: number): number =>
    endpoint.kind === 'REMOTE' ? endpoint.port : portNumber;
  const ports = Object.fromEntries(service.ports.map((port) => [port.name, targetPortOf(port.number)]));
  const clusterLabel = isLabelValue(endpoint.clusterName) ? endpoint.clusterName : endpoint.clusterId;
  const rendered: ServiceEntryEndpoint = {
    address: hasVersionService(endpoint) ? versionServiceAddress(gns, service, endpoint) : endpoint.address,
    ports,
    labels: {
      ...(endpoint.labels ?? {}),
      ...failoverLabels(endpoint.clusterName),
      [ENDPOINT_CLUSTER_LABEL]: clusterLabel,
    },
  };
  if (endpoint.network) rendered.network = endpoint.network;
  if (endpoint.locality) rendered.locality = endpoint.locality;
  if (endpoint.weight !== undefined && endpoint.weight > 0) rendered.weight = endpoint.weight;
  return rendered;
}
