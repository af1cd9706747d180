import type { PassthroughGateway } from './mesh-installation';

/*
 * Whether an existing (user-managed) east-west Gateway routes a GNS's hosts, by istiod's own rules
 * (Istio at commit 86c9f01f, the release the docs cite; docs/multi-network.md#the-east-west-gateway):
 *
 * - Which Gateways apply to the gateway pods (PushContext.mergeGateways,
 *   pilot/pkg/model/push_context.go): a Gateway without a selector applies to every gateway
 *   workload; otherwise its selector must be a subset of the pods' labels
 *   (labels.Instance.SubsetOf). With PILOT_SCOPE_GATEWAY_TO_NAMESPACE (off by default) only
 *   Gateways in the pods' namespace apply; the diagnostics do not know the pods' namespace and
 *   assume the default.
 * - Which hosts an AUTO_PASSTHROUGH server routes (builtAutoPassthroughFilterChains,
 *   pilot/pkg/networking/core/gateway.go): a filter chain per service of the gateway's scope whose
 *   hostname is a subset of one of the server's SNI hosts (host.Name.SubsetOf). The SNI hosts are the
 *   server's hosts with any `namespace/` prefix dropped (GetSNIHostsForServer,
 *   pilot/pkg/model/gateway.go), so for AUTO_PASSTHROUGH `ns/`, `*\/` and `./` make no difference.
 */

/** The dnsName part of a Gateway server host (`ns/host`, `*\/host`, `./host` or `host`), as istiod reads it. */
export function gatewayHostName(host: string): string {
  // strings.Split(h, "/")[1] in Istio: the part after the first slash, up to a second one.
  return host.includes('/') ? (host.split('/')[1] ?? '') : host;
}

/**
 * Istio's host.Name.SubsetOf: is `name` (possibly `*.`-wildcarded) covered by `pattern`? A
 * wildcard is covered only by a wildcard whose suffix it ends with (`*` covers everything); a
 * plain name by itself or a wildcard whose suffix it ends with.
 */
export function hostSubsetOf(name: string, pattern: string): boolean {
  const nameWildcard = name.startsWith('*');
  const patternWildcard = pattern.startsWith('*');
  if (nameWildcard) {
    if (!patternWildcard || name.length < pattern.length) return false;
    return name.slice(1).endsWith(pattern.slice(1));
  }
  if (patternWildcard) return name.endsWith(pattern.slice(1));
  return name === pattern;
}

/** Does a host of a Gateway's AUTO_PASSTHROUGH server route every host of the GNS domain (`*.<domain>`)? */
export function gatewayHostCoversDomain(host: string, domain: string): boolean {
  return hostSubsetOf(`*.${domain}`, gatewayHostName(host));
}

/**
 * Does a Gateway with this selector apply to the gateway pods `podSelector` names? The cluster's
 * eastWestGatewaySelector is taken as (a subset of) the pods' labels, so the Gateway applies when
 * each of its labels is one of those (or it has none). A Gateway selecting on a label the cluster's
 * selector does not name may apply too, but nothing here can tell: it counts as not applying.
 */
export function gatewaySelectsPods(
  gatewaySelector: Readonly<Record<string, string>>,
  podSelector: Readonly<Record<string, string>>,
): boolean {
  return Object.entries(gatewaySelector).every(
    ([key, value]) => Object.hasOwn(podSelector, key) && podSelector[key] === value,
  );
}

/**
 * The first Gateway (in the order given) that applies to the pods and routes `*.<domain>`, with the
 * host that covers it; null when none does.
 */
export function coveringPassthroughGateway(
  gateways: readonly PassthroughGateway[],
  podSelector: Readonly<Record<string, string>>,
  domain: string,
): { gateway: PassthroughGateway; host: string } | null {
  for (const gateway of gateways) {
    if (!gatewaySelectsPods(gateway.selector, podSelector)) continue;
    const host = gateway.hosts.find((candidate) => gatewayHostCoversDomain(candidate, domain));
    if (host !== undefined) return { gateway, host };
  }
  return null;
}
