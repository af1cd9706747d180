import { Inject, Injectable, Logger } from '@nestjs/common';
import { clusterCaView, DomainError, memberGnsIds, RotationAckGate } from '@lattice/domain';
import { advanceRotation, RotationStage, startRotation, type ClusterCaView } from '@lattice/pki';
import type { TenantPrincipal } from '../../platform/auth/principal.util';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../../platform/config/runtime-config.types';
import { TransactionRunner, type Transaction } from '../../platform/database/transaction.service';
import { EventBus } from '../../platform/events/event-bus.service';
import { AuditService } from '../audit/audit.service';
import {
  DesiredStateScheduler,
  scheduleAfterCommit,
} from '../config-distribution/desired-state-scheduler.service';
import { CaRotationScheduler } from './ca-rotation-scheduler.service';
import { caCheckRequested } from './gns-ca.events';
import { GnsCaRepository } from './gns-ca.repository';
import { GnsCaService } from './gns-ca.service';
import type { GnsCaStatus, NewRoot, StoredRotation } from './gns-ca.types';
import { GnsRootService } from './gns-root.service';

/**
 * Root rotation of a GNS, driven through the stages of libs/pki's rotation state machine:
 * TRUST_BOTH (the new root joins every trust bundle) -> ISSUING_NEW (members get intermediates
 * from the new root) -> DROP_OLD (the old root leaves the bundles; its key and intermediates are
 * then destroyed) -> IDLE. A stage only advances once every member cluster has ACKed a snapshot
 * with what the previous stage sent, so clusters at adjacent stages always trust each other.
 */
@Injectable()
export class CaRotationService {
  private readonly logger = new Logger(CaRotationService.name);

  constructor(
    private readonly ca: GnsCaRepository,
    private readonly transactions: TransactionRunner,
    private readonly roots: GnsRootService,
    private readonly gnsCa: GnsCaService,
    private readonly audit: AuditService,
    private readonly scheduler: DesiredStateScheduler,
    private readonly rotationScheduler: CaRotationScheduler,
    private readonly events: EventBus,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  async rotate(actor: TenantPrincipal, gnsId: string): Promise<GnsCaStatus> {
    const { tenantId } = actor;
    const gns = await this.ca.findGns(tenantId, gnsId);
    if (!gns) throw DomainError.notFound('global namespace', gnsId);
    if (!gns.caRotation)
      throw new DomainError('CONFLICT', `global namespace ${gns.name} has no root CA yet; retry shortly`);
    assertIdle(gns.caRotation);
    // Seconds of key generation happen before the transaction; a lost race only wastes the key.
    const next = await this.roots.prepareRoot(tenantId, gns, gns.caRotation.currentRootGeneration + 1);
    await this.transactions.run(async (tx) => {
      const locked = await this.ca.lockGns(tenantId, gnsId, tx);
      if (!locked?.caRotation) throw DomainError.notFound('global namespace', gnsId);
      const change = await this.startInTransaction(tenantId, gnsId, locked.caRotation, next, tx);
      await this.audit.record(
        actor,
        {
          action: 'global-namespace.ca.rotate',
          resourceType: 'global-namespace',
          resourceId: gnsId,
          before: change.before,
          after: change.after,
        },
        tx,
      );
    });
    await this.afterStart(tenantId, gnsId, next.generation);
    return this.gnsCa.status(tenantId, gnsId);
  }

  /**
   * Starts a rotation to `next` (made by GnsRootService.prepareRoot) inside the caller's
   * transaction, which holds the GNS row lock (GnsCaRepository.lockGns) and passes the locked
   * rotation state. Returns what changed for the caller's audit event; after the commit, call
   * afterStart. Used by rotate and by a GNS domain change (GnsCaLifecycleService).
   */
  async startInTransaction(
    tenantId: string,
    gnsId: string,
    locked: StoredRotation,
    next: NewRoot,
    tx: Transaction,
  ): Promise<{ before: RotationAudit; after: RotationAudit & { newRootFingerprintSha256: string } }> {
    assertIdle(locked);
    if (next.generation !== locked.currentRootGeneration + 1) {
      // The root was prepared against a state that has moved on meanwhile.
      throw new DomainError('CONFLICT', 'the root CA of this global namespace changed meanwhile; retry');
    }
    // The workload-certificate TTL configured now, not when the GNS was created: lowering
    // LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS (e.g. the demo's 30 s) applies to the next rotation.
    const started = startRotation(locked, new Date(), {
      maxWorkloadCertTtlSeconds: this.config.env.LATTICE_CA_MAX_WORKLOAD_CERT_TTL_SECONDS,
    });
    await this.ca.insertNextRoot(tenantId, gnsId, next, tx);
    await this.ca.setRotation(tenantId, gnsId, started, tx);
    return {
      before: rotationAudit(locked),
      after: { ...rotationAudit(started), newRootFingerprintSha256: next.fingerprint },
    };
  }

  /** After the commit of startInTransaction: new snapshots (both roots) and the first rotation step. */
  async afterStart(tenantId: string, gnsId: string, generation: number): Promise<void> {
    this.logger.log(`root rotation of global namespace ${gnsId} started (generation ${generation})`);
    await this.afterChange(tenantId, `root rotation of global namespace ${gnsId} started`);
  }

  /** Advances every rotating GNS of the tenant as far as its clusters allow (one stage per call each). */
  async advanceTenant(tenantId: string, now: Date = new Date()): Promise<void> {
    for (const gnsId of await this.ca.rotatingGnsIds(tenantId)) await this.advance(tenantId, gnsId, now);
  }

  async advance(tenantId: string, gnsId: string, now: Date = new Date()): Promise<void> {
    const outcome = await this.transactions.run(async (tx) => {
      const gns = await this.ca.lockGns(tenantId, gnsId, tx);
      const state = gns?.caRotation;
      if (!state || state.stage === RotationStage.IDLE) return null;
      const roots = await this.ca.roots(tenantId, gnsId, tx);
      // Members that ever connected; a cluster that never ran an agent has no workloads to break.
      const members = (await this.ca.clusters(tenantId, tx)).filter(
        (cluster) =>
          cluster.firstConnectedAt !== null && memberGnsIds(cluster.desiredPayload).includes(gnsId),
      );
      const behind = members.filter((cluster) => cluster.appliedVersion !== cluster.desiredVersion);
      let result;
      if (behind.length > 0) {
        // What such a cluster runs is not known exactly: wait until it has applied its latest snapshot.
        result = {
          advanced: false as const,
          state,
          reason: `waiting for ${behind.length} cluster(s) to apply their latest snapshot`,
          waitingForClusterIds: behind.map((cluster) => cluster.id),
          earliestAt: null,
        };
      } else {
        const views: ClusterCaView[] = members.map((cluster) =>
          clusterCaView(cluster.id, cluster.desiredPayload, gnsId, roots),
        );
        result = advanceRotation(state, views, now);
      }
      const stored: StoredRotation = { ...result.state };
      delete stored.progress;
      if (!result.advanced) {
        stored.progress = {
          checkedAt: now.toISOString(),
          reason: result.reason,
          waitingForClusterIds: result.waitingForClusterIds,
          earliestAt: result.earliestAt,
        };
      }
      if (result.advanced) await this.enterStage(tenantId, gnsId, state, stored, now, tx);
      await this.ca.setRotation(tenantId, gnsId, stored, tx);
      return { result, members: members.map((cluster) => cluster.id) };
    });
    if (!outcome) return;
    const { result, members } = outcome;
    if (result.advanced) {
      this.logger.log(`root rotation of global namespace ${gnsId}: ${result.from} -> ${result.state.stage}`);
      await this.afterChange(
        tenantId,
        `root rotation of global namespace ${gnsId} entered ${result.state.stage}`,
      );
      if (result.state.stage === RotationStage.ISSUING_NEW) await this.askForIntermediates(tenantId, members);
    } else if (result.earliestAt) {
      await this.rotationScheduler.advanceAt(tenantId, new Date(result.earliestAt));
    }
  }

  /** Periodic: rotations waiting on time or on lost events, and roots missing for old GNS. */
  async sweep(): Promise<void> {
    const { rotatingTenantIds, gnsWithoutRoot } = await this.ca.sweepCandidates();
    for (const gns of gnsWithoutRoot) {
      if (await this.roots.ensureRoot(gns.tenantId, gns.id)) {
        // The root is committed: a Redis hiccup must not stop the sweep of the other GNS.
        await scheduleAfterCommit(
          this.scheduler,
          this.logger,
          gns.tenantId,
          `root CA of global namespace ${gns.id} created`,
        );
      }
    }
    for (const tenantId of rotatingTenantIds) await this.rotationScheduler.advanceSoon(tenantId);
  }

  private async enterStage(
    tenantId: string,
    gnsId: string,
    before: StoredRotation,
    after: StoredRotation,
    now: Date,
    tx: Transaction,
  ): Promise<void> {
    if (after.stage === RotationStage.DROP_OLD) {
      // Leaves the trust bundles of the next snapshots (TenantMeshRepository reads unretired roots).
      await this.ca.retireRoot(tenantId, gnsId, before.currentRootGeneration, now, tx);
    } else if (after.stage === RotationStage.IDLE && before.stage === RotationStage.DROP_OLD) {
      // No cluster trusts the old root any more: destroy its key and what it signed.
      await this.ca.deleteGeneration(tenantId, gnsId, before.currentRootGeneration, tx);
    }
  }

  private async afterChange(tenantId: string, reason: string): Promise<void> {
    await scheduleAfterCommit(this.scheduler, this.logger, tenantId, reason);
    await this.rotationScheduler
      .advanceSoon(tenantId, 1000)
      .catch((error: unknown) => this.logger.error(`scheduling a rotation step failed: ${String(error)}`));
  }

  private async askForIntermediates(tenantId: string, clusterIds: string[]): Promise<void> {
    for (const clusterId of clusterIds) await this.events.publish(caCheckRequested, { tenantId, clusterId });
  }

  /** A cluster ACKed a snapshot a root rotation may wait for: advance the tenant's rotations soon (deduplicated). */
  async snapshotAcked(tenantId: string): Promise<void> {
    await this.rotationScheduler.advanceSoon(tenantId);
  }

  /** A gate for one agent stream telling which of its ACKs may complete a rotation stage. */
  newAckGate(): RotationAckGate {
    return new RotationAckGate();
  }
}

function assertIdle(state: StoredRotation): void {
  if (state.stage !== RotationStage.IDLE) {
    throw new DomainError(
      'CONFLICT',
      `a root rotation is already in progress (stage ${state.stage}, rotating to generation ${state.nextRootGeneration}); GET .../ca shows what it waits for`,
    );
  }
}

type RotationAudit = ReturnType<typeof rotationAudit>;

function rotationAudit(state: StoredRotation) {
  return {
    stage: state.stage,
    currentRootGeneration: state.currentRootGeneration,
    nextRootGeneration: state.nextRootGeneration,
  };
}
