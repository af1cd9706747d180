import type {
  DesiredGlobalNamespace,
  DesiredGnsService,
  LocalServiceEndpoint,
  ServicePortSpec,
  VersionServiceSpec,
} from '@lattice/domain';
import type { IService } from 'kubernetes-models/v1/Service';
import type { KubeObject } from './kube-object';
import { objectName } from './object-name';
import { RenderError } from './render-error';

type ServiceSpec = NonNullable<IService['spec']>;

/** Label on a per-version Service naming the traffic policy subset whose pods it selects. */
export const SUBSET_LABEL = 'lattice.io/subset';

/** Kubernetes `appProtocol` values Istio reads (it wins over the port name). */
const APP_PROTOCOLS: Record<string, string> = {
  HTTP: 'http',
  HTTP2: 'http2',
  GRPC: 'grpc',
  TCP: 'tcp',
  TLS: 'tls',
  HTTPS: 'https',
  MONGO: 'mongo',
};

/** IANA_SVC_NAME, what Kubernetes requires of a Service port name. */
const PORT_NAME = /^(?=.{1,15}$)(?=.*[a-z])[a-z0-9]+(-[a-z0-9]+)*$/;

export function versionServiceName(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  version: VersionServiceSpec,
): string {
  return objectName(
    `lattice-${service.name}-${version.subset}`,
    `${gns.id}/${service.name}/${version.subset}`,
  );
}

/** What the GNS ServiceEntry endpoint of a split instance's subset points at. */
export function versionServiceAddress(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  endpoint: LocalServiceEndpoint & { versionService: VersionServiceSpec },
): string {
  return `${versionServiceName(gns, service, endpoint.versionService)}.${endpoint.namespace}.svc.cluster.local`;
}

/**
 * The per-version Service of one subset of a split instance: in the instance's namespace, selecting
 * its pods plus the subset's labels, on the GNS ports (to the instance's target ports), with the
 * protocol as `appProtocol` so Istio treats it like the instance. The GNS ServiceEntry reaches the
 * subset's pods through it; locally, and through the east-west gateway for the subset's SNI.
 */
export function renderVersionService(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  endpoint: LocalServiceEndpoint & { versionService: VersionServiceSpec },
  labels: Record<string, string>,
): KubeObject {
  const version = endpoint.versionService;
  // An empty selector would make a Service Kubernetes never fills: nothing to route to.
  if (Object.keys(version.selector).length === 0)
    throw new RenderError(`the per-version Service of ${service.name}/${version.subset} has no pod selector`);
  const targetPorts = new Map(version.ports.map((port) => [port.number, port.targetPort]));
  const usedNames = new Set<string>();
  const spec: ServiceSpec = {
    type: 'ClusterIP',
    selector: { ...version.selector },
    ports: service.ports.map((port) => {
      const name = portName(port, usedNames);
      usedNames.add(name);
      const appProtocol = APP_PROTOCOLS[port.protocol];
      return {
        name,
        port: port.number,
        targetPort: targetPorts.get(port.number) ?? port.number,
        protocol: 'TCP',
        ...(appProtocol !== undefined ? { appProtocol } : {}),
      };
    }),
  };
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: versionServiceName(gns, service, version),
      namespace: endpoint.namespace,
      labels: { ...labels, [SUBSET_LABEL]: version.subset },
    },
    spec,
  };
}

/** The GNS port's name when Kubernetes accepts it, else `<protocol>-<number>` (or `p-<number>`). */
function portName(port: ServicePortSpec, used: ReadonlySet<string>): string {
  for (const candidate of [port.name, `${port.protocol.toLowerCase()}-${port.number}`, `p-${port.number}`])
    if (PORT_NAME.test(candidate) && !used.has(candidate)) return candidate;
  return `p-${port.number}`;
}

export function hasVersionService(
  endpoint: DesiredGnsService['endpoints'][number],
): endpoint is LocalServiceEndpoint & { versionService: VersionServiceSpec } {
  return endpoint.kind === 'LOCAL' && endpoint.versionService !== undefined;
}
