import { createHash } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
/** Versions sent but neither ACKed nor NACKed yet that are remembered (an agent answers in order). */
const MAX_UNANSWERED = 32;

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
  let globalNamespaces: unknown;
  try {
    globalNamespaces = (JSON.parse(Buffer.from(payload).toString('utf8')) as { globalNamespaces?: unknown })
      .globalNamespaces;
  } catch {
    return { key: `unreadable:${Math.random()}`, trustsSeveralRoots: true };
  }
  if (!Array.isArray(globalNamespaces))
    return { key: `unreadable:${Math.random()}`, trustsSeveralRoots: true };
  const hash = createHash('sha256');
  let trustsSeveralRoots = false;
  const entries = (
    globalNamespaces as { id?: unknown; ca?: { trustBundlePem?: unknown; rootGeneration?: unknown } }[]
  )
    .map((gns) => {
      const bundle = typeof gns.ca?.trustBundlePem === 'string' ? gns.ca.trustBundlePem : '';
      const roots = (bundle.match(PEM_CERTIFICATE) ?? []).map((pem) => pem.replace(/\s+/g, ''));
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
  private recheckNext = false;

  snapshotSent(version: number, payload: Uint8Array): void {
    this.sent.set(version, snapshotCaSummary(payload));
    if (this.sent.size > MAX_UNANSWERED) {
      const oldest = Math.min(...this.sent.keys());
      this.sent.delete(oldest);
    }
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
