import type { DesiredClusterState } from '@lattice/domain';
import type { AgentMessage, ControllerMessage__Output } from '@lattice/proto';
import { type AgentLogger, errorMessage } from '../logger';
import { type AgentStateStorage, isSafeGnsId, type StoredIntermediateKey } from '../state/agent-state.store';
import {
  firstCertificatePem,
  generateKeyAndCsr,
  type KeyAndCsr,
  keyMatchesCertificate,
} from './agent-keys.util';
import { ABANDONED_KEY_AFTER_MS, obsoleteIntermediateKeys } from './intermediate-key-retention.util';

type IntermediateRequest__Output = NonNullable<ControllerMessage__Output['intermediateRequest']>;
type SignedIntermediate__Output = NonNullable<ControllerMessage__Output['signedIntermediate']>;
export type IntermediateCsr = NonNullable<AgentMessage['csr']>;

export interface IntermediateKeyringDependencies {
  store: AgentStateStorage;
  logger: AgentLogger;
  /** Clock for the age of intermediate keys; default Date.now. */
  now?: () => number;
  /** Default: a fresh RSA key per call (see generateKeyAndCsr). */
  createKeyAndCsr?: (commonName: string, modulusLength: 2048 | 3072) => Promise<KeyAndCsr>;
}

/**
 * The private keys of the cluster's GNS intermediate CAs, kept in the state directory: creates a
 * fresh key and CSR for every intermediate request, finds the key of each certificate a snapshot
 * carries, and deletes keys that nothing needs any more.
 */
export class IntermediateKeyring {
  private readonly inFlight = new Set<string>();
  private readonly now: () => number;
  private readonly createKeyAndCsr: (commonName: string, modulusLength: 2048 | 3072) => Promise<KeyAndCsr>;

  constructor(private readonly deps: IntermediateKeyringDependencies) {
    this.now = deps.now ?? Date.now;
    this.createKeyAndCsr = deps.createKeyAndCsr ?? generateKeyAndCsr;
  }

  /**
   * Answers with a CSR for a freshly generated key, also for a renewal at the same root generation:
   * a key is never reused across certificates. The key in use stays until a snapshot with the
   * new intermediate is applied; pruning then deletes what is no longer needed.
   */
  async answerRequest(
    request: IntermediateRequest__Output | null | undefined,
    send: (csr: IntermediateCsr) => void,
  ): Promise<void> {
    if (!request) return;
    const { logger } = this.deps;
    const { gnsId, subjectCommonName, rootGeneration } = request;
    if (!isSafeGnsId(gnsId) || subjectCommonName.trim() === '' || !Number.isSafeInteger(rootGeneration)) {
      logger.warn({ gnsId, subjectCommonName, rootGeneration }, 'invalid intermediate request; ignored');
      return;
    }
    const requestKey = `${gnsId}-${rootGeneration}`;
    if (this.inFlight.has(requestKey)) return;
    this.inFlight.add(requestKey);
    try {
      const { keyPem, csrPem } = await this.createKeyAndCsr(subjectCommonName, 3072);
      // Stored (atomically, 0600) before the CSR leaves: a signed answer always finds its key.
      await this.deps.store.writeIntermediateKey(gnsId, rootGeneration, keyPem, this.now());
      send({ gnsId, csrPem, rootGeneration });
      logger.info({ gnsId, rootGeneration }, 'sent intermediate CSR');
    } catch (error) {
      logger.error(
        { gnsId, rootGeneration, err: errorMessage(error) },
        'could not create the intermediate CSR',
      );
    } finally {
      this.inFlight.delete(requestKey);
    }
  }

  /** Only a hint: the snapshot carries the chain and is what gets applied. */
  async noteSigned(message: SignedIntermediate__Output | null | undefined): Promise<void> {
    if (!message) return;
    const certificate = firstCertificatePem(message.certChainPem);
    const keys = await this.deps.store.listIntermediateKeys();
    const matched =
      certificate !== undefined && keys.some((key) => keyMatchesCertificate(key.keyPem, certificate));
    const fields = { gnsId: message.gnsId, rootGeneration: message.rootGeneration };
    if (matched) this.deps.logger.info(fields, 'intermediate signed; it applies with the next snapshot');
    else this.deps.logger.warn(fields, 'signed intermediate matches no stored key');
  }

  /** The stored key of every intermediate in `state`, by GNS id; throws when one is missing. */
  async keysFor(state: DesiredClusterState): Promise<Map<string, string>> {
    return resolveIntermediateKeys(state, await this.deps.store.listIntermediateKeys());
  }

  /**
   * Deletes the keys that `state` (applied and persisted) and pending CSRs no longer need. Only a
   * snapshot the controller just delivered says which GNS the cluster is in now; a restored one may
   * be older than a pending CSR, so its keys of unknown GNS stay.
   */
  async prune(state: DesiredClusterState, source: 'restored' | 'delivered'): Promise<void> {
    const { store, logger } = this.deps;
    try {
      const obsolete = obsoleteIntermediateKeys(state, await store.listIntermediateKeys(), {
        abandonedBeforeMs: source === 'delivered' ? this.now() - ABANDONED_KEY_AFTER_MS : undefined,
      });
      for (const key of obsolete) await store.deleteIntermediateKey(key.id);
      if (obsolete.length > 0) {
        logger.info(
          {
            removed: obsolete.map((key) => ({
              gnsId: key.gnsId,
              rootGeneration: key.rootGeneration,
              id: key.id,
            })),
          },
          'removed intermediate keys no longer needed',
        );
      }
    } catch (error) {
      // A leftover key costs nothing but disk; the next applied snapshot tries again.
      logger.warn({ err: errorMessage(error) }, 'could not remove old intermediate keys');
    }
  }
}

/**
 * For every GNS with CA material, the stored intermediate key whose public key is in the first
 * certificate of `ca.certChainPem`. Matching by public key (not by file name) survives renamed
 * files and tells a stale key from the current one after a root rotation.
 */
export function resolveIntermediateKeys(
  state: DesiredClusterState,
  storedKeys: StoredIntermediateKey[],
): Map<string, string> {
  const keys = new Map<string, string>();
  for (const gns of state.globalNamespaces) {
    if (!gns.ca) continue;
    const certificate = firstCertificatePem(gns.ca.certChainPem);
    if (!certificate) throw new Error(`GNS ${gns.name} (${gns.id}): ca.certChainPem holds no certificate`);
    // Try the keys filed under this GNS first; any key may match.
    const candidates = [...storedKeys].sort(
      (a, b) => Number(b.gnsId === gns.id) - Number(a.gnsId === gns.id),
    );
    const match = candidates.find((candidate) => keyMatchesCertificate(candidate.keyPem, certificate));
    if (!match) {
      throw new Error(
        `no stored intermediate key matches the certificate of GNS ${gns.name} (${gns.id}, root generation ${gns.ca.rootGeneration})`,
      );
    }
    keys.set(gns.id, match.keyPem);
  }
  return keys;
}
