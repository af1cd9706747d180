import type { DesiredClusterState } from '@lattice/domain';
import type { StoredIntermediateKey } from '../state/agent-state.store';
import { firstCertificatePem, keyMatchesCertificate } from './agent-keys.util';

/**
 * Keys made for CSRs newer than the applied intermediate are kept, the newest few per GNS: the
 * controller answers one stream's CSRs in order and repeats an unanswered request only after a
 * minute, so an older unanswered CSR is as good as dead, yet the one just before the newest may
 * still be signed while the newest is on its way.
 */
const MAX_PENDING_KEYS_PER_GNS = 2;

/**
 * A pending key of a GNS a freshly delivered state does not mention (the cluster left it, it was
 * deleted) is kept this long: a request can arrive before the snapshot that adds the GNS applies.
 */
export const ABANDONED_KEY_AFTER_MS = 60 * 60_000;

/**
 * The stored intermediate keys nothing needs any more, given the desired state that is applied
 * and persisted (what a restart re-applies). Kept are
 * - the key of every intermediate in that state (a restart renders it again), and
 * - keys of CSRs not answered by an applied intermediate yet: created after the applied key of
 *   their GNS, the newest MAX_PENDING_KEYS_PER_GNS of them; for a GNS absent from the state, only
 *   those created at or after `abandonedBeforeMs` (all of them when it is undefined: a state
 *   restored at start-up may be older than the CSR).
 * Everything else is an intermediate that was replaced (renewal, rotation) or a CSR superseded by
 * a newer one. Keys are matched to certificates by public key, never by file name.
 */
export function obsoleteIntermediateKeys(
  state: DesiredClusterState,
  keys: readonly StoredIntermediateKey[],
  options: { abandonedBeforeMs?: number } = {},
): StoredIntermediateKey[] {
  const { abandonedBeforeMs } = options;
  const inUse = new Map<string, StoredIntermediateKey>(); // by GNS id
  for (const gns of state.globalNamespaces) {
    const certificate = gns.ca ? firstCertificatePem(gns.ca.certChainPem) : undefined;
    if (!certificate) continue;
    const candidates = [...keys].sort((a, b) => Number(b.gnsId === gns.id) - Number(a.gnsId === gns.id));
    const match = candidates.find((candidate) => keyMatchesCertificate(candidate.keyPem, certificate));
    if (match) inUse.set(gns.id, match);
  }
  const inUseIds = new Set([...inUse.values()].map((key) => key.id));
  const memberGnsIds = new Set(state.globalNamespaces.map((gns) => gns.id));

  const byGns = new Map<string, StoredIntermediateKey[]>();
  for (const key of keys) {
    if (inUseIds.has(key.id)) continue;
    byGns.set(key.gnsId, [...(byGns.get(key.gnsId) ?? []), key]);
  }

  const obsolete: StoredIntermediateKey[] = [];
  for (const [gnsId, gnsKeys] of byGns) {
    const appliedCreatedAtMs = inUse.get(gnsId)?.createdAtMs ?? -1;
    const pending = gnsKeys
      .filter((key) => key.createdAtMs > appliedCreatedAtMs)
      .sort((a, b) => b.createdAtMs - a.createdAtMs || b.id.localeCompare(a.id));
    const kept = new Set(
      pending
        .slice(0, MAX_PENDING_KEYS_PER_GNS)
        .filter(
          (key) =>
            memberGnsIds.has(gnsId) ||
            abandonedBeforeMs === undefined ||
            key.createdAtMs >= abandonedBeforeMs,
        )
        .map((key) => key.id),
    );
    obsolete.push(...gnsKeys.filter((key) => !kept.has(key.id)));
  }
  return obsolete;
}
