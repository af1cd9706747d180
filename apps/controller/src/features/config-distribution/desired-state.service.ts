import { Injectable, Logger } from '@nestjs/common';
import {
  assignMeshCa,
  buildDesiredStates,
  CanonicalJsonMemo,
  changedClusterPayloads,
  type ClusterPayloadChange,
  compareText,
  type DesiredClusterState,
  type PoliciesByGns,
  type SnapshotCaSummary,
  stateCaSummary,
  withAutoscaling,
  withPolicies,
} from '@lattice/domain';
import type { SnapshotResource, StoredSnapshot } from './config-distribution.types';
import { DesiredStateMetrics } from './desired-state.metrics';
import { RecentSnapshotsCache } from './recent-snapshots.cache';
import { EventBus } from '../../platform/events/event-bus.service';
import { MAX_ANNOUNCED_SNAPSHOTS, snapshotsAnnounced } from './config-distribution.events';
import { MeshMembershipService } from './mesh-membership.service';
import { SnapshotStoreRepository } from './snapshot-store.repository';
import { TenantMeshRepository } from './tenant-mesh.repository';
import { VirtualAddressService } from './virtual-addresses.service';
import { splitCanonicalState } from './snapshot-resources.util';
import { TickBatcher } from '../../platform/database/tick-batcher';

/**
 * Clusters whose new desired state is stored in one statement and announced in one message. Small
 * enough that the first agents have their delta while the rest is still being computed (their
 * work and the controller's overlap), large enough to keep statements few.
 */
const STORE_CHUNK_CLUSTERS = Math.min(25, MAX_ANNOUNCED_SNAPSHOTS);
/** Clusters examined between two yields to the event loop during a recomputation. */
const YIELD_EVERY_CLUSTERS = 10;
/** Snapshot reads of one tenant folded into one statement (streams opening at once after a restart). */
const READ_BATCH_CLUSTERS = 500;

export interface RecomputeResult {
  clusters: number;
  /** Clusters that got a new snapshot version, by cluster id. */
  newVersions: { clusterId: string; version: number }[];
}

/**
 * Recomputes the desired state of every cluster of a tenant from the current definitions and
 * inventories, and gives a new version only to clusters whose state changed. Run by the
 * desired-state worker, never concurrently for one tenant (see QueuedDesiredStateScheduler).
 */
@Injectable()
export class DesiredStateService {
  private readonly logger = new Logger(DesiredStateService.name);
  /** Snapshot reads of one turn of the event loop, one statement per tenant. */
  private readonly reads = new TickBatcher<{ clusterId: string; newerThan: number }, StoredSnapshot | null>(
    (tenantId, wanted) => this.readSnapshots(tenantId, wanted),
    READ_BATCH_CLUSTERS,
  );

  constructor(
    private readonly mesh: TenantMeshRepository,
    private readonly snapshots: SnapshotStoreRepository,
    private readonly membership: MeshMembershipService,
    private readonly events: EventBus,
    private readonly metrics: DesiredStateMetrics,
    private readonly recentSnapshots: RecentSnapshotsCache,
    private readonly addresses: VirtualAddressService,
  ) {}

  /** The traffic and security policies of every GNS, as the desired state reads them (for previews). */
  policiesByGns(tenantId: string): Promise<PoliciesByGns> {
    return this.mesh.loadPolicies(tenantId);
  }

  /**
   * The cluster's newest stored snapshot when it is newer than `newerThan` (null otherwise). An
   * announced version is served from this replica's recent snapshots when it holds it; other reads
   * arriving in the same turn of the event loop (a thousand agents reconnecting after a restart)
   * share one statement per tenant instead of one round trip each.
   */
  snapshotNewerThan(
    tenantId: string,
    clusterId: string,
    newerThan: number,
    announcedVersion?: number,
  ): Promise<StoredSnapshot | null> {
    if (announcedVersion !== undefined && announcedVersion > newerThan) {
      const recent = this.recentSnapshots.get(tenantId, clusterId, announcedVersion);
      if (recent) return Promise.resolve(recent);
    }
    return this.reads.add(tenantId, { clusterId, newerThan });
  }

  /** The snapshot's resources, as a DeltaSnapshot carries them (split once per payload held). */
  snapshotResources(snapshot: StoredSnapshot): SnapshotResource[] {
    return this.recentSnapshots.resourcesOf(snapshot);
  }

  /** The CA part of a snapshot, for the rotation gate of a stream it is sent on (read once per payload held). */
  snapshotCaSummary(snapshot: StoredSnapshot): SnapshotCaSummary {
    return this.recentSnapshots.caSummaryOf(snapshot);
  }

  private async readSnapshots(
    tenantId: string,
    wanted: { clusterId: string; newerThan: number }[],
  ): Promise<(StoredSnapshot | null)[]> {
    // One entry per cluster: the lowest version asked for serves every reader of it.
    const lowest = new Map<string, number>();
    for (const read of wanted)
      lowest.set(read.clusterId, Math.min(read.newerThan, lowest.get(read.clusterId) ?? read.newerThan));
    const found = await this.snapshots.newerThan(
      tenantId,
      [...lowest].map(([clusterId, newerThan]) => ({ clusterId, newerThan })),
    );
    for (const [clusterId, snapshot] of found) this.recentSnapshots.remember(tenantId, clusterId, snapshot);
    return wanted.map((read) => {
      const snapshot = found.get(read.clusterId);
      return snapshot && snapshot.version > read.newerThan ? snapshot : null;
    });
  }

  /**
   * Clusters whose stored desired state is not what the current definitions and inventories give
   * (a recomputation is due or running): their agents cannot have applied the newest configuration yet.
   */
  async outdatedClusters(tenantId: string): Promise<Set<string>> {
    const { clusters, states } = await this.computeStates(tenantId, 'read-only');
    return new Set(
      [...changedClusterPayloads(storedHashes(clusters), states)].map((change) => change.clusterId),
    );
  }

  async recomputeTenant(tenantId: string): Promise<RecomputeResult> {
    const { clusters, states } = await this.computeStates(tenantId, 'allocate');
    const previousHashes = storedHashes(clusters);
    const newVersions: RecomputeResult['newVersions'] = [];
    // A statement per chunk of clusters rather than a round trip each (with a GNS spanning the
    // fleet, the last cluster's agent would otherwise wait for every store before it); a chunk is
    // announced as soon as it is stored, and only one chunk of payloads is held at a time. The
    // payload stored is the canonical JSON that was hashed (serialized once). Each payload's
    // resources are split here from the state it encodes, for the pushes to come; the memo makes
    // what the states share (a service's remote endpoints) serialized, hashed and encoded once.
    const memo = new CanonicalJsonMemo();
    const resourcePayloads = new Map<string, Buffer>();
    for await (const chunk of chunksOf(
      changedPayloadsYielding(previousHashes, states, memo),
      STORE_CHUNK_CLUSTERS,
      (change) => ({
        clusterId: change.clusterId,
        hash: change.hash,
        payload: change.payload,
        derived: {
          resources: splitCanonicalState(change.canonicalState, memo, resourcePayloads),
          caSummary: stateCaSummary(change.canonicalState),
        },
      }),
    )) {
      const endTimer = this.metrics.storeSeconds.startTimer();
      const stored = await this.snapshots.store(tenantId, chunk);
      endTimer();
      const announced: RecomputeResult['newVersions'] = [];
      for (const change of chunk) {
        const version = stored.get(change.clusterId);
        if (version === undefined) continue;
        announced.push({ clusterId: change.clusterId, version });
        this.recentSnapshots.remember(
          tenantId,
          change.clusterId,
          { version, hash: change.hash, payload: change.payload },
          change.derived,
        );
        this.metrics.snapshotVersions.inc();
      }
      // Pub/sub is fire-and-forget: an agent that misses the announcement still gets the version
      // when it reconnects and says which one it has, or at its stream's periodic re-check.
      if (announced.length > 0)
        await this.events
          .publish(snapshotsAnnounced, { tenantId, snapshots: announced })
          .catch((error: unknown) =>
            this.logger.error(
              { err: error, tenantId, clusters: announced.length },
              'announcing snapshots failed',
            ),
          );
      newVersions.push(...announced);
    }
    this.metrics.recomputations.inc({ outcome: newVersions.length > 0 ? 'changed' : 'unchanged' });
    return { clusters: clusters.length, newVersions };
  }

  /** `allocate`: give new TCP/TLS hosts their virtual address (and release those of departed ones). */
  private async computeStates(tenantId: string, addressing: 'allocate' | 'read-only') {
    const [
      {
        mesh: { globalNamespaces, clusters },
        membership,
      },
      caMaterial,
      policies,
      autoscaling,
    ] = await Promise.all([
      this.membership.load(tenantId),
      this.mesh.loadCaMaterial(tenantId),
      this.mesh.loadPolicies(tenantId),
      this.mesh.loadAutoscaling(tenantId),
    ]);
    // Oldest GNS first: a cluster's designated mesh CA (istiod's cacerts) stays put when GNS are added.
    const gnsAgeOrder = [...globalNamespaces]
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map((gns) => gns.id);
    const addresses =
      addressing === 'allocate'
        ? await this.addresses.ensure(tenantId, membership)
        : await this.addresses.current(tenantId, membership);
    const states = withAutoscaling(
      assignMeshCa(
        withPolicies(
          buildDesiredStates(membership, clusters, caMaterial, addresses),
          membership,
          clusters,
          policies,
        ),
        gnsAgeOrder,
      ),
      autoscaling.policies,
      autoscaling.violations,
    );
    return { clusters, states };
  }
}

function storedHashes(clusters: readonly { id: string; desiredHash: string | null }[]): Map<string, string> {
  return new Map(
    clusters.flatMap((cluster) =>
      cluster.desiredHash === null ? [] : [[cluster.id, cluster.desiredHash] as const],
    ),
  );
}

/**
 * The clusters whose payload changed, as changedClusterPayloads gives them (in cluster id order),
 * yielding to the event loop after every few clusters examined: each is serialized and hashed
 * (about a millisecond for a 100-cluster GNS), and a whole tenant at once kept API requests and
 * agent messages waiting behind it.
 */
async function* changedPayloadsYielding(
  previousHashes: ReadonlyMap<string, string>,
  states: ReadonlyMap<string, DesiredClusterState>,
  memo: CanonicalJsonMemo,
): AsyncGenerator<ClusterPayloadChange> {
  const clusterIds = [...states.keys()].sort(compareText);
  for (let start = 0; start < clusterIds.length; start += YIELD_EVERY_CLUSTERS) {
    const slice = clusterIds.slice(start, start + YIELD_EVERY_CLUSTERS);
    yield* changedClusterPayloads(previousHashes, new Map(slice.map((id) => [id, states.get(id)!])), memo);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/** `changes` prepared and grouped by `size`. */
async function* chunksOf<T>(
  changes: AsyncIterable<ClusterPayloadChange>,
  size: number,
  prepare: (change: ClusterPayloadChange) => T,
): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const change of changes) {
    chunk.push(prepare(change));
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
