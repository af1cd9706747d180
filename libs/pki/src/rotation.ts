import { InvalidPkiInputError, RotationError } from './errors';

/**
 * Staged root rotation for one GNS, as a pure state machine over plain JSON (store it as is).
 *
 *   IDLE         bundles: [current]        intermediates from: current
 *   TRUST_BOTH   bundles: [current, next]  intermediates from: current  (new root exists)
 *   ISSUING_NEW  bundles: [current, next]  intermediates from: next
 *   DROP_OLD     bundles: [next]           intermediates from: next
 *   IDLE         bundles: [next]           (next becomes current)
 *
 * Clusters apply snapshots at their own pace, so each step waits until every member cluster has
 * *applied* what the previous step sent (the controller derives that from ACKed snapshots). With
 * that gate two clusters are never more than one step apart, and every pair of adjacent steps
 * trusts each other's chains:
 * - enter ISSUING_NEW only when every cluster trusts the new root, or a cluster still on the old
 *   bundle would reject workloads whose chain leads to the new root;
 * - enter DROP_OLD only when every cluster runs an intermediate from the new root and the
 *   workload certificates issued by the old intermediates have expired (max workload TTL after the
 *   last cluster moved), or those workloads would be rejected once the old root is gone;
 * - return to IDLE once no cluster still trusts the old root, after which its key can be destroyed.
 */

export const RotationStage = {
  IDLE: 'IDLE',
  TRUST_BOTH: 'TRUST_BOTH',
  ISSUING_NEW: 'ISSUING_NEW',
  DROP_OLD: 'DROP_OLD',
} as const;
export type RotationStage = (typeof RotationStage)[keyof typeof RotationStage];

/** Istio's default workload certificate TTL. */
export const DEFAULT_MAX_WORKLOAD_CERT_TTL_SECONDS = 24 * 60 * 60;

export interface RootRotationState {
  stage: RotationStage;
  /** The root that issues outside a rotation; during a rotation, the root being replaced. */
  currentRootGeneration: number;
  /** The root being rotated in; null when IDLE. */
  nextRootGeneration: number | null;
  /** ISO 8601 time the stage began. */
  stageEnteredAt: string;
  /** ISO 8601 time every member cluster was first seen on an intermediate from the new root. */
  allClustersMovedAt: string | null;
  /** Upper bound of workload certificate lifetimes in the mesh (include clock-skew margin). */
  maxWorkloadCertTtlSeconds: number;
}

/** What the controller knows about one member cluster, from the last snapshot it ACKed. */
export interface ClusterCaView {
  clusterId: string;
  /** Root generations in the trust bundle the cluster has applied. */
  appliedTrustedRootGenerations: number[];
  /** Generation of the root that signed the intermediate the cluster has applied; null if none. */
  appliedIntermediateRootGeneration: number | null;
}

export type RotationAdvance =
  | { advanced: true; state: RootRotationState; from: RotationStage }
  | {
      advanced: false;
      /** Persist this too: it may record progress (allClustersMovedAt) without changing stage. */
      state: RootRotationState;
      reason: string;
      waitingForClusterIds: string[];
      /** When waiting on time rather than clusters: the earliest moment the step can happen. */
      earliestAt: string | null;
    };

export function initialRotationState(
  options: {
    rootGeneration?: number;
    now?: Date;
    maxWorkloadCertTtlSeconds?: number;
  } = {},
): RootRotationState {
  const ttl = options.maxWorkloadCertTtlSeconds ?? DEFAULT_MAX_WORKLOAD_CERT_TTL_SECONDS;
  assertTtl(ttl);
  return {
    stage: RotationStage.IDLE,
    currentRootGeneration: options.rootGeneration ?? 1,
    nextRootGeneration: null,
    stageEnteredAt: (options.now ?? new Date()).toISOString(),
    allClustersMovedAt: null,
    maxWorkloadCertTtlSeconds: ttl,
  };
}

/**
 * IDLE -> TRUST_BOTH. The caller creates the root for `nextRootGeneration` (createRootCa) in the
 * same transaction that stores this state.
 */
export function startRotation(
  state: RootRotationState,
  now: Date,
  options: { maxWorkloadCertTtlSeconds?: number } = {},
): RootRotationState {
  assertConsistent(state);
  if (state.stage !== RotationStage.IDLE) {
    throw new RotationError(`a root rotation is already in progress (stage ${state.stage})`);
  }
  const ttl = options.maxWorkloadCertTtlSeconds ?? state.maxWorkloadCertTtlSeconds;
  assertTtl(ttl);
  return {
    ...state,
    stage: RotationStage.TRUST_BOTH,
    nextRootGeneration: state.currentRootGeneration + 1,
    stageEnteredAt: now.toISOString(),
    allClustersMovedAt: null,
    maxWorkloadCertTtlSeconds: ttl,
  };
}

/**
 * TRUST_BOTH -> IDLE, keeping the current root. Only before anything was issued from the new root;
 * later the way back is a new rotation.
 */
export function cancelRotation(state: RootRotationState, now: Date): RootRotationState {
  assertConsistent(state);
  if (state.stage !== RotationStage.TRUST_BOTH) {
    throw new RotationError(
      `a rotation can only be cancelled in stage TRUST_BOTH, before intermediates from the new root exist (stage ${state.stage})`,
    );
  }
  return { ...state, stage: RotationStage.IDLE, nextRootGeneration: null, stageEnteredAt: now.toISOString() };
}

/** Moves at most one stage forward, or says what it is waiting for. */
export function advanceRotation(
  state: RootRotationState,
  clusters: ClusterCaView[],
  now: Date,
): RotationAdvance {
  assertConsistent(state);
  const current = state.currentRootGeneration;
  const next = state.nextRootGeneration as number;
  const enter = (stage: RotationStage, changes: Partial<RootRotationState> = {}): RotationAdvance => ({
    advanced: true,
    from: state.stage,
    state: { ...state, ...changes, stage, stageEnteredAt: now.toISOString() },
  });
  const wait = (
    reason: string,
    waitingFor: ClusterCaView[],
    changes: Partial<RootRotationState> = {},
    earliestAt: string | null = null,
  ): RotationAdvance => ({
    advanced: false,
    state: { ...state, ...changes },
    reason,
    waitingForClusterIds: waitingFor.map((cluster) => cluster.clusterId).sort(),
    earliestAt,
  });

  switch (state.stage) {
    case RotationStage.IDLE:
      return wait('no root rotation is in progress', []);

    case RotationStage.TRUST_BOTH: {
      const lagging = clusters.filter((cluster) => !trustsAll(cluster, [current, next]));
      if (lagging.length > 0) {
        return wait(
          `waiting for ${lagging.length} cluster(s) to apply the trust bundle with root generations ${current} and ${next}`,
          lagging,
        );
      }
      return enter(RotationStage.ISSUING_NEW);
    }

    case RotationStage.ISSUING_NEW: {
      const notMoved = clusters.filter((cluster) => cluster.appliedIntermediateRootGeneration !== next);
      if (notMoved.length > 0) {
        // A cluster back on an old-root intermediate (e.g. restored from an old snapshot) restarts
        // the leaf-expiry clock; one with no intermediate yet has issued nothing from the old root.
        const regressed = notMoved.some((cluster) => cluster.appliedIntermediateRootGeneration !== null);
        return wait(
          `waiting for ${notMoved.length} cluster(s) to apply an intermediate signed by root generation ${next}`,
          notMoved,
          regressed ? { allClustersMovedAt: null } : {},
        );
      }
      const movedAt = state.allClustersMovedAt ?? now.toISOString();
      const oldLeavesExpireAt = new Date(Date.parse(movedAt) + state.maxWorkloadCertTtlSeconds * 1000);
      if (now < oldLeavesExpireAt) {
        return wait(
          `every cluster issues from root generation ${next}; waiting until ${oldLeavesExpireAt.toISOString()} ` +
            `for workload certificates from the old intermediates (max TTL ${state.maxWorkloadCertTtlSeconds}s) to expire`,
          [],
          { allClustersMovedAt: movedAt },
          oldLeavesExpireAt.toISOString(),
        );
      }
      return enter(RotationStage.DROP_OLD, { allClustersMovedAt: movedAt });
    }

    case RotationStage.DROP_OLD: {
      const stillTrustingOld = clusters.filter((cluster) =>
        cluster.appliedTrustedRootGenerations.includes(current),
      );
      if (stillTrustingOld.length > 0) {
        return wait(
          `waiting for ${stillTrustingOld.length} cluster(s) to apply the trust bundle without root generation ${current}`,
          stillTrustingOld,
        );
      }
      return enter(RotationStage.IDLE, {
        currentRootGeneration: next,
        nextRootGeneration: null,
        allClustersMovedAt: null,
      });
    }
  }
}

/** Root generations every member cluster's trust bundle must hold in this stage. */
export function trustedRootsForStage(state: RootRotationState): number[] {
  assertConsistent(state);
  switch (state.stage) {
    case RotationStage.IDLE:
      return [state.currentRootGeneration];
    case RotationStage.TRUST_BOTH:
    case RotationStage.ISSUING_NEW:
      return [state.currentRootGeneration, state.nextRootGeneration as number];
    case RotationStage.DROP_OLD:
      return [state.nextRootGeneration as number];
  }
}

/** The root generation that signs intermediates (new and renewed) in this stage. */
export function issuingRootForStage(state: RootRotationState): number {
  assertConsistent(state);
  switch (state.stage) {
    case RotationStage.IDLE:
    case RotationStage.TRUST_BOTH:
      return state.currentRootGeneration;
    case RotationStage.ISSUING_NEW:
    case RotationStage.DROP_OLD:
      return state.nextRootGeneration as number;
  }
}

function trustsAll(cluster: ClusterCaView, generations: number[]): boolean {
  return generations.every((generation) => cluster.appliedTrustedRootGenerations.includes(generation));
}

function assertTtl(seconds: number): void {
  if (!Number.isFinite(seconds) || seconds < 0) {
    throw new InvalidPkiInputError(`maxWorkloadCertTtlSeconds must be a non-negative number, got ${seconds}`);
  }
}

/** Guards against a hand-edited or corrupted stored state rather than silently misbehaving. */
function assertConsistent(state: RootRotationState): void {
  if (!Object.values(RotationStage).includes(state.stage)) {
    throw new RotationError(`unknown rotation stage ${String(state.stage)}`);
  }
  const rotating = state.stage !== RotationStage.IDLE;
  if (rotating !== (state.nextRootGeneration !== null)) {
    throw new RotationError(
      rotating
        ? `stage ${state.stage} needs the generation of the new root`
        : 'an idle rotation state cannot name a new root generation',
    );
  }
  if (Number.isNaN(Date.parse(state.stageEnteredAt)))
    throw new RotationError('stageEnteredAt is not an ISO time');
}
