import type { DesiredGlobalNamespace, DesiredGnsService, DesiredTrafficPolicy } from '@lattice/domain';
import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import type { KubeObject } from './kube-object';
import { failoverPriority } from './failover';
import { ISTIO_CONFIG_NAMESPACE } from './ownership';
import { serviceObjectName } from './service-object-name';

type DestinationRuleSpec = NonNullable<IDestinationRule['spec']>;
type TrafficPolicy = NonNullable<DestinationRuleSpec['trafficPolicy']>;

/**
 * Istio mTLS towards the GNS host. Required for remote endpoints: the east-west gateway in
 * AUTO_PASSTHROUGH mode does not terminate TLS, it forwards by SNI, so the client sidecar must
 * originate Istio mTLS with the SNI `outbound_.<port>_._.<host>` that the remote gateway knows.
 * (Istio derives the same SNI for ISTIO_MUTUAL; it is written per port so the contract with the
 * gateway is visible; a subset's is `outbound_.<port>_.<subset>_.<host>`.) A traffic policy of the
 * service adds its subsets, connection pool, outlier detection and failover here. With endpoints in
 * several clusters the clients prefer them in `failoverOrder` (local first by default, see
 * failover.ts) through `localityLbSetting.failoverPriority`, with outlier detection.
 */
export function renderDestinationRule(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  labels: Record<string, string>,
  policy?: DesiredTrafficPolicy,
  failoverOrder: readonly string[] = [],
): KubeObject {
  const trafficPolicy: TrafficPolicy = mutualTls(service);
  // One DestinationRule per host: the traffic policy of the service merges into the GNS one.
  if (policy?.connectionPool)
    trafficPolicy.connectionPool = policy.connectionPool as TrafficPolicy['connectionPool'];
  if (policy?.outlierDetection) {
    const outlier = policy.outlierDetection;
    trafficPolicy.outlierDetection = {
      consecutive5xxErrors: outlier.consecutiveErrors,
      interval: outlier.interval,
      baseEjectionTime: outlier.baseEjectionTime,
      maxEjectionPercent: outlier.maxEjectionPercent,
    };
  }
  if (failoverOrder.length > 0 && !trafficPolicy.outlierDetection)
    trafficPolicy.outlierDetection = { ...FAILOVER_OUTLIER_DETECTION };
  if (failoverOrder.length > 0)
    trafficPolicy.loadBalancer = {
      localityLbSetting: { enabled: true, failoverPriority: failoverPriority(failoverOrder.length) },
    } as TrafficPolicy['loadBalancer'];
  const spec: DestinationRuleSpec = { host: service.hostname, exportTo: ['*'], trafficPolicy };
  if (policy && policy.subsets.length > 0) {
    // A subset's own tls and port settings replace the host's, so each subset repeats mTLS with
    // the subset SNI the remote east-west gateway routes on.
    spec.subsets = policy.subsets.map((subset) => ({
      name: subset.name,
      labels: { ...subset.labels },
      trafficPolicy: mutualTls(service, subset.name),
    }));
  }
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name: serviceObjectName(gns, service), namespace: ISTIO_CONFIG_NAMESPACE, labels },
    spec,
  };
}

/**
 * Outlier detection rendered with the default local-first order when the service's policy has none:
 * Istio applies locality failover only with outlier detection (Envoy moves to the next priority only
 * once it has ejected endpoints). Five consecutive errors (for TCP: connect failures) eject a host
 * for 30 s; all hosts of a priority may be ejected, so a cluster whose service is down fails over.
 */
export const FAILOVER_OUTLIER_DETECTION = {
  consecutive5xxErrors: 5,
  interval: '10s',
  baseEjectionTime: '30s',
  maxEjectionPercent: 100,
} as const;

/** The SNI an AUTO_PASSTHROUGH gateway routes on (Istio's outbound cluster name). */
export function autoPassthroughSni(port: number, host: string, subset = ''): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}

function mutualTls(service: DesiredGnsService, subset = ''): TrafficPolicy {
  return {
    tls: { mode: 'ISTIO_MUTUAL' },
    portLevelSettings: service.ports.map((port) => ({
      port: { number: port.number },
      tls: { mode: 'ISTIO_MUTUAL', sni: autoPassthroughSni(port.number, service.hostname, subset) },
    })),
  } as TrafficPolicy;
}
