import { createHash } from 'node:crypto';

/*
 * The CA part of a stored desired-state payload (UTF-8 JSON of DesiredClusterState): which GNS a
 * cluster is a member of, which roots it trusts, which root signed its intermediate. Read by the
 * root rotation (what a cluster has applied) and by the agent gateway's push path (whether an ACK
 * can move a rotation). Unreadable payloads are treated as "nothing known", never thrown.
 */

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Versions sent but neither ACKed nor NACKed yet that are remembered (an agent answers in order). */
const MAX_UNANSWERED = 32;

interface PayloadGns {
  id?: unknown;
  ca?: { trustBundlePem?: unknown; rootGeneration?: unknown };
}

/** What a cluster runs for one GNS (the shape of @lattice/pki's ClusterCaView). */
export interface SnapshotCaView {
  clusterId: string;
  appliedTrustedRootGenerations: number[];
  appliedIntermediateRootGeneration: number | null;
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
): SnapshotCaView {
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
  const globalNamespaces = payloadGlobalNamespaces(payload);
  return Array.isArray(globalNamespaces) ? (globalNamespaces as PayloadGns[]) : [];
}

/** The `globalNamespaces` member of a payload; undefined when the payload is not JSON. */
function payloadGlobalNamespaces(payload: Uint8Array): unknown {
  try {
    return (JSON.parse(Buffer.from(payload).toString('utf8')) as { globalNamespaces?: unknown })
      .globalNamespaces;
  } catch {
    return undefined;
  }
}

function normalise(pem: string): string {
  return pem.replace(/\s+/g, '');
}

/** What of a snapshot a root rotation looks at, reduced to a comparable key. */
export interface SnapshotCaSummary {
  /** Hash of the member GNS ids with their trust bundles and intermediate root generations. */
  key: string;
  /** Some GNS trusts more than one root: a rotation is in TRUST_BOTH or ISSUING_NEW. */
  trustsSeveralRoots: boolean;
}

/**
 * The CA part of a stored desired-state payload (UTF-8 JSON of DesiredClusterState). Unreadable
 * payloads get a unique key, so the gate errs on the side of checking.
 */
export function snapshotCaSummary(payload: Uint8Array): SnapshotCaSummary {
  return caSummaryOf(payloadGlobalNamespaces(payload));
}

/**
 * The CA part of a desired state already in memory: the same summary as of its payload, without
 * parsing the payload back (a recomputation has the state it stored).
 */
export function stateCaSummary(state: { globalNamespaces?: unknown }): SnapshotCaSummary {
  return caSummaryOf(state.globalNamespaces);
}

function caSummaryOf(globalNamespaces: unknown): SnapshotCaSummary {
  if (!Array.isArray(globalNamespaces))
    return { key: `unreadable:${Math.random()}`, trustsSeveralRoots: true };
  const hash = createHash('sha256');
  let trustsSeveralRoots = false;
  const entries = (globalNamespaces as PayloadGns[])
    .map((gns) => {
      const bundle = typeof gns.ca?.trustBundlePem === 'string' ? gns.ca.trustBundlePem : '';
      const roots = (bundle.match(PEM_CERTIFICATE) ?? []).map(normalise);
      if (roots.length > 1) trustsSeveralRoots = true;
      return `${String(gns.id)}|${String(gns.ca?.rootGeneration ?? '-')}|${roots.join(',')}`;
    })
    .sort();
  for (const entry of entries) hash.update(entry).update('\n');
  return { key: hash.digest('hex'), trustsSeveralRoots };
}

/**
 * Tells, for one agent stream and without a database query, whether an ACK can let a root
 * rotation advance, so only those queue a rotation check. A rotation step waits for members to
 * apply what the previous step changed in their snapshot: trust bundles with both roots
 * (TRUST_BOTH, ISSUING_NEW), an intermediate from the new root, the bundle without the old root
 * (DROP_OLD). So an ACK matters when its snapshot trusts several roots of a GNS, or when its CA
 * part differs from the last one this stream saw settle (the first ACK of a stream always counts),
 * and so does the ACK after such a change: the check of the change may have found the cluster one
 * version behind. Anything still missed (a cluster behind by several versions of equal CA content)
 * is caught by the periodic sweep, which queues every tenant with a rotation in progress.
 */
export class RotationAckGate {
  private readonly sent = new Map<number, SnapshotCaSummary>();
  private settledKey: string | undefined;
  private lastSentKey: string | undefined;
  private recheckNext = false;

  /**
   * Remembers the CA part of a snapshot sent on this stream. True when it differs from the one
   * sent before it (or none was): the cluster's membership or CA material changed, so what it
   * needs of intermediates may have changed too. Takes the payload, or its summary when the caller
   * has it already (snapshotCaSummary, stateCaSummary).
   */
  snapshotSent(version: number, snapshot: Uint8Array | SnapshotCaSummary): boolean {
    const summary = snapshot instanceof Uint8Array ? snapshotCaSummary(snapshot) : snapshot;
    this.sent.set(version, summary);
    if (this.sent.size > MAX_UNANSWERED) {
      const oldest = Math.min(...this.sent.keys());
      this.sent.delete(oldest);
    }
    const changed = summary.key !== this.lastSentKey;
    this.lastSentKey = summary.key;
    return changed;
  }

  /** True when the ACK of `version` may move a rotation; `newestSentVersion` is the last version pushed. */
  acked(version: number, newestSentVersion: number): boolean {
    const summary = this.sent.get(version);
    for (const sentVersion of [...this.sent.keys()])
      if (sentVersion <= version) this.sent.delete(sentVersion);
    if (!summary) {
      this.recheckNext = true;
      return true;
    }
    const changed = summary.key !== this.settledKey;
    const matters = summary.trustsSeveralRoots || changed || this.recheckNext;
    // Only the newest version settles: after an ACK of an older one the cluster is still behind,
    // and the rotation must look again when the newest is ACKed, even with the same CA part.
    if (version >= newestSentVersion) {
      this.settledKey = summary.key;
      this.recheckNext = changed;
    }
    return matters;
  }

  nacked(version: number): void {
    this.sent.delete(version);
  }
}
