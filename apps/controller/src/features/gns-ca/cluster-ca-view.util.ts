import type { ClusterCaView } from '@lattice/pki';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

interface PayloadGns {
  id?: unknown;
  ca?: { trustBundlePem?: unknown; rootGeneration?: unknown };
}

/** The GNS ids in a stored desired-state payload (the GNS the cluster is a member of). */
export function memberGnsIds(payload: Uint8Array | null): string[] {
  return payloadGns(payload).flatMap((gns) => (typeof gns.id === 'string' ? [gns.id] : []));
}

/**
 * What a cluster runs for one GNS, read from the desired state it has ACKed, for the rotation gate.
 * Only meaningful when the applied version is the desired one (the caller checks); root
 * generations are found by comparing the bundle's certificates with the GNS's roots.
 */
export function clusterCaView(
  clusterId: string,
  payload: Uint8Array | null,
  gnsId: string,
  roots: readonly { generation: number; certificatePem: string }[],
): ClusterCaView {
  const gns = payloadGns(payload).find((candidate) => candidate.id === gnsId);
  const bundle = typeof gns?.ca?.trustBundlePem === 'string' ? gns.ca.trustBundlePem : '';
  const inBundle = new Set((bundle.match(PEM_CERTIFICATE) ?? []).map(normalise));
  const generation = gns?.ca?.rootGeneration;
  return {
    clusterId,
    appliedTrustedRootGenerations: roots
      .filter((root) => inBundle.has(normalise(root.certificatePem)))
      .map((root) => root.generation),
    appliedIntermediateRootGeneration: typeof generation === 'number' ? generation : null,
  };
}

function payloadGns(payload: Uint8Array | null): PayloadGns[] {
  if (!payload) return [];
  try {
    const parsed = JSON.parse(Buffer.from(payload).toString('utf8')) as { globalNamespaces?: unknown };
    return Array.isArray(parsed.globalNamespaces) ? (parsed.globalNamespaces as PayloadGns[]) : [];
  } catch {
    return [];
  }
}

function normalise(pem: string): string {
  return pem.replace(/\s+/g, '');
}
