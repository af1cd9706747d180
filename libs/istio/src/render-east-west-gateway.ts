import type { DesiredEastWestGateway, DesiredGlobalNamespace } from '@lattice/domain';
import { EAST_WEST_GATEWAY_PORT } from '@lattice/domain';
import type { KubeObject } from './kube-object';
import { objectName } from './object-name';
import { ISTIO_CONFIG_NAMESPACE, isLabelValue } from './ownership';
import { RenderError } from './render-error';

/** Kubernetes label key: optional DNS-subdomain prefix, then a name of at most 63 characters. */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

export function eastWestGatewayName(gns: DesiredGlobalNamespace): string {
  return objectName(`lattice-eastwest-${gns.name}`, gns.id);
}

/**
 * The east-west Gateway of one GNS in this cluster: on the gateway pods (`selector`, by default
 * Istio's `istio: eastwestgateway`), port 15443 in AUTO_PASSTHROUGH mode for `*.<gns domain>`. The
 * gateway does not terminate TLS: it reads the SNI the calling sidecar set
 * (`outbound_.<port>_.<subset>_.<host>`, see renderDestinationRule) and forwards the connection to
 * that cluster of its own istiod, built from this cluster's ServiceEntry of the host. Istio's own
 * sample (`cross-network-gateway`) covers only `*.local`, so GNS hosts need this one. Several such
 * Gateways (one per GNS) on one port are merged by istiod into one listener, one filter chain per
 * host.
 */
export function renderEastWestGateway(
  gns: DesiredGlobalNamespace,
  gateway: DesiredEastWestGateway,
  labels: Record<string, string>,
): KubeObject {
  const entries = Object.entries(gateway.selector);
  if (entries.length === 0)
    throw new RenderError(
      `the east-west gateway selector of global namespace ${gns.name} is empty; it would select every gateway pod`,
    );
  for (const [key, value] of entries)
    if (!LABEL_KEY.test(key) || !isLabelValue(value))
      throw new RenderError(
        `the east-west gateway selector of global namespace ${gns.name} has "${key}: ${value}", which is not a Kubernetes label`,
      );
  return {
    apiVersion: 'networking.istio.io/v1beta1',
    kind: 'Gateway',
    metadata: { name: eastWestGatewayName(gns), namespace: ISTIO_CONFIG_NAMESPACE, labels },
    spec: {
      selector: { ...gateway.selector },
      servers: [
        {
          port: { number: EAST_WEST_GATEWAY_PORT, name: 'tls-lattice', protocol: 'TLS' },
          tls: { mode: 'AUTO_PASSTHROUGH' },
          hosts: [`*.${gns.domain}`],
        },
      ],
    },
  };
}
