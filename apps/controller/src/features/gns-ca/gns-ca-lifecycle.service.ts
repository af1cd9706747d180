import { Injectable } from '@nestjs/common';
import { DomainError } from '@lattice/domain';
import { RotationStage } from '@lattice/pki';
import type { Transaction } from '../../platform/database/transaction.service';
import { CaRotationService } from './ca-rotation.service';
import { GnsCaRepository } from './gns-ca.repository';
import type { NewRoot, StoredRotation } from './gns-ca.types';
import { GnsRootService } from './gns-root.service';

/** The identity a GNS root names. */
export interface GnsIdentity {
  id: string;
  name: string;
  domain: string;
}

/** A root made for a GNS before its transaction (key generation takes seconds), opaque to callers. */
export interface PreparedGnsRoot {
  readonly gnsId: string;
  readonly fingerprintSha256: string;
  readonly root: NewRoot;
}

/** What a domain change did to the CA, for the caller's audit event. */
export interface DomainRotationAudit {
  stage: string;
  currentRootGeneration: number;
  nextRootGeneration: number | null;
  newRootFingerprintSha256: string;
}

/**
 * The CA's part of a Global Namespace's life, the one API the GNS feature calls: a root is created
 * with the GNS (in the GNS's transaction, so neither exists without the other), a new domain starts
 * a root rotation to a root naming it (refused with 409 while a rotation runs: the incoming root
 * names the old domain), and deleting the GNS deletes its roots and intermediates with it (ON DELETE
 * CASCADE of the GNS row, nothing to do here). Each change is two steps: `prepare…` before the
 * transaction (key generation), then the `…InTransaction` step inside it, then `…Committed` after.
 */
@Injectable()
export class GnsCaLifecycleService {
  constructor(
    private readonly ca: GnsCaRepository,
    private readonly roots: GnsRootService,
    private readonly rotation: CaRotationService,
  ) {}

  /** The first root of a GNS being created (its id chosen by the caller). */
  async prepareRootOfNewGns(tenantId: string, gns: GnsIdentity): Promise<PreparedGnsRoot> {
    return prepared(gns.id, await this.roots.prepareRoot(tenantId, gns, 1));
  }

  /** Stores the root of a new GNS; the GNS row must exist in `tx` already. */
  async createRootInTransaction(tenantId: string, prepared: PreparedGnsRoot, tx: Transaction): Promise<void> {
    await this.roots.storeFirstRoot(tenantId, prepared.gnsId, prepared.root, tx);
  }

  /**
   * The root of the next generation when a GNS with a root gets `next.domain` instead of
   * `currentDomain`; undefined when the GNS has no root yet (the periodic sweep creates it, naming
   * whatever domain is current then). A running rotation is refused here already (409), so that no
   * key is generated for a request that must fail.
   */
  async prepareDomainChange(
    tenantId: string,
    next: GnsIdentity,
    currentDomain: string,
  ): Promise<PreparedGnsRoot | undefined> {
    const ca = await this.ca.findGns(tenantId, next.id);
    if (!ca?.caRotation) return undefined;
    if (ca.caRotation.stage !== RotationStage.IDLE)
      throw domainChangeDuringRotation(currentDomain, ca.caRotation);
    return prepared(
      next.id,
      await this.roots.prepareRoot(tenantId, next, ca.caRotation.currentRootGeneration + 1),
    );
  }

  /**
   * Starts the rotation to the prepared root inside the caller's transaction. Takes the GNS row lock
   * first, so no rotation step or rotate request of this GNS interleaves; 409 when a rotation
   * started meanwhile or the root was prepared against a state that moved on.
   */
  async startDomainRotationInTransaction(
    tenantId: string,
    prepared: PreparedGnsRoot,
    currentDomain: string,
    tx: Transaction,
  ): Promise<DomainRotationAudit> {
    const locked = await this.ca.lockGns(tenantId, prepared.gnsId, tx);
    if (!locked?.caRotation) throw DomainError.notFound('global namespace', prepared.gnsId);
    if (locked.caRotation.stage !== RotationStage.IDLE)
      throw domainChangeDuringRotation(currentDomain, locked.caRotation);
    const change = await this.rotation.startInTransaction(
      tenantId,
      prepared.gnsId,
      locked.caRotation,
      prepared.root,
      tx,
    );
    return change.after;
  }

  /** After the commit: new snapshots with both roots, and the rotation's first step. */
  async domainRotationCommitted(tenantId: string, prepared: PreparedGnsRoot): Promise<void> {
    await this.rotation.afterStart(tenantId, prepared.gnsId, prepared.root.generation);
  }
}

function prepared(gnsId: string, root: NewRoot): PreparedGnsRoot {
  return { gnsId, fingerprintSha256: root.fingerprint, root };
}

function domainChangeDuringRotation(domain: string, rotation: StoredRotation): DomainError {
  return new DomainError(
    'CONFLICT',
    `the domain is the SPIFFE trust domain its root CA names (spiffe://${domain}), so changing it starts a root rotation, ` +
      `but one is in progress (stage ${rotation.stage}, to root generation ${rotation.nextRootGeneration}); ` +
      'change the domain once GET /v1/global-namespaces/{id}/ca shows the rotation IDLE',
  );
}
