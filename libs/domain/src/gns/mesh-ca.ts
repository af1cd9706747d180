import type { DesiredClusterState } from '../desired-state';
import { compareText } from './compare-text';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Designates each cluster's mesh CA (what istiod signs workload certificates with) and the trust
 * bundle that goes with it.
 *
 * Istio has one plug-in CA per cluster, so a cluster in several GNS issues every workload
 * certificate from one of them: the oldest GNS (by `gnsAgeOrder`, oldest first) that has signed CA
 * material in the cluster. The oldest is stable: creating a GNS never moves an existing cluster to
 * another CA. The trust bundle is the union of
 * - the roots of every GNS the cluster is in (its own designated one included), and
 * - the roots of the designated GNS of every cluster that shares a GNS with it,
 * so a workload from any cluster it can talk to verifies here even when that cluster designated
 * another GNS. Certificates keep their order (GNS age, then bundle order) and appear once, so an
 * unchanged set of roots gives a byte-identical bundle and no new snapshot.
 */
export function assignMeshCa(
  states: ReadonlyMap<string, DesiredClusterState>,
  gnsAgeOrder: readonly string[],
): Map<string, DesiredClusterState> {
  const age = new Map(gnsAgeOrder.map((id, index) => [id, index]));
  const rank = (gnsId: string) => age.get(gnsId) ?? Number.MAX_SAFE_INTEGER;
  const oldestFirst = (a: string, b: string) => rank(a) - rank(b) || compareText(a, b);
  const designated = new Map<string, string>();
  /** Trust bundle of each GNS (identical in every cluster of it; the first seen wins). */
  const bundles = new Map<string, string>();
  const clustersByGns = new Map<string, string[]>();
  for (const [clusterId, state] of states) {
    const withCa = state.globalNamespaces
      .filter((gns) => gns.ca !== undefined)
      .sort((a, b) => oldestFirst(a.id, b.id));
    if (withCa[0]) designated.set(clusterId, withCa[0].id);
    for (const gns of state.globalNamespaces) {
      clustersByGns.set(gns.id, [...(clustersByGns.get(gns.id) ?? []), clusterId]);
      if (gns.ca && !bundles.has(gns.id)) bundles.set(gns.id, gns.ca.trustBundlePem);
    }
  }

  const result = new Map<string, DesiredClusterState>();
  for (const [clusterId, state] of states) {
    const gnsId = designated.get(clusterId);
    if (gnsId === undefined) {
      result.set(clusterId, state);
      continue;
    }
    const trusted = new Set<string>(state.globalNamespaces.map((gns) => gns.id));
    for (const gns of state.globalNamespaces) {
      for (const peer of clustersByGns.get(gns.id) ?? []) {
        const peerCa = designated.get(peer);
        if (peerCa !== undefined) trusted.add(peerCa);
      }
    }
    const certificates: string[] = [];
    for (const trustedGns of [...trusted].sort(oldestFirst)) {
      for (const pem of bundles.get(trustedGns)?.match(PEM_CERTIFICATE) ?? []) {
        if (!certificates.includes(pem)) certificates.push(pem);
      }
    }
    result.set(clusterId, {
      ...state,
      meshCa: { gnsId, trustBundlePem: certificates.map((pem) => `${pem}\n`).join('') },
    });
  }
  return result;
}
