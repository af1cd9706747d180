import type {
  DesiredGlobalNamespace,
  DesiredGnsService,
  DesiredHttpRoute,
  DesiredTrafficPolicy,
  RequestMatch,
  StringMatch,
} from '@lattice/domain';
import type { IVirtualService } from '@kubernetes-models/istio/networking.istio.io/v1beta1/VirtualService';
import type { KubeObject } from './kube-object';
import { ISTIO_CONFIG_NAMESPACE } from './ownership';
import { serviceObjectName } from './service-object-name';

type VirtualServiceSpec = NonNullable<IVirtualService['spec']>;
type HttpRoute = NonNullable<VirtualServiceSpec['http']>[number];
type HttpMatch = NonNullable<HttpRoute['match']>[number];
type IstioStringMatch = NonNullable<HttpMatch['uri']>;

/**
 * Routes for the GNS host `<service>.<domain>`: A/B matches, weighted subsets (canary,
 * blue/green), timeouts, retries and fault injection. Beside the ServiceEntry and DestinationRule
 * in the config namespace with the same name, visible to every namespace. Null when the policy
 * has no routes (only DestinationRule settings).
 */
export function renderVirtualService(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  policy: DesiredTrafficPolicy,
  labels: Record<string, string>,
): KubeObject | null {
  if (policy.routes.length === 0) return null;
  const spec: VirtualServiceSpec = {
    hosts: [service.hostname],
    exportTo: ['*'],
    http: policy.routes.map((route) => renderRoute(service.hostname, route)),
  };
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'VirtualService',
    metadata: { name: serviceObjectName(gns, service), namespace: ISTIO_CONFIG_NAMESPACE, labels },
    spec,
  };
}

function renderRoute(host: string, route: DesiredHttpRoute): HttpRoute {
  const rendered: HttpRoute = {
    name: route.name,
    route: route.destinations.map((destination) => ({
      destination: { host, ...(destination.subset !== undefined ? { subset: destination.subset } : {}) },
      weight: destination.weight,
    })),
  };
  if (route.match) rendered.match = route.match.map(renderMatch);
  if (route.timeout !== undefined) rendered.timeout = route.timeout;
  if (route.retries) {
    rendered.retries = {
      attempts: route.retries.attempts,
      ...(route.retries.perTryTimeout !== undefined ? { perTryTimeout: route.retries.perTryTimeout } : {}),
      ...(route.retries.retryOn?.length ? { retryOn: route.retries.retryOn.join(',') } : {}),
    };
  }
  if (route.fault) {
    rendered.fault = {
      ...(route.fault.delay
        ? {
            delay: {
              fixedDelay: route.fault.delay.fixedDelay,
              percentage: { value: route.fault.delay.percentage },
            },
          }
        : {}),
      ...(route.fault.abort
        ? {
            abort: {
              httpStatus: route.fault.abort.httpStatus,
              percentage: { value: route.fault.abort.percentage },
            },
          }
        : {}),
    } as HttpRoute['fault'];
  }
  return rendered;
}

function renderMatch(match: RequestMatch): HttpMatch {
  const rendered: HttpMatch = {};
  if (match.headers)
    rendered.headers = Object.fromEntries(
      Object.entries(match.headers).map(([name, value]) => [name, renderStringMatch(value)]),
    );
  if (match.path) rendered.uri = renderStringMatch(match.path);
  if (match.method !== undefined) rendered.method = { exact: match.method } as IstioStringMatch;
  return rendered;
}

function renderStringMatch(match: StringMatch): IstioStringMatch {
  return { ...match } as IstioStringMatch;
}
