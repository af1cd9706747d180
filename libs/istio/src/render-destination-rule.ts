import type { DesiredGlobalNamespace, DesiredGnsService } from '@lattice/domain';
import type { IDestinationRule } from '@kubernetes-models/istio/networking.istio.io/v1beta1/DestinationRule';
import type { KubeObject } from './kube-object';
import { ISTIO_CONFIG_NAMESPACE } from './ownership';
import { serviceObjectName } from './service-object-name';

type DestinationRuleSpec = NonNullable<IDestinationRule['spec']>;

/**
 * Istio mTLS towards the GNS host. Required for remote endpoints: the east-west gateway in
 * AUTO_PASSTHROUGH mode does not terminate TLS, it forwards by SNI, so the client sidecar must
 * originate Istio mTLS with the SNI `outbound_.<port>_._.<host>` that the remote gateway knows.
 * (Istio derives the same SNI for ISTIO_MUTUAL; it is written per port so the contract with the
 * gateway is visible. Subsets, when traffic policies arrive, need `outbound_.<port>_.<subset>_.<host>`.)
 */
export function renderDestinationRule(
  gns: DesiredGlobalNamespace,
  service: DesiredGnsService,
  labels: Record<string, string>,
): KubeObject {
  const spec: DestinationRuleSpec = {
    host: service.hostname,
    exportTo: ['*'],
    trafficPolicy: {
      tls: { mode: 'ISTIO_MUTUAL' },
      portLevelSettings: service.ports.map((port) => ({
        port: { number: port.number },
        tls: { mode: 'ISTIO_MUTUAL', sni: autoPassthroughSni(port.number, service.hostname) },
      })),
    },
  };
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'DestinationRule',
    metadata: { name: serviceObjectName(gns, service), namespace: ISTIO_CONFIG_NAMESPACE, labels },
    spec,
  };
}

/** The SNI an AUTO_PASSTHROUGH gateway routes on (Istio's outbound cluster name). */
export function autoPassthroughSni(port: number, host: string, subset = ''): string {
  return `outbound_.${port}_.${subset}_.${host}`;
}
